using RawGan.Engine;
using RawGan.Engine.Backends;
using RawGan.Kernels.Ops;

namespace RawGan.Kernels.Cuda;

// Convolution as im2col/col2im (kernels-cu/conv.cu) around cuBLAS GEMMs, one chunk of images at a time so that
// the column buffer stays bounded. A 1x1, stride-1, unpadded convolution needs no column buffer: each image
// x_n is already the (C, H·W) column matrix. With ConvAlgorithm.ImplicitGemm, the implicit-GEMM kernels
// (CudaConvImplicitGemm.cs) take every exact float32 or float64 convolution they can index. BFloat16 and TF32
// convolutions go to our tensor-core kernels (CudaConvTensorCore.cs) when ConvAlgorithm says so (by default when the
// autotune finds them faster for the shape); otherwise they run their GEMMs on tensor cores through cuBLAS
// (CudaGemm.cs), a bfloat16 result rounded once from the float32 accumulation (col2im gathers from a float32 column
// buffer, and a chunked weight gradient sums in float32).
public sealed partial class CudaBackend
{
    /// <summary>
    /// The convolution algorithm (<see cref="Cuda.ConvAlgorithm"/>: by default im2col + cuBLAS for exact convolutions and
    /// an autotune for TF32 and bfloat16 ones). Starts as the RAWGAN_CONV_ALGO environment variable says
    /// (<see cref="ConvAlgorithmSetting"/>); benchmarks and tests set it to compare the algorithms.
    /// </summary>
    public ConvAlgorithm ConvAlgorithm { get; set; } = ConvAlgorithmSetting.Default;

    private bool UseImplicitGemm(Storage x, in Conv2dGeometry g, MathMode math) =>
        ConvAlgorithm == ConvAlgorithm.ImplicitGemm && ImplicitGemmFits(g)
        && (x.DType == DType.Float64 || (x.DType == DType.Float32 && math == MathMode.Exact));

    /// <summary>
    /// Most elements a chunk's temporaries (column buffer, and for the weight pass the regrouped dy) may hold:
    /// 32 Mi elements, 128 MB in float32. Tests lower it to exercise chunking on small shapes.
    /// </summary>
    internal long ConvChunkElements { get; set; } = 32L << 20;

    /// <inheritdoc/>
    public void Conv2dForward(Storage x, Storage w, Storage y, in Conv2dGeometry g, MathMode math)
    {
        ProductDTypes.Check(nameof(Conv2dForward), x, w, y);
        Convolve(ConvPass.Forward, x, w, y, g, math);
    }

    /// <summary>
    /// One pass by the chosen algorithm: our FMA implicit GEMM (exact products, when chosen), our tensor-core kernels
    /// (TF32 and bfloat16, when chosen or tuned), else im2col + cuBLAS. <paramref name="first"/> and
    /// <paramref name="second"/> are the pass's inputs in IBackend order.
    /// </summary>
    private void Convolve(ConvPass pass, Storage first, Storage second, Storage output, in Conv2dGeometry g, MathMode math)
    {
        if (UseImplicitGemm(first, g, math))
        {
            switch (pass)
            {
                case ConvPass.Forward: ImplicitGemmForward(first, second, output, g); break;
                case ConvPass.BackwardData: ImplicitGemmBackwardData(first, second, output, g); break;
                default: ImplicitGemmBackwardWeight(first, second, output, g); break;
            }
            return;
        }
        Convolve(pass, TensorCoreTileFor(pass, first, second, output, g, math), first, second, output, g, math);
    }

    /// <summary>One pass on the tensor cores with <paramref name="tile"/>, or by im2col + cuBLAS when it is null.</summary>
    private void Convolve(ConvPass pass, TensorCoreTile? tile, Storage first, Storage second, Storage output, in Conv2dGeometry g, MathMode math)
    {
        if (tile is not null)
        {
            RunTensorCore(pass, tile, first, second, output, g);
            return;
        }
        switch (pass)
        {
            case ConvPass.Forward: Im2colForward(first, second, output, g, math); break;
            case ConvPass.BackwardData: Im2colBackwardData(first, second, output, g, math); break;
            default: Im2colBackwardWeight(first, second, output, g, math); break;
        }
    }

