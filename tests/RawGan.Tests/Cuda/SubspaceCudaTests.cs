using RawGan.Engine;
using RawGan.Tests.Ops;
using RawGan.Tests.TestSupport;

namespace RawGan.Tests.Cuda;

/// <summary>
/// kernels-cu/subspace.cu against the CPU reference, step by step on the same batch (mixed shapes, float32 and
/// float64 weights, a zero matrix whose block becomes the hash-random start on both), for several iterations in a row.
/// </summary>
public class SubspaceCudaTests : CudaTestBase
{
    [Test]
    public void EveryStepMatchesTheCpu([Values(DType.Float32, DType.Float64)] DType dtype)
    {
        Seeded(out int s);
        var cpu = new SubspaceReferenceTests.Fixture(TestRng.WithSeed(s), dtype);
        var gpu = new SubspaceReferenceTests.Fixture(TestRng.WithSeed(s), dtype, Gpu);
        var sides = new[] { cpu, gpu }.Select(f => (f, Y: f.RowSide(), U: f.RowSide(), Z: f.ColumnSide())).ToArray();
        for (int iteration = 0; iteration < 4; iteration++)
        {
            foreach (var (f, y, u, z) in sides)
            {
                var backend = f.V.Backend;
                backend.SubspaceProduct(f.Batch, false, f.V.Storage, y.Storage, f.State.Storage);
                if (iteration > 0) backend.SubspaceResidual(f.Batch, y.Storage, u.Storage, f.State.Storage, iteration, 1e-14);
            }
            Same(sides[1].Y, sides[0].Y, $"W V, iteration {iteration}, seed {s}");
            Same(sides[1].f.State, sides[0].f.State, $"residual state, iteration {iteration}, seed {s}");
            foreach (var (f, y, u, z) in sides)
            {
                var backend = f.V.Backend;
                backend.SubspaceOrthonormalize(f.Batch, false, y.Storage, f.State.Storage, (ulong)iteration);
                backend.SubspaceProduct(f.Batch, true, y.Storage, z.Storage, f.State.Storage);
            }
            Same(sides[1].Y, sides[0].Y, $"orthonormal Q, iteration {iteration}, seed {s}");
            Same(sides[1].Z, sides[0].Z, $"Wᵀ Q, iteration {iteration}, seed {s}");
            foreach (var (f, y, u, z) in sides)
            {
                var backend = f.V.Backend;
                backend.SubspaceRayleighRitz(f.Batch, y.Storage, z.Storage, u.Storage, f.V.Storage, f.State.Storage, iteration, 1e-9);
                backend.SubspaceOrthonormalize(f.Batch, true, f.V.Storage, f.State.Storage, 1000 + (ulong)iteration);
            }
            Same(sides[1].f.State, sides[0].f.State, $"Ritz values, iteration {iteration}, seed {s}");
            Same(sides[1].U, sides[0].U, $"U, iteration {iteration}, seed {s}");
            Same(sides[1].f.V, sides[0].f.V, $"V, iteration {iteration}, seed {s}");
        }
    }

    // Eigenvectors are defined up to sign only where eigenvalues are simple, which random blocks make them; the
    // kernels contract multiply-adds, so the two sides agree to rounding, not bit for bit.
    private static void Same(Tensor gpu, Tensor cpu, string what) => AssertClose(gpu.To(Device.Cpu), cpu, what, 1e-9);
}
