using RawGan.Engine;
using RawGan.Model.Analysis;

namespace RawGan.Tests.Cuda;

/// <summary>The singular-value tracer with its products on the GPU gives the CPU's values (float64 throughout).</summary>
public class SubspaceSvdCudaTests : CudaTestBase
{
    [Test]
    public void TopSingularValuesMatchTheCpu([Values(0, 1, 2)] int which)
    {
        var rng = Seeded(out int seed);
        int[][] shapes = [[64, 64, 3, 3], [4096, 148], [10, 128]];
        var (cpu, gpu) = Pair(shapes[which], DType.Float32, rng);
        var onCpu = new SubspaceSvd().Compute(cpu);
        var onGpu = new SubspaceSvd().Compute(gpu);
        Assert.That(onGpu.Converged, Is.True, $"seed {seed}");
        for (int i = 0; i < 3; i++)
            Assert.That(onGpu.Values[i], Is.EqualTo(onCpu.Values[i]).Within(1e-6 * onCpu.Values[0]), $"σ{i} of {gpu.Shape}, seed {seed}");
    }
}
