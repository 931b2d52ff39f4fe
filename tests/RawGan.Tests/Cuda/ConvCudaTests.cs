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
        [2, 70, 9, 9, 67, 3, 3, 1, 1],   // channels past one 64-wide implicit-GEMM tile, not multiples of it
        [4, 33, 4, 4, 130, 1, 1, 1, 0],  // BigGAN's 4x4 1x1 shortcut shape, output channels over three tiles
        [8, 64, 16, 16, 64, 3, 3, 1, 1], // a BigGAN body convolution: long inner dimension, split weight gradient
        [2, 6, 17, 17, 5, 1, 7, 1, 1, 0, 3],  // Inception's 1x7 with padding (0, 3)
        [2, 6, 17, 17, 5, 7, 1, 1, 1, 3, 0],  // and 7x1 with padding (3, 0)
        [2, 4, 8, 8, 3, 3, 1, 1, 1, 1, 0],    // 3x1 with padding (1, 0)
        [3, 3, 11, 9, 4, 3, 3, 2, 1, 0, 1],   // unequal strides and paddings
    ];

    [Test]
    public void ForwardAndBothGradientsMatchTheCpu([ValueSource(nameof(DTypes))] DType dtype, [Range(0, 14)] int which,
                                                  [Values(ConvAlgorithm.Im2colGemm, ConvAlgorithm.ImplicitGemm)] ConvAlgorithm algorithm)
    {
        var rng = Seeded(out _);
        var backend = (CudaBackend)Gpu.Backend;
        var saved = backend.ConvAlgorithm;
        try
        {
            backend.ConvAlgorithm = algorithm;
            CompareWithCpu(Geometries[which], dtype, rng);
        }
        finally
        {
            backend.ConvAlgorithm = saved;
        }
    }

    [Test]
    public void ImplicitGemmSplitsTheWeightGradientWithinTheBudget([ValueSource(nameof(DTypes))] DType dtype)
    {
        // A budget of one weight-sized partial product allows no split; a large one allows many. Both must agree.
        var rng = Seeded(out _);
        var backend = (CudaBackend)Gpu.Backend;
        var (savedAlgorithm, savedBudget) = (backend.ConvAlgorithm, backend.ConvChunkElements);
        try
        {
            backend.ConvAlgorithm = ConvAlgorithm.ImplicitGemm;
            var p = Geometries[10];
            foreach (long budget in new long[] { (long)p[4] * p[1] * p[5] * p[6], 1L << 30 })
            {
                backend.ConvChunkElements = budget;
                CompareWithCpu(p, dtype, rng);
            }
        }
        finally
        {
            (backend.ConvAlgorithm, backend.ConvChunkElements) = (savedAlgorithm, savedBudget);
        }
    }

    [Test]
    public void SmallChunksGiveTheSameResult([ValueSource(nameof(DTypes))] DType dtype, [Values(0, 1, 2, 6, 11, 14)] int which)
    {
        // A budget of one image (or less) per chunk, and one of two images with an odd batch (a short last chunk).
        var rng = Seeded(out _);
        var backend = (CudaBackend)Gpu.Backend;
        var (savedAlgorithm, saved) = (backend.ConvAlgorithm, backend.ConvChunkElements);
        try
        {
            backend.ConvAlgorithm = ConvAlgorithm.Im2colGemm; // the chunked path, whatever RAWGAN_CONV_ALGO says
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
            (backend.ConvAlgorithm, backend.ConvChunkElements) = (savedAlgorithm, saved);
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
