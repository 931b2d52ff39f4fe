namespace RawGan.Tests.Rng;

/// <summary>Fresh 64-bit seeds for randomised tests; each test puts its seed in every failure message.</summary>
internal static class TestSeed
{
    public static ulong Fresh()
    {
        Span<byte> bytes = stackalloc byte[8];
        Random.Shared.NextBytes(bytes);
        return BitConverter.ToUInt64(bytes);
    }
}
