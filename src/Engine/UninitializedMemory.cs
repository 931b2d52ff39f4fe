namespace RawGan.Engine;

/// <summary>
/// A debugging mode for the allocation contract: <see cref="IBackend.Allocate"/> returns storage whose contents are
/// unspecified, and only <see cref="Tensor.Zeros"/> (or a kernel that writes every element) makes them defined. While
/// <see cref="Poison"/> is on, every backend fills new storage with all-ones bytes (NaN for floating-point types, −1
/// for Int32), so a kernel that reads memory nobody wrote produces NaN instead of a plausible zero. The test suite
/// runs with it on; RAWGAN_POISON_MEMORY=1 turns it on in any program (it costs one extra write per allocation).
/// </summary>
public static class UninitializedMemory
{
    /// <summary>Whether new storage is filled with all-ones bytes.</summary>
    public static bool Poison { get; set; } = Environment.GetEnvironmentVariable("RAWGAN_POISON_MEMORY") == "1";
}
