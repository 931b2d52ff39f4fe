using System.Runtime.CompilerServices;

namespace RawGan.Engine.Rng;

/// <summary>Four 32-bit words, laid out like CUDA's <c>uint4</c> (x, y, z, w).</summary>
/// <param name="X">Word 0.</param>
/// <param name="Y">Word 1.</param>
/// <param name="Z">Word 2.</param>
/// <param name="W">Word 3.</param>
public readonly record struct UInt4(uint X, uint Y, uint Z, uint W);

/// <summary>Two 32-bit words, laid out like CUDA's <c>uint2</c> (x, y).</summary>
/// <param name="X">Word 0.</param>
/// <param name="Y">Word 1.</param>
public readonly record struct UInt2(uint X, uint Y);

/// <summary>
/// Philox4x32-10 (Salmon, Moraes, Dror, Shaw, "Parallel Random Numbers: As Easy as 1, 2, 3", SC11): a keyed
/// bijection of a 128-bit counter, the same function as Random123's <c>philox4x32_R(10, ctr, key)</c> and
/// cuRAND's Philox core. A pure function, so any element of any fill can be computed alone, on any thread or device.
/// </summary>
public static class Philox4x32
{
    /// <summary>Multiplier applied to word 0.</summary>
    public const uint M0 = 0xD2511F53;

    /// <summary>Multiplier applied to word 2.</summary>
    public const uint M1 = 0xCD9E8D57;

    /// <summary>Weyl increment of key word 0 between rounds (golden ratio).</summary>
    public const uint W0 = 0x9E3779B9;

    /// <summary>Weyl increment of key word 1 between rounds (√3 − 1).</summary>
    public const uint W1 = 0xBB67AE85;

    /// <summary>Number of rounds.</summary>
    public const int Rounds = 10;

    /// <summary>Encrypts <paramref name="counter"/> under <paramref name="key"/>: 10 rounds, the key bumped between rounds.</summary>
    // The inner loop of every random fill: fully optimised from the first call, also in Debug test runs (3x faster there).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static UInt4 Hash(UInt4 counter, UInt2 key)
    {
        uint x0 = counter.X, x1 = counter.Y, x2 = counter.Z, x3 = counter.W;
        uint k0 = key.X, k1 = key.Y;
        for (int round = 0; round < Rounds; round++)
        {
            if (round > 0)
            {
                k0 += W0;
                k1 += W1;
            }
            ulong p0 = (ulong)M0 * x0;
            ulong p1 = (ulong)M1 * x2;
            uint y0 = (uint)(p1 >> 32) ^ x1 ^ k0;
            uint y2 = (uint)(p0 >> 32) ^ x3 ^ k1;
            x1 = (uint)p1;
            x3 = (uint)p0;
            x0 = y0;
            x2 = y2;
        }
        return new UInt4(x0, x1, x2, x3);
    }
}
