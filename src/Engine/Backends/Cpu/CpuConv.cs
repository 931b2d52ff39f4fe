using System.Buffers;
using System.Numerics;

namespace RawGan.Engine.Backends.Cpu;

// Convolutions as GEMMs over the packed, blocked driver (CpuGemmDriver). Forward and weight gradient pack
// their im2col operand straight from x (CpuConvIm2Col), so neither builds a column matrix; stride-1 ones work
// from a zero-bordered copy of the images instead (CpuConvPadded): the forward reads its operand in place where
// output rows hold whole SIMD vectors, the weight gradient packs it by 8×8 transposes. 1×1 stride-1
// convolutions are plain products on x viewed as (C, H·W). The data gradient of a stride-1 convolution is a
// forward convolution of dy with the flipped, channel-swapped kernel; other strides build a bounded column
// block and scatter it back (col2im). The weights are packed once per call, not once per image.
internal sealed partial class CpuBackend
{
    // Column-block budget (elements) of the general data gradient: bounds its temporary whatever the image size.
    private const long ColumnBlockElements = 1L << 20;

    // Output channels up to which a convolution packs its weights once for all images (the GEMM's row block).
    private const int MaxPrepackedRows = 1536;

    public void Conv2dForward(Storage x, Storage w, Storage y, in Conv2dGeometry g, MathMode math) => ConvForward(x, w, null, y, g, math);

    // The bias rides in the GEMM's store of each output tile instead of a pass of its own over y.
    public void Conv2dForwardWithBias(Storage x, Storage w, Storage bias, Storage y, in Conv2dGeometry g, MathMode math)
    {
        if (bias.Length < g.K) throw new ArgumentException($"Conv2d: a bias of {bias.Length} elements for {g.K} output channels.");
        ConvForward(x, w, bias, y, g, math);
    }

    private void ConvForward(Storage x, Storage w, Storage? bias, Storage y, in Conv2dGeometry g, MathMode math)
    {
        ProductDTypes.Check(nameof(Conv2dForward), x, w, y);
        if (IsReducedPrecision(x, math))
        {
            // As the CUDA backend does it: the rounded convolution, then the bias added to it.
            ReducedPrecisionConv(ConvPass.Forward, x, w, y, g, math);
            if (bias is not null) IBackend.AddChannelBias(this, y, bias, g);
        }
        else if (IsFloat(x)) ConvForward(Data<float>(x), Data<float>(w), bias is null ? null : Data<float>(bias), Data<float>(y), g);
        else ConvForward(Data<double>(x), Data<double>(w), bias is null ? null : Data<double>(bias), Data<double>(y), g);
    }

    public void Conv2dBackwardData(Storage dy, Storage w, Storage dx, in Conv2dGeometry g, MathMode math)
    {
        ProductDTypes.Check(nameof(Conv2dBackwardData), dy, w, dx);
        if (IsReducedPrecision(dy, math)) ReducedPrecisionConv(ConvPass.BackwardData, dy, w, dx, g, math);
        else if (IsFloat(dy)) ConvBackwardData(Data<float>(dy), Data<float>(w), Data<float>(dx), g);
        else ConvBackwardData(Data<double>(dy), Data<double>(w), Data<double>(dx), g);
    }

    public void Conv2dBackwardWeight(Storage x, Storage dy, Storage dw, in Conv2dGeometry g, MathMode math)
    {
        ProductDTypes.Check(nameof(Conv2dBackwardWeight), x, dy, dw);
        if (IsReducedPrecision(x, math)) ReducedPrecisionConv(ConvPass.BackwardWeight, x, dy, dw, g, math);
        else if (IsFloat(x)) ConvBackwardWeight(Data<float>(x), Data<float>(dy), Data<float>(dw), g);
        else ConvBackwardWeight(Data<double>(x), Data<double>(dy), Data<double>(dw), g);
    }

    private static bool IsPointwise(in Conv2dGeometry g) =>
        g.R == 1 && g.S == 1 && g.StrideH == 1 && g.StrideW == 1 && g.PadH == 0 && g.PadW == 0;

    private static void CheckConv(in Conv2dGeometry g, long x, long w, long y)
    {
        if (g.N < 0 || g.C < 1 || g.K < 1 || g.R < 1 || g.S < 1 || g.StrideH < 1 || g.StrideW < 1 || g.PadH < 0 || g.PadW < 0
            || g.OutH < 1 || g.OutW < 1)
            throw new ArgumentException($"Conv2d: invalid geometry {g}.");
        if (x < (long)g.N * g.C * g.H * g.W || w < (long)g.K * g.C * g.R * g.S || y < (long)g.N * g.K * g.OutH * g.OutW)
            throw new ArgumentException($"Conv2d: buffers of {x}, {w} and {y} elements are too small for {g}.");
    }

