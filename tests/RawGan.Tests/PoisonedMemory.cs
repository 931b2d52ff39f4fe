using RawGan.Engine;

namespace RawGan.Tests;

/// <summary>
/// The whole suite runs with <see cref="UninitializedMemory.Poison"/> on: every new storage, CPU and GPU, starts as
/// all-ones bytes (NaN), so an op whose kernel reads an output element it did not write, or an accumulation into
/// memory nobody zeroed, fails its reference, gradient-check or parity test instead of passing on a lucky zero.
/// </summary>
[SetUpFixture]
public sealed class PoisonedMemory
{
    [OneTimeSetUp]
    public void PoisonNewStorage() => UninitializedMemory.Poison = true;
}
