using RawGan.Engine;
using RawGan.Engine.Nn;

namespace RawGan.Model.BigGan;

/// <summary>
/// Class-conditional batch norm (the reference's ccbn): normalise with batch statistics in training (running
/// statistics "stored_mean"/"stored_var", momentum 0.1) without an affine of its own, then
/// <c>out·(1 + gain(c)) + bias(c)</c>. With the shared embedding, gain and bias are spectrally normalised linear
/// maps without bias of the conditioning vector c; without it they are per-class embedding tables indexed by the
/// labels (not spectrally normalised, as in the reference).
/// </summary>
public sealed class ConditionalBatchNorm : Module
{
    private readonly double _eps;
    private readonly Linear? _gainLinear, _biasLinear;
    private readonly Embedding? _gainTable, _biasTable;

    /// <summary>Creates the layer for <paramref name="channels"/> channels; layer seeds come from <paramref name="seeds"/>.</summary>
    public ConditionalBatchNorm(int channels, BigGanConfig config, SeedSequence seeds, Device? device = null)
    {
        var layers = new LayerFactory(config, seeds, device);
        _eps = config.BnEps;
        if (config.SharedEmbedding)
        {
            _gainLinear = Child("gain", layers.SnLinear(config.ConditioningDim, channels, bias: false));
            _biasLinear = Child("bias", layers.SnLinear(config.ConditioningDim, channels, bias: false));
        }
        else
        {
            _gainTable = Child("gain", layers.Embedding(config.NumClasses, channels, spectralNorm: false));
            _biasTable = Child("bias", layers.Embedding(config.NumClasses, channels, spectralNorm: false));
        }
        StoredMean = Buffer("stored_mean", Tensor.Zeros([channels], layers.DType, layers.Device));
        StoredVar = Buffer("stored_var", Tensor.Ones([channels], layers.DType, layers.Device));
    }

    /// <summary>Running mean (C).</summary>
    public Tensor StoredMean { get; }

    /// <summary>Running variance (C).</summary>
    public Tensor StoredVar { get; }

    /// <summary>
    /// Normalises x (N, C, H, W) and applies the conditional gain and bias: <paramref name="condition"/> is the
    /// conditioning vector (N, ConditioningDim) with the shared embedding, the Int32 labels (N) without.
    /// </summary>
    public Tensor Forward(Tensor x, Tensor condition)
    {
        int n = x.Shape[0], ch = x.Shape[1];
        var normalized = Ops.BatchNorm(x, StoredMean, StoredVar, null, null, Training, 0.1, _eps);
        var (gain, bias) = GainAndBias(condition);
        var scale = Ops.AddScalar(Ops.Reshape(gain, n, ch, 1, 1), 1.0);
        return Ops.Add(Ops.Mul(normalized, scale), Ops.Reshape(bias, n, ch, 1, 1));
    }

    /// <summary>
    /// <c>relu(Forward(x, condition))</c> as one fused op (<see cref="Ops.ConditionalBatchNormRelu"/>): the same
    /// values, gradients and running-statistics update, without the intermediate tensors.
    /// </summary>
    public Tensor ForwardRelu(Tensor x, Tensor condition)
    {
        var (gain, bias) = GainAndBias(condition);
        return Ops.ConditionalBatchNormRelu(x, StoredMean, StoredVar, gain, bias, Training, 0.1, _eps);
    }

    // The per-sample gain and bias (N, C) for the condition.
    private (Tensor Gain, Tensor Bias) GainAndBias(Tensor condition) =>
        _gainLinear is not null
            ? (_gainLinear.Forward(condition), _biasLinear!.Forward(condition))
            : (_gainTable!.Forward(condition), _biasTable!.Forward(condition));
}

/// <summary>
/// The plain batch norm before G's output convolution (the reference's layers.bn): learnable per-channel
/// "gain" (1) and "bias" (0), running statistics "stored_mean"/"stored_var", momentum 0.1.
/// </summary>
public sealed class OutputBatchNorm : Module
{
    /// <summary>
    /// The epsilon G's output layer uses whatever BN_eps says: the reference builds it as layers.bn(channels)
    /// without passing BN_eps on, so it keeps that class's default.
    /// </summary>
    public const double ReferenceEps = 1e-5;

    /// <summary>Creates the layer: gain 1, bias 0, running mean 0, running variance 1.</summary>
    public OutputBatchNorm(int channels, double eps, DType dtype, Device? device = null)
    {
        Eps = eps;
        Gain = Parameter("gain", Tensor.Ones([channels], dtype, device));
        Bias = Parameter("bias", Tensor.Zeros([channels], dtype, device));
        StoredMean = Buffer("stored_mean", Tensor.Zeros([channels], dtype, device));
        StoredVar = Buffer("stored_var", Tensor.Ones([channels], dtype, device));
    }

    /// <summary>Scale (C).</summary>
    public Tensor Gain { get; }

    /// <summary>Shift (C).</summary>
    public Tensor Bias { get; }

    /// <summary>Running mean (C).</summary>
    public Tensor StoredMean { get; }

    /// <summary>Running variance (C).</summary>
    public Tensor StoredVar { get; }

    /// <summary>The epsilon added to the variance.</summary>
    public double Eps { get; }

    /// <summary>Batch statistics in training, running statistics in eval.</summary>
    public Tensor Forward(Tensor x) => Ops.BatchNorm(x, StoredMean, StoredVar, Gain, Bias, Training, 0.1, Eps);
}