    // y_n (K × OH·OW) = W (K × C·R·S) · col(x_n) (+ bias[k] on row k), one product per image.
    private static void ConvForward<T>(T[] x, T[] w, T[]? bias, T[] y, Conv2dGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckConv(g, x.Length, w.Length, y.Length);
        int crs = g.C * g.R * g.S, ohw = g.OutH * g.OutW;
        long xImage = (long)g.C * g.H * g.W, yImage = (long)g.K * ohw;
        bool pointwise = IsPointwise(g);
        var weights = new DenseSource<T>(w, 0, crs, 1);
        // Every image's product has the same A: pack the weights once, not once per image.
        T[]? packed = g.K <= MaxPrepackedRows && g.N > 1 ? GemmPackA<T, DenseSource<T>>(g.K, crs, weights) : null;
        // Stride 1 with whole vectors per output row: B read in place from a zero-bordered copy of each image.
        int lanes = GemmLanes<T>();
        bool inPlace = !pointwise && g.StrideH == 1 && g.StrideW == 1 && g.OutW % lanes == 0 && ohw % (2 * lanes) == 0;
        try
        {
            ShareOut(g.N, (long)g.K * ohw * crs, (n, parallel) =>
            {
                if (pointwise)
                    GemmPacked(g.K, ohw, g.C, T.One, weights, new DenseSource<T>(x, n * xImage, 1, ohw), T.Zero, y, n * yImage, ohw, parallel, bias, packed);
                else if (inPlace)
                    ConvImageInPlace(x, n * xImage, weights, packed, bias, y, n * yImage, g, parallel);
                else
                    GemmPacked(g.K, ohw, crs, T.One, weights, new Im2ColSource<T>(x, n * xImage, g), T.Zero, y, n * yImage, ohw, parallel, bias, packed);
            });
        }
        finally
        {
            if (packed is not null) ArrayPool<T>.Shared.Return(packed);
        }
    }

    private static void ConvBackwardData<T>(T[] dy, T[] w, T[] dx, Conv2dGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckConv(g, dx.Length, w.Length, dy.Length);
        int ohw = g.OutH * g.OutW;
        long xImage = (long)g.C * g.H * g.W, yImage = (long)g.K * ohw;
        if (IsPointwise(g))
        {
            // dx_n (C × H·W) = Wᵀ (C × K) · dy_n (K × H·W).
            var wt = new DenseSource<T>(w, 0, 1, g.C);
            ShareOut(g.N, (long)g.C * ohw * g.K, (n, parallel) =>
                GemmPacked(g.C, ohw, g.K, T.One, wt, new DenseSource<T>(dy, n * yImage, 1, ohw), T.Zero, dx, n * xImage, ohw, parallel));
        }
        else if (g.StrideH == 1 && g.StrideW == 1 && g.PadH < g.R && g.PadW < g.S)
        {
            // dx = conv(dy, W') with W'[c, k, r, s] = W[k, c, R−1−r, S−1−s] and padding R−1−p: a full correlation.
            int rs = g.R * g.S;
            T[] flipped = ArrayPool<T>.Shared.Rent(g.K * g.C * rs);
            try
            {
                for (int k = 0; k < g.K; k++)
                    for (int c = 0; c < g.C; c++)
                        for (int i = 0; i < rs; i++)
                            flipped[(c * g.K + k) * rs + rs - 1 - i] = w[(k * g.C + c) * rs + i];
                var gt = new Conv2dGeometry(g.N, g.K, g.OutH, g.OutW, g.C, g.R, g.S, 1, 1, g.R - 1 - g.PadH, g.S - 1 - g.PadW);
                ConvForward(dy, flipped, null, dx, gt);
            }
            finally
            {
                ArrayPool<T>.Shared.Return(flipped);
            }
        }
        else
        {
            ConvBackwardDataCol2Im(dy, w, dx, g);
        }
    }

