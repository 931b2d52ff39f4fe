using RawGan.Engine;

namespace RawGan.Tests.Cuda;

/// <summary>The same seed and offset give bit-identical numbers on the CPU and the GPU (src/Engine/Random/RECIPE.md).</summary>
public class RandomCudaTests : CudaTestBase
{
    private static readonly DType[] DTypes = [DType.Float32, DType.Float64];

    [Test]
    public void FillsAreBitIdenticalToTheCpu([ValueSource(nameof(DTypes))] DType dtype, [Values(1, 1000, 100_003)] int n)
    {
        Seeded(out int seedInt);
        ulong seed = (ulong)seedInt * 0x9E3779B97F4A7C15UL, offset = (ulong)(seedInt % 1000) << 33;
        Shape shape = [n];
        var pairs = new (string, Tensor, Tensor)[]
        {
            ("uniform", Tensor.RandomUniform(shape, seed, offset, dtype, Device.Cpu), Tensor.RandomUniform(shape, seed, offset, dtype, Gpu)),
            ("normal", Tensor.RandomNormal(shape, seed, offset, 0.5, 2, dtype, Device.Cpu), Tensor.RandomNormal(shape, seed, offset, 0.5, 2, dtype, Gpu)),
            ("truncated 0.5", Tensor.TruncatedNormal(shape, 0.5, seed, offset, dtype, Device.Cpu), Tensor.TruncatedNormal(shape, 0.5, seed, offset, dtype, Gpu)),
            ("truncated 2", Tensor.TruncatedNormal(shape, 2, seed, offset, dtype, Device.Cpu), Tensor.TruncatedNormal(shape, 2, seed, offset, dtype, Gpu)),
        };
        foreach (var (name, cpu, gpu) in pairs)
        {
            var expected = cpu.ToDoubleArray();
            var actual = gpu.ToDoubleArray();
            int mismatches = expected.Where((v, i) => BitConverter.DoubleToInt64Bits(v) != BitConverter.DoubleToInt64Bits(actual[i])).Count();
            Assert.That(mismatches, Is.Zero, $"{name} {dtype}: {mismatches} of {n} values differ in their bits");
        }
    }
}
