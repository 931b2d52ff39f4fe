namespace RawGan.Model.Analysis;

/// <summary>
/// One row of sv.csv: at <see cref="Step"/>, the top singular values of weight <see cref="Layer"/> (its dotted
/// parameter name, e.g. "blocks.0.conv1.weight") of network "G" or "D", the layer's own spectral-norm estimate
/// (its sv0 buffer; NaN when the layer has no spectral norm or has not run a training forward yet), and the residual that certifies the values.
/// </summary>
public sealed record WeightSpectrum(long Step, string Network, string Layer, double Sigma0, double Sigma1, double Sigma2, double SnEstimate, double Residual)
{
    /// <summary>σ0 of the weight the layer actually uses, W / sv0 (NaN without spectral norm); ≈ 1 when sv0 is accurate.</summary>
    public double NormalizedSigma0 => Sigma0 / SnEstimate;

    /// <summary>σ1 of W / sv0.</summary>
    public double NormalizedSigma1 => Sigma1 / SnEstimate;

    /// <summary>σ2 of W / sv0.</summary>
    public double NormalizedSigma2 => Sigma2 / SnEstimate;
}