    // Any stride: col = Wᵀ · dy_n over blocks of output pixels, each scattered back into dx_n (col2im).
    private static void ConvBackwardDataCol2Im<T>(T[] dy, T[] w, T[] dx, Conv2dGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int crs = g.C * g.R * g.S, ohw = g.OutH * g.OutW;
        long xImage = (long)g.C * g.H * g.W, yImage = (long)g.K * ohw;
        int block = (int)Math.Clamp(ColumnBlockElements / crs, 1, ohw);
        var wt = new DenseSource<T>(w, 0, 1, crs);
        ShareOut(g.N, (long)crs * ohw * g.K, (n, parallel) =>
        {
            T[] col = ArrayPool<T>.Shared.Rent(crs * block);
            try
            {
                Array.Clear(dx, (int)(n * xImage), (int)xImage);
                for (int q0 = 0; q0 < ohw; q0 += block)
                {
                    int len = Math.Min(block, ohw - q0);
                    GemmPacked(crs, len, g.K, T.One, wt, new DenseSource<T>(dy, n * yImage + q0, 1, ohw), T.Zero, col, 0, len, parallel);
                    Col2Im(col, len, q0, dx, n * xImage, g, parallel);
                }
            }
            finally
            {
                ArrayPool<T>.Shared.Return(col);
            }
        });
    }

    // dx_n[c, ih, iw] += col[(c, r, s), q] for the output pixels [q0, q0 + len); parallel over channels (disjoint writes).
    private static void Col2Im<T>(T[] col, int len, int q0, T[] dx, long xOff, Conv2dGeometry g, bool parallel) where T : unmanaged, IFloatingPointIeee754<T>
    {
        void Channel(int c)
        {
            for (int r = 0; r < g.R; r++)
                for (int s = 0; s < g.S; s++)
                {
                    long row = ((long)(c * g.R + r) * g.S + s) * len;
                    for (int q = 0; q < len; q++)
                    {
                        int pix = q0 + q, ih = pix / g.OutW * g.StrideH - g.PadH + r, iw = pix % g.OutW * g.StrideW - g.PadW + s;
                        if ((uint)ih < (uint)g.H && (uint)iw < (uint)g.W) dx[xOff + ((long)c * g.H + ih) * g.W + iw] += col[row + q];
                    }
                }
        }
        if (parallel) Parallel.For(0, g.C, Channel);
        else for (int c = 0; c < g.C; c++) Channel(c);
    }

    // dW (K × C·R·S) = Σ_n dy_n · col(x_n)ᵀ: one product whose inner dimension runs over (image, pixel). Images
    // are split into one contiguous share per thread, each summed into its own buffer, then the buffers are added.
    private static void ConvBackwardWeight<T>(T[] x, T[] dy, T[] dw, Conv2dGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckConv(g, x.Length, dw.Length, dy.Length);
        int crs = g.C * g.R * g.S, ohw = g.OutH * g.OutW, weights = g.K * crs;
        int shares = (int)Math.Min(Environment.ProcessorCount, g.N);
        if (shares <= 1 || (long)g.K * crs * ohw < SmallProductMacs)
        {
            WeightGradient(x, dy, g, 0, g.N, dw, parallel: true);
            return;
        }
        T[] partials = ArrayPool<T>.Shared.Rent((shares - 1) * weights);
        try
        {
            Parallel.For(0, shares, i =>
            {
                int n0 = (int)((long)g.N * i / shares), n1 = (int)((long)g.N * (i + 1) / shares);
                if (i == 0) WeightGradient(x, dy, g, n0, n1, dw, parallel: false);
                else WeightGradient(x, dy, g, n0, n1, new ArraySegment<T>(partials, (i - 1) * weights, weights), parallel: false);
            });
            for (int i = 1; i < shares; i++)
                System.Numerics.Tensors.TensorPrimitives.Add(dw.AsSpan(0, weights), partials.AsSpan((i - 1) * weights, weights), dw.AsSpan(0, weights));
        }
        finally
        {
            ArrayPool<T>.Shared.Return(partials);
        }
    }

    // dW over images [n0, n1) into a K × C·R·S buffer (overwritten).
    private static void WeightGradient<T>(T[] x, T[] dy, Conv2dGeometry g, int n0, int n1, ArraySegment<T> dw, bool parallel)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int crs = g.C * g.R * g.S, ohw = g.OutH * g.OutW;
        long xImage = (long)g.C * g.H * g.W, yImage = (long)g.K * ohw;
        int depth = checked((n1 - n0) * ohw);
        var grads = new SegmentedRowsSource<T>(dy, n0 * yImage, ohw, ohw, yImage);
        if (IsPointwise(g))
            GemmPacked(g.K, g.C, depth, T.One, grads, new SegmentedRowsSource<T>(x, n0 * xImage, ohw, ohw, xImage), T.Zero, dw.Array!, dw.Offset, crs, parallel);
        else if (g.StrideH == 1 && g.StrideW == 1)
            WeightGradientPadded(x, grads, g, n0, n1, dw, parallel);
        else
            GemmPacked(g.K, crs, depth, T.One, grads, new Im2ColDepthSource<T>(x, n0 * xImage, g), T.Zero, dw.Array!, dw.Offset, crs, parallel);
    }
}
