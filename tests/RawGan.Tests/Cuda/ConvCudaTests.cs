using RawGan.Engine;
using RawGan.Kernels.Cuda;

namespace RawGan.Tests.Cuda;

using Ops = RawGan.Engine.Ops; // inside the namespace, so it wins over the RawGan.Tests.Ops namespace

public class ConvCudaTests : CudaTestBase
{
    private static readonly DType[] DTypes = [DType.Float32, DType.Float64];

    // (N, C, H, W, K, R, S, stride, padding) or (N, C, H, W, K, R, S, strideH, strideW, padH, padW)
    private static readonly int[][] Geometries =
    [
        [2, 3, 8, 8, 4, 3, 3, 1, 1],     // 3x3, pad 1 (BigGAN's body)
        [3, 5, 7, 9, 6, 1, 1, 1, 0],     // 1x1: GEMMs straight on x, no column buffer
        [2, 4, 9, 7, 5, 3, 3, 2, 1],     // stride 2, odd sizes
        [1, 3, 5, 6, 2, 3, 3, 1, 1],     // batch 1
        [1, 6, 5, 5, 7, 1, 1, 1, 0],     // 1x1, batch 1: dW straight from x and dy
        [3, 3, 6, 7, 4, 4, 2, 2, 0],     // uneven kernel, no padding
        [2, 2, 17, 19, 3, 5, 5, 3, 2],   // 5x5, stride 3: taps that skip output rows and columns
        [1, 37, 33, 35, 3, 3, 3, 1, 1],  // more elements than one block-stride pass
        [2, 6, 17, 17, 5, 1, 7, 1, 1, 0, 3],  // Inception's 1x7 with padding (0, 3)
        [2, 6, 17, 17, 5, 7, 1, 1, 1, 3, 0],  // and 7x1 with padding (3, 0)
        [2, 4, 8, 8, 3, 3, 1, 1, 1, 1, 0],    // 3x1 with padding (1, 0)
        [3, 3, 11, 9, 4, 3, 3, 2, 1, 0, 1],   // unequal strides and paddings
    ];

    [Test]
    public void ForwardAndBothGradientsMatchTheCpu([ValueSource(nameof(DTypes))] DType dtype, [Range(0, 11)] int which)
    {
        var rng = Seeded(out _);
        CompareWithCpu(Geometries[which], dtype, rng);
    }

    [Test]
    public void SmallChunksGiveTheSameResult([ValueSource(nameof(DTypes))] DType dtype, [Values(0, 1, 2, 6, 8, 11)] int which)
    {
        // A budget of one image (or less) per chunk, and one of two images with an odd batch (a short last chunk).
        var rng = Seeded(out _);
        var backend = (CudaBackend)Gpu.Backend;
        long saved = backend.ConvChunkElements;
        try
        {
            foreach (long budget in new long[] { 1, 2L * ColumnElements(Geometries[which]) })
            {
                backend.ConvChunkElements = budget;
                var shape = (int[])Geometries[which].Clone();
                shape[0] = 5;
                CompareWithCpu(shape, dtype, rng);
            }
        }
        finally
        {
            backend.ConvChunkElements = saved;
        }
    }

    // Column-matrix elements of one image plus its output (the weight pass's per-image share of the budget).
    private static long ColumnElements(int[] p)
    {
        var g = Geometry(p);
        return (long)(g.C * g.R * g.S + g.K) * g.OutH * g.OutW;
    }

    private static Conv2dGeometry Geometry(int[] p) => p.Length == 9
        ? new(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[7], p[8], p[8])
        : new(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10]);

    private static void CompareWithCpu(int[] p, DType dtype, Random rng)
    {
        var g = Geometry(p);
        string what = $"{g} {dtype}";
        var (x, gx) = Pair([g.N, g.C, g.H, g.W], dtype, rng);
        var (w, gw) = Pair([g.K, g.C, g.R, g.S], dtype, rng);
        var (dy, gdy) = Pair([g.N, g.K, g.OutH, g.OutW], dtype, rng);
        x.RequiresGrad = gx.RequiresGrad = w.RequiresGrad = gw.RequiresGrad = true;
        var y = Ops.Conv2d(x, w, null, (g.StrideH, g.StrideW), (g.PadH, g.PadW));
        var gy = Ops.Conv2d(gx, gw, null, (g.StrideH, g.StrideW), (g.PadH, g.PadW));
        AssertClose(gy, y, $"forward {what}");
        y.Backward(dy);
        gy.Backward(gdy);
        AssertClose(gx.Grad!, x.Grad!, $"dx {what}");
        AssertClose(gw.Grad!, w.Grad!, $"dw {what}");
    }
}
