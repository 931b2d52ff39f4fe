namespace RawGan.Engine.Backends.Cpu;

// The reference for reduced-precision products: BFloat16 operands, and Float32 operands under MathMode.Tf32, are
// widened (or rounded to TF32) into float32 copies, multiplied by the exact float32 kernels, and the result is
// rounded once to the output's dtype. Tensor cores do the same up to the order of their float32 additions, so the
// CUDA parity tests of these paths compare against this with a tolerance for that order alone (plus TF32's ties).
// A reference, not a fast path: the copies cost O(operands) beside the product's O(m·n·k).
internal sealed partial class CpuBackend
{
    internal enum ConvPass { Forward, BackwardData, BackwardWeight }

    /// <summary>True when a product with this first operand runs through the reduced-precision reference.</summary>
    private static bool IsReducedPrecision(Storage operand, MathMode math) =>
        operand.DType == DType.BFloat16 || (operand.DType == DType.Float32 && math == MathMode.Tf32);

    private void ReducedPrecisionGemm(bool transA, bool transB, int m, int n, int k, double alpha,
                                      Storage a, long aOffset, int lda, long strideA,
                                      Storage b, long bOffset, int ldb, long strideB,
                                      double beta, Storage c, long cOffset, int ldc, long strideC, int batch, MathMode math)
    {
        var fa = WidenedOperand(a, math);
        var fb = ReferenceEquals(a, b) ? fa : WidenedOperand(b, math);
        var fc = c.DType == DType.Float32 ? Data<float>(c) : WidenedOperand(c, MathMode.Exact); // beta reads C
        Gemm(transA, transB, m, n, k, (float)alpha, fa, aOffset, lda, strideA, fb, bOffset, ldb, strideB, (float)beta, fc, cOffset, ldc, strideC, batch);
        if (c.DType == DType.BFloat16) Narrow(fc, Data<BFloat16>(c));
    }

    private void ReducedPrecisionConv(ConvPass pass, Storage first, Storage second, Storage output, in Conv2dGeometry g, MathMode math)
    {
        var f1 = WidenedOperand(first, math);
        var f2 = WidenedOperand(second, math);
        var fo = output.DType == DType.Float32 ? Data<float>(output) : new float[output.Length];
        switch (pass)
        {
            case ConvPass.Forward: ConvForward(f1, f2, null, fo, g); break;
            case ConvPass.BackwardData: ConvBackwardData(f1, f2, fo, g); break;
            default: ConvBackwardWeight(f1, f2, fo, g); break;
        }
        if (output.DType == DType.BFloat16) Narrow(fo, Data<BFloat16>(output));
    }

    /// <summary>A float32 copy of a BFloat16 storage, or a TF32-rounded copy of a Float32 one.</summary>
    private static float[] WidenedOperand(Storage s, MathMode math)
    {
        if (s.DType == DType.BFloat16)
        {
            var wide = new float[s.Length];
            Widen(Data<BFloat16>(s), wide);
            return wide;
        }
        var f = Data<float>(s); // Float32 operands come here only under TF32
        var rounded = new float[f.Length];
        ParallelRanges(f.Length, 1 << 16, (s0, s1) => { for (long i = s0; i < s1; i++) rounded[i] = Tf32.Round(f[i]); });
        return rounded;
    }

    /// <summary>dst = the exact float32 values of src.</summary>
    private static void Widen(BFloat16[] src, float[] dst) =>
        ParallelRanges(src.Length, 1 << 16, (s0, s1) => { for (long i = s0; i < s1; i++) dst[i] = src[i]; });

    /// <summary>dst = src rounded to bfloat16 (nearest, ties to even).</summary>
    private static void Narrow(float[] src, BFloat16[] dst) =>
        ParallelRanges(dst.Length, 1 << 16, (s0, s1) => { for (long i = s0; i < s1; i++) dst[i] = (BFloat16)src[i]; });
}
