namespace RawGan.Engine.Nn;

/// <summary>Spectral-norm settings of a layer (BIGGAN.md "Spectral norm").</summary>
/// <param name="Eps">normalize() epsilon: a / max(|a|, eps); 1e-6 in the reference ImageNet scripts.</param>
/// <param name="Iterations">Power iterations per forward in training.</param>
public sealed record SpectralNormOptions(double Eps = 1e-6, int Iterations = 1);

/// <summary>
/// The spectral normalisation of one weight, owned by its layer: the persistent vector u (buffer "u0", random
/// normal at start, as BigGAN-PyTorch names it) and the last σ (buffer "sv0", for logging). In training each
/// forward runs the power iteration and updates u; in eval u stays.
/// </summary>
internal sealed class SpectralNormState
{
    private readonly SpectralNormOptions _options;

    public SpectralNormState(Tensor weight, SpectralNormOptions options, ulong seed)
    {
        _options = options;
        U = Tensor.RandomNormal([weight.Shape[0]], seed, 0, dtype: weight.DType, device: weight.Device);
        Sigma = Tensor.Zeros([], weight.DType, weight.Device);
    }

    public Tensor U { get; }

    public Tensor Sigma { get; }

    /// <summary>W / σ(W), recording σ for logging in training.</summary>
    public Tensor Normalize(Tensor weight, bool training) =>
        Ops.SpectralNormalize(weight, U, training, _options.Eps, _options.Iterations, training ? Sigma : null);
}
