using RawGan.Engine;
using RawGan.Engine.Distributed;
using RawGan.Engine.Nn;

namespace RawGan.Model.BigGan;

/// <summary>
/// A batch norm of G whose running statistics can be re-estimated (<see cref="StandingStatistics"/>): in training
/// each batch moves them by <see cref="Momentum"/>, or, with a null momentum (PyTorch's momentum=None), into a
/// cumulative average in which the k-th batch since <see cref="ResetStatistics"/> weighs 1/k.
/// </summary>
public interface IRunningStatistics
{
    /// <summary>Running mean (C).</summary>
    Tensor StoredMean { get; }

    /// <summary>Running variance (C), unbiased as PyTorch keeps it.</summary>
    Tensor StoredVar { get; }

    /// <summary>The update's momentum (0.1, the reference's); null for the cumulative average.</summary>
    double? Momentum { get; set; }

    /// <summary>Running mean 0, running variance 1, and the cumulative average's batch count 0.</summary>
    void ResetStatistics();
}

/// <summary>The momentum a batch norm's next training forward updates its running statistics with.</summary>
internal sealed class StatisticsMomentum
{
    private long _batches;

    /// <summary>The fixed momentum, or null for the cumulative average.</summary>
    public double? Value { get; set; } = 0.1;

    /// <summary>Forgets the batches averaged so far.</summary>
    public void Reset() => _batches = 0;

    /// <summary>The momentum of this forward: the fixed one, or 1/k for the k-th training batch of a cumulative average.</summary>
    public double Next(bool training)
    {
        if (Value is { } fixedMomentum) return fixedMomentum;
        if (training) _batches++;
        return 1.0 / Math.Max(1, _batches);
    }

    /// <summary>Zeroes the mean, sets the variance to 1 and forgets the averaged batches.</summary>
    public void Reset(Tensor mean, Tensor variance)
    {
        mean.Backend.Fill(mean.Storage, 0);
        variance.Backend.Fill(variance.Storage, 1);
        Reset();
    }
}

/// <summary>
/// Class-conditional batch norm (the reference's ccbn): normalise with batch statistics in training (running
/// statistics "stored_mean"/"stored_var", momentum 0.1) without an affine of its own, then
/// <c>out·(1 + gain(c)) + bias(c)</c>. With the shared embedding, gain and bias are spectrally normalised linear
/// maps without bias of the conditioning vector c; without it they are per-class embedding tables indexed by the
/// labels (not spectrally normalised, as in the reference).
/// </summary>
public sealed class ConditionalBatchNorm : Module, ICrossReplicaNorm, IRunningStatistics
{
    private readonly double _eps;
    private readonly StatisticsMomentum _momentum = new();
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

    /// <inheritdoc/>
    public ICommunicator? CrossReplica { get; set; }

    /// <inheritdoc/>
    public double? Momentum { get => _momentum.Value; set => _momentum.Value = value; }

    /// <inheritdoc/>
    public void ResetStatistics() => _momentum.Reset(StoredMean, StoredVar);

    /// <summary>
    /// Normalises x (N, C, H, W) and applies the conditional gain and bias: <paramref name="condition"/> is the
    /// conditioning vector (N, ConditioningDim) with the shared embedding, the Int32 labels (N) without.
    /// </summary>
    public Tensor Forward(Tensor x, Tensor condition)
    {
        int n = x.Shape[0], ch = x.Shape[1];
        var normalized = Ops.BatchNorm(x, StoredMean, StoredVar, null, null, Training, _momentum.Next(Training), _eps, CrossReplica);
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
        return Ops.ConditionalBatchNormRelu(x, StoredMean, StoredVar, gain, bias, Training, _momentum.Next(Training), _eps, CrossReplica);
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
public sealed class OutputBatchNorm : Module, ICrossReplicaNorm, IRunningStatistics
{
    /// <summary>
    /// The epsilon G's output layer uses whatever BN_eps says: the reference builds it as layers.bn(channels)
    /// without passing BN_eps on, so it keeps that class's default.
    /// </summary>
    public const double ReferenceEps = 1e-5;

    private readonly StatisticsMomentum _momentum = new();

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

    /// <inheritdoc/>
    public ICommunicator? CrossReplica { get; set; }

    /// <summary>The epsilon added to the variance.</summary>
    public double Eps { get; }

    /// <inheritdoc/>
    public double? Momentum { get => _momentum.Value; set => _momentum.Value = value; }

    /// <inheritdoc/>
    public void ResetStatistics() => _momentum.Reset(StoredMean, StoredVar);

    /// <summary>Batch statistics in training, running statistics in eval.</summary>
    public Tensor Forward(Tensor x) => Ops.BatchNorm(x, StoredMean, StoredVar, Gain, Bias, Training, _momentum.Next(Training), Eps, CrossReplica);
}