    private void Im2colForward(Storage x, Storage w, Storage y, in Conv2dGeometry g, MathMode math)
    {
        var (crs, ohw, xImage, yImage, colImage) = Sizes(g);
        if (IsPointwise(g))
        {
            // y_n (K, H·W) = W (K, C) · x_n (C, H·W) for every image at once; W is shared (batch stride 0).
            Gemm(false, false, g.K, ohw, g.C, 1, w, 0, g.C, 0, x, 0, ohw, xImage, 0, y, 0, ohw, yImage, g.N, math);
            return;
        }
        int chunk = ImagesPerChunk(g, colImage);
        using var col = Allocate(x.DType, chunk * colImage);
        for (int n0 = 0; n0 < g.N; n0 += chunk)
        {
            int nb = Math.Min(chunk, g.N - n0);
            Im2Col(x, n0, nb, col, g, imageStride: colImage, rowStride: ohw);
            // y_n (K, OH·OW) = W (K, C·R·S) · col_n (C·R·S, OH·OW), one batched GEMM per chunk.
            Gemm(false, false, g.K, ohw, crs, 1, w, 0, crs, 0, col, 0, ohw, colImage, 0, y, n0 * yImage, ohw, yImage, nb, math);
        }
    }

    /// <inheritdoc/>
    public void Conv2dBackwardData(Storage dy, Storage w, Storage dx, in Conv2dGeometry g, MathMode math)
    {
        ProductDTypes.Check(nameof(Conv2dBackwardData), dy, w, dx);
        Convolve(ConvPass.BackwardData, dy, w, dx, g, math);
    }

    private void Im2colBackwardData(Storage dy, Storage w, Storage dx, in Conv2dGeometry g, MathMode math)
    {
        var (crs, ohw, xImage, yImage, colImage) = Sizes(g);
        if (IsPointwise(g))
        {
            // dx_n (C, H·W) = Wᵀ (C, K) · dy_n (K, H·W).
            Gemm(true, false, g.C, ohw, g.K, 1, w, 0, g.C, 0, dy, 0, ohw, yImage, 0, dx, 0, ohw, xImage, g.N, math);
            return;
        }
        int chunk = ImagesPerChunk(g, colImage);
        using var col = Allocate(dx.DType == DType.BFloat16 ? DType.Float32 : dx.DType, chunk * colImage);
        for (int n0 = 0; n0 < g.N; n0 += chunk)
        {
            int nb = Math.Min(chunk, g.N - n0);
            // dcol_n (C·R·S, OH·OW) = Wᵀ · dy_n, then each dx element gathers its taps (overwriting dx).
            Gemm(true, false, crs, ohw, g.K, 1, w, 0, crs, 0, dy, n0 * yImage, ohw, yImage, 0, col, 0, ohw, colImage, nb, math);
            Launch(ConvKernels.Col2Im.For(dx.DType), GridFor(nb * xImage), Block, 0, Ptr(col), Ptr(dx, n0 * xImage),
                   nb, g.C, g.H, g.W, g.R, g.S, g.OutH, g.OutW, g.StrideH, g.StrideW, g.PadH, g.PadW);
        }
    }

    /// <inheritdoc/>
    public void Conv2dBackwardWeight(Storage x, Storage dy, Storage dw, in Conv2dGeometry g, MathMode math)
    {
        ProductDTypes.Check(nameof(Conv2dBackwardWeight), x, dy, dw);
        if (g.N == 0)
        {
            Fill(dw, 0); // an empty sum
            return;
        }
        Convolve(ConvPass.BackwardWeight, x, dy, dw, g, math);
    }

