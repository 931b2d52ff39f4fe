using RawGan.Engine.Rng;

namespace RawGan.Model.Data;

/// <summary>
/// The order in which an epoch visits a data set: a Fisher–Yates shuffle whose random numbers come from
/// Philox4x32-10 keyed by the seed, one counter per (swap position, epoch). Integer arithmetic only, so the same
/// (seed, epoch, count) gives the same permutation on every machine and runtime.
/// </summary>
public static class EpochPermutation
{
    // Fourth counter word: keeps these draws apart from any other use of Philox under the same seed.
    private const uint Stream = 0x53485546; // "SHUF"

    /// <summary>The permutation of 0 … <paramref name="count"/> − 1 for <paramref name="epoch"/> under <paramref name="seed"/>.</summary>
    public static int[] For(ulong seed, long epoch, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        var order = new int[count];
        for (int i = 0; i < count; i++) order[i] = i;
        var key = new UInt2((uint)seed, (uint)(seed >> 32));
        for (int i = count - 1; i > 0; i--)
        {
            var bits = Philox4x32.Hash(new UInt4((uint)i, (uint)epoch, (uint)((ulong)epoch >> 32), Stream), key);
            ulong random = bits.X | ((ulong)bits.Y << 32);
            // Lemire's multiply-high maps 64 random bits onto [0, i] (bias below 2^-32 for any int count).
            int j = (int)Math.BigMul(random, (ulong)(i + 1), out _);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }
}
