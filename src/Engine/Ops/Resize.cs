namespace RawGan.Engine;

public static partial class Ops
{
    /// <summary>
    /// Bilinear resize of x (N,C,H,W) to (N,C,outH,outW), as PyTorch's
    /// <c>interpolate(x, size=(outH, outW), mode="bilinear", align_corners=False)</c> (no antialiasing).
    /// Bilinear interpolation is separable, so it is two products with interpolation matrices built on the host,
    /// Y = A_h · X · A_wᵀ per plane: no kernel of its own, differentiable through the matrix products, and the same
    /// on every backend. Same size in and out returns x unchanged.
    /// </summary>
    public static Tensor ResizeBilinear(Tensor x, int outH, int outW)
    {
        CheckRank(nameof(ResizeBilinear), "x", x, 4);
        CheckSame(nameof(ResizeBilinear), x);
        if (outH < 1 || outW < 1) throw new ArgumentOutOfRangeException(nameof(outH), $"ResizeBilinear needs an output size ≥ 1, got {outH}x{outW}.");
        int n = x.Shape[0], c = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
        if (outH == h && outW == w) return x;
        var aw = Tensor.FromArray(BilinearMatrix(w, outW), new Shape(outW, w)).ToDType(x.DType).To(x.Device);
        var ah = Tensor.FromArray(BilinearMatrix(h, outH), new Shape(outH, h)).ToDType(x.DType).To(x.Device);
        // Along W: (N·C·H, W) · A_wᵀ → (N·C·H, W'). Along H: the planes transposed to (N·C·W', H) · A_hᵀ.
        var rows = MatMul(Reshape(x, n * c * h, w), aw, transB: true);
        var cols = Reshape(Transpose(Reshape(rows, n * c, h, outW), 1, 2), n * c * outW, h);
        var resized = MatMul(cols, ah, transB: true);
        return Reshape(Transpose(Reshape(resized, n * c, outW, outH), 1, 2), n, c, outH, outW);
    }

    /// <summary>
    /// The (outSize, inSize) matrix of 1-D linear interpolation with half-pixel centres (align_corners=False):
    /// output i reads source position max((i + ½)·in/out − ½, 0), split between its floor and the next sample
    /// (clamped at the last one), as PyTorch's upsample_bilinear2d.
    /// </summary>
    public static double[] BilinearMatrix(int inSize, int outSize)
    {
        var a = new double[(long)outSize * inSize];
        double scale = (double)inSize / outSize;
        for (int i = 0; i < outSize; i++)
        {
            double src = Math.Max((i + 0.5) * scale - 0.5, 0);
            int i0 = Math.Min((int)src, inSize - 1), i1 = Math.Min(i0 + 1, inSize - 1);
            double lambda = Math.Clamp(src - i0, 0, 1);
            a[(long)i * inSize + i0] += 1 - lambda;
            a[(long)i * inSize + i1] += lambda;
        }
        return a;
    }
}
