using RawGan.Engine.Autograd;
using RawGan.Engine.Profiling;

namespace RawGan.Engine;

public static partial class Ops
{
    /// <summary>
    /// The largest singular value σ of W viewed as (out, rest), estimated by power iteration from the persistent
    /// vector <paramref name="u"/> (out): v = normalize(Wᵀu), u' = normalize(W v), σ = u'ᵀ W v. With
    /// <paramref name="updateU"/> (training) u' is stored back into u. σ is differentiable through W with u' and v
    /// held constant: dσ/dW = u' vᵀ (BIGGAN.md, as BigGAN-PyTorch and torch.nn.utils.spectral_norm).
    /// </summary>
    public static Tensor SpectralNormSigma(Tensor w, Tensor u, bool updateU, double eps = 1e-12, int iterations = 1)
    {
        var (sigma, uFixed, v) = PowerIteration(w, u, updateU, eps, iterations);
        int rows = w.Shape[0], cols = (int)(w.Numel / rows);
        return Tape.Record(nameof(SpectralNormSigma), sigma, [w], dsigma =>
        {
            // dW = dσ · u' vᵀ, an outer product.
            var outer = MatMul(Reshape(uFixed, new Shape(rows, 1)), Reshape(v, new Shape(1, cols)));
            return [Reshape(Mul(outer, dsigma), w.Shape)];
        });
    }

    /// <summary>
    /// W / σ(W): the spectrally normalised weight, with σ estimated as <see cref="SpectralNormSigma"/> does, as one op.
    /// With Ŵ = W/σ and u', v held constant its backward is dW = (dŴ − ⟨dŴ, Ŵ⟩·u' vᵀ)/σ, which needs one weight-sized
    /// tensor (the composition W ÷ σ(W) made seven: each operand's gradient, the quotient rule's terms, their sum).
    /// <paramref name="sigmaOut"/>, when given, receives σ (a one-element buffer: the layer logs it).
    /// </summary>
    public static Tensor SpectralNormalize(Tensor w, Tensor u, bool updateU, double eps = 1e-12, int iterations = 1, Tensor? sigmaOut = null)
    {
        var (sigma, uFixed, v) = PowerIteration(w, u, updateU, eps, iterations);
        int rows = w.Shape[0], cols = (int)(w.Numel / rows);
        var normalized = Empty(w, w.Shape);
        using (Profiler.Scope(nameof(SpectralNormalize), cost: OpCost.Memory(w.DType, w.Numel, w.Numel), shape: w.Shape))
        {
            if (sigmaOut is not null) w.Backend.Axpby(1, sigma.Storage, 0, sigmaOut.Storage, 1);
            w.Backend.Binary(BinaryOp.Div, w.Storage, w.Shape.ContiguousStrides(), sigma.Storage, new long[w.Rank], normalized.Storage, w.Shape.AsSpan());
        }
        return Tape.Record(nameof(SpectralNormalize), normalized, [w], dy =>
        {
            var dw = Div(dy, sigma);
            // ⟨dŴ, Ŵ⟩ as a 1×1 product (no weight-sized temporary), then dW += u'·(−⟨dŴ, Ŵ⟩/σ · v)ᵀ by a rank-one GEMM.
            var dot = MatMul(Reshape(dy, 1, -1), Reshape(normalized, -1, 1));
            var scaledV = Mul(Reshape(v, 1, cols), Neg(Div(dot, Reshape(sigma, 1, 1))));
            w.Backend.Gemm(false, false, rows, cols, 1, 1.0, uFixed.Storage, 0, 1, 0, scaledV.Storage, 0, cols, 0,
                           1.0, dw.Storage, 0, cols, 0, 1, MathMode.Exact);
            return [dw];
        });
    }

    // σ by power iteration, and the u' and v its gradient holds constant (u' a copy when u itself is updated:
    // later updates of the buffer must not change this step's gradient).
    private static (Tensor Sigma, Tensor UFixed, Tensor V) PowerIteration(Tensor w, Tensor u, bool updateU, double eps, int iterations)
    {
        CheckSame(nameof(SpectralNormSigma), w, u);
        CheckNotBFloat16(nameof(SpectralNormSigma), w);
        if (w.Rank < 2) throw new ArgumentException($"Spectral norm needs a weight of rank ≥ 2, got {w.Shape}.", nameof(w));
        if (iterations < 1) throw new ArgumentOutOfRangeException(nameof(iterations), iterations, "At least one power iteration is needed.");
        int rows = w.Shape[0], cols = (int)(w.Numel / rows);
        if (u.Numel != rows) throw new ArgumentException($"Spectral norm: u has {u.Numel} elements, W {w.Shape} has {rows} rows.", nameof(u));

        // Each iteration reads W twice (Wᵀu, then W v): 2·rows·cols multiply-adds.
        using var _ = Profiler.Scope(nameof(SpectralNormSigma), cost: new OpCost(4L * rows * cols * iterations, 2L * w.Numel * w.DType.SizeInBytes() * iterations), shape: w.Shape);
        var uOut = updateU ? u : u.Clone();
        var v = Empty(w, new Shape(cols));
        var sigma = Empty(w, new Shape());
        for (int i = 0; i < iterations; i++)
        {
            w.Backend.SpectralNormPowerIteration(w.Storage, rows, cols, i == 0 ? u.Storage : uOut.Storage, uOut.Storage, v.Storage, sigma.Storage, eps);
        }
        return (sigma, updateU ? uOut.Clone() : uOut, v);
    }
}