    private void Im2colBackwardWeight(Storage x, Storage dy, Storage dw, in Conv2dGeometry g, MathMode math)
    {
        var (crs, ohw, xImage, yImage, colImage) = Sizes(g);
        // dW = Σ_n dy_n · col_nᵀ. Per-image products would have an inner dimension of only OH·OW (16 at 4x4),
        // so the chunk is laid out as one (C·R·S, images·OH·OW) column matrix and dy regrouped to
        // (K, images·OH·OW): one GEMM per chunk with a long inner dimension, accumulating into dW.
        int chunk = ImagesPerChunk(g, colImage + yImage);
        bool pointwise = IsPointwise(g);
        using var col = pointwise && chunk == 1 ? null : Allocate(x.DType, chunk * colImage);
        using var dyGrouped = chunk == 1 ? null : Allocate(x.DType, chunk * yImage);
        // A bfloat16 dW summed over several chunks accumulates in float32 and is rounded once at the end.
        using var sum = dw.DType == DType.BFloat16 && chunk < g.N ? Allocate(DType.Float32, dw.Length) : null;
        var target = sum ?? dw;
        for (int n0 = 0; n0 < g.N; n0 += chunk)
        {
            int nb = Math.Min(chunk, g.N - n0), inner = nb * ohw;
            Storage colSrc = x, dySrc = dy;
            long colOffset = n0 * xImage, dyOffset = n0 * yImage;
            if (col is not null)
            {
                Im2Col(x, n0, nb, col, g, imageStride: ohw, rowStride: inner);
                (colSrc, colOffset) = (col, 0);
            }
            if (dyGrouped is not null)
            {
                // (images, K, OH·OW) → (K, images, OH·OW)
                StridedCopy(dy, n0 * yImage, [ohw, yImage, 1], dyGrouped, 0, [inner, ohw, 1], [g.K, nb, ohw]);
                (dySrc, dyOffset) = (dyGrouped, 0);
            }
            Gemm(false, true, g.K, crs, inner, 1, dySrc, dyOffset, inner, 0, colSrc, colOffset, inner, 0,
                 n0 == 0 ? 0 : 1, target, 0, crs, 0, 1, math);
        }
        if (sum is not null) Cast(sum, dw, dw.Length);
    }

    private static bool IsPointwise(in Conv2dGeometry g) =>
        g.R == 1 && g.S == 1 && g.StrideH == 1 && g.StrideW == 1 && g.PadH == 0 && g.PadW == 0;

    /// <summary>
    /// Per-image sizes: C·R·S, OH·OW, and the elements of an image of x, of y and of its column matrix. conv.cu
    /// decomposes indices in 32-bit arithmetic, so each must stay below 2^31 (chunks then keep every launch so).
    /// </summary>
    private static (int Crs, int Ohw, long XImage, long YImage, long ColImage) Sizes(in Conv2dGeometry g)
    {
        long ohw = (long)g.OutH * g.OutW, xImage = (long)g.C * g.H * g.W, yImage = g.K * ohw, colImage = (long)g.C * g.R * g.S * ohw;
        if (Math.Max(colImage, Math.Max(xImage, yImage)) > int.MaxValue)
            throw new NotSupportedException($"Conv2d {g}: one image's input, output or column matrix exceeds 2^31 elements.");
        return (g.C * g.R * g.S, (int)ohw, xImage, yImage, colImage);
    }

    // Images per chunk: within the temporaries' budget, and few enough that a chunk's column buffer and its
    // slice of x hold fewer than 2^31 elements (the 32-bit index limit of conv.cu).
    private int ImagesPerChunk(in Conv2dGeometry g, long elementsPerImage)
    {
        var (_, _, xImage, _, colImage) = Sizes(g);
        long byBudget = Math.Max(1, ConvChunkElements / Math.Max(1, elementsPerImage));
        long byIndex = int.MaxValue / Math.Max(1, Math.Max(colImage, xImage));
        return (int)Math.Max(1, Math.Min(g.N, Math.Min(byBudget, byIndex)));
    }

    private void Im2Col(Storage x, int n0, int images, Storage col, in Conv2dGeometry g, long imageStride, long rowStride)
    {
        long xImage = (long)g.C * g.H * g.W;
        long total = (long)images * g.C * g.R * g.S * g.OutH * g.OutW;
        Launch(ConvKernels.Im2Col.For(x.DType), GridFor(total), Block, 0, Ptr(x, n0 * xImage), Ptr(col),
               images, g.C, g.H, g.W, g.R, g.S, g.OutH, g.OutW, g.StrideH, g.StrideW, g.PadH, g.PadW, imageStride, rowStride);
    }
}
