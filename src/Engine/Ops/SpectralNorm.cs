using RawGan.Engine.Autograd;

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
        CheckSame(nameof(SpectralNormSigma), w, u);
        CheckNotBFloat16(nameof(SpectralNormSigma), w);
        if (w.Rank < 2) throw new ArgumentException($"Spectral norm needs a weight of rank ≥ 2, got {w.Shape}.", nameof(w));
        if (iterations < 1) throw new ArgumentOutOfRangeException(nameof(iterations), iterations, "At least one power iteration is needed.");
        int rows = w.Shape[0], cols = (int)(w.Numel / rows);
        if (u.Numel != rows) throw new ArgumentException($"Spectral norm: u has {u.Numel} elements, W {w.Shape} has {rows} rows.", nameof(u));

        var uOut = updateU ? u : u.Clone();
        var v = Empty(w, new Shape(cols));
        var sigma = Empty(w, new Shape());
        for (int i = 0; i < iterations; i++)
        {
            w.Backend.SpectralNormPowerIteration(w.Storage, rows, cols, i == 0 ? u.Storage : uOut.Storage, uOut.Storage, v.Storage, sigma.Storage, eps);
        }
        var uFixed = updateU ? uOut.Clone() : uOut; // later updates of the buffer must not change this step's gradient
        return Tape.Record(nameof(SpectralNormSigma), sigma, [w], dsigma =>
        {
            // dW = dσ · u' vᵀ, an outer product.
            var outer = MatMul(Reshape(uFixed, new Shape(rows, 1)), Reshape(v, new Shape(1, cols)));
            return [Reshape(Mul(outer, dsigma), w.Shape)];
        });
    }

    /// <summary>W / σ(W): the spectrally normalised weight (see <see cref="SpectralNormSigma"/>).</summary>
    public static Tensor SpectralNormalize(Tensor w, Tensor u, bool updateU, double eps = 1e-12, int iterations = 1) =>
        Div(w, SpectralNormSigma(w, u, updateU, eps, iterations));
}
