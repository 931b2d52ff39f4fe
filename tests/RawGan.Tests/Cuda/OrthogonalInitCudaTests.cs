using RawGan.Engine;
using RawGan.Engine.Nn;

namespace RawGan.Tests.Cuda;

/// <summary>
/// Orthogonal initialisation on the GPU (CholeskyQR2 with cuBLAS products, the same Philox draw) against the CPU's:
/// a wide conv weight, a nearly square one and ImageNet128's square 1×1 shortcut (1536 × 1536, the worst conditioned).
/// </summary>
public class OrthogonalInitCudaTests : CudaTestBase
{
    [Test]
    public void OrthogonalInitMatchesTheCpu([Values(0, 1, 2)] int which)
    {
        int[][] shapes = [[96, 864], [300, 299], [1536, 1536]];
        Seeded(out int seed);
        var cpu = Tensor.Zeros(new Shape(shapes[which]), DType.Float64);
        var gpu = Tensor.Zeros(new Shape(shapes[which]), DType.Float64, Gpu);
        Init.Orthogonal(cpu, (ulong)seed);
        Init.Orthogonal(gpu, (ulong)seed);
        AssertClose(gpu.To(Device.Cpu), cpu, $"orthogonal {cpu.Shape}, seed {seed}", 1e-10);
    }
}
