namespace RawGan.Engine.Nn;

/// <summary>y = x·Wᵀ + b, W (out, in), optionally spectrally normalised.</summary>
public sealed class Linear : Module
{
    private readonly SpectralNormState? _sn;

    /// <summary>Creates the layer with zero weights (initialise with <see cref="Init"/>).</summary>
    public Linear(int inFeatures, int outFeatures, bool bias = true, SpectralNormOptions? sn = null,
                  DType dtype = DType.Float32, Device? device = null, ulong seed = 0)
    {
        Weight = Parameter("weight", Tensor.Zeros([outFeatures, inFeatures], dtype, device));
        Bias = bias ? Parameter("bias", Tensor.Zeros([outFeatures], dtype, device)) : null;
        if (sn is not null) _sn = RegisterSpectralNorm(this, Weight, sn, seed);
    }

    /// <summary>The raw weight (out, in).</summary>
    public Tensor Weight { get; }

    /// <summary>The bias (out) or null.</summary>
    public Tensor? Bias { get; }

    /// <summary>The weight the forward uses (W/σ under spectral norm).</summary>
    public Tensor EffectiveWeight() => _sn?.Normalize(Weight, Training) ?? Weight;

    /// <summary>Applies the layer to x (N, in).</summary>
    public Tensor Forward(Tensor x) => Ops.Linear(x, EffectiveWeight(), Bias);

    internal static SpectralNormState RegisterSpectralNorm(Module m, Tensor weight, SpectralNormOptions sn, ulong seed)
    {
        var state = new SpectralNormState(weight, sn, seed);
        m.RegisterSpectralNormBuffers(state);
        return state;
    }
}

/// <summary>2-D convolution with square kernels, optionally spectrally normalised.</summary>
public sealed class Conv2d : Module
{
    private readonly SpectralNormState? _sn;
    private readonly int _stride, _padding;

    /// <summary>Creates the layer with zero weights (initialise with <see cref="Init"/>).</summary>
    public Conv2d(int inChannels, int outChannels, int kernel, int padding = 0, int stride = 1, bool bias = true,
                  SpectralNormOptions? sn = null, DType dtype = DType.Float32, Device? device = null, ulong seed = 0)
    {
        Weight = Parameter("weight", Tensor.Zeros([outChannels, inChannels, kernel, kernel], dtype, device));
        Bias = bias ? Parameter("bias", Tensor.Zeros([outChannels], dtype, device)) : null;
        _stride = stride;
        _padding = padding;
        if (sn is not null) _sn = Linear.RegisterSpectralNorm(this, Weight, sn, seed);
    }

    /// <summary>The raw weight (out, in, k, k).</summary>
    public Tensor Weight { get; }

    /// <summary>The bias (out) or null.</summary>
    public Tensor? Bias { get; }

    /// <summary>The weight the forward uses (W/σ under spectral norm).</summary>
    public Tensor EffectiveWeight() => _sn?.Normalize(Weight, Training) ?? Weight;

    /// <summary>Applies the convolution to x (N, C, H, W).</summary>
    public Tensor Forward(Tensor x) => Ops.Conv2d(x, EffectiveWeight(), Bias, _stride, _padding);
}

/// <summary>A lookup table of row vectors, optionally spectrally normalised (the projection discriminator's).</summary>
public sealed class Embedding : Module
{
    private readonly SpectralNormState? _sn;

    /// <summary>Creates the table with zero weights (initialise with <see cref="Init"/>).</summary>
    public Embedding(int count, int dim, SpectralNormOptions? sn = null, DType dtype = DType.Float32, Device? device = null, ulong seed = 0)
    {
        Weight = Parameter("weight", Tensor.Zeros([count, dim], dtype, device));
        if (sn is not null) _sn = Linear.RegisterSpectralNorm(this, Weight, sn, seed);
    }

    /// <summary>The table (count, dim).</summary>
    public Tensor Weight { get; }

    /// <summary>Rows for Int32 indices.</summary>
    public Tensor Forward(Tensor indices) => Ops.Embedding(_sn?.Normalize(Weight, Training) ?? Weight, indices);
}

/// <summary>Batch normalisation over (N, C, ...) with running statistics and an optional affine.</summary>
public sealed class BatchNorm : Module, ICrossReplicaNorm
{
    private readonly double _eps, _momentum;

    /// <summary>Creates the layer: running mean 0, running variance 1, gamma 1, beta 0.</summary>
    public BatchNorm(int channels, bool affine = true, double eps = 1e-5, double momentum = 0.1, DType dtype = DType.Float32, Device? device = null)
    {
        _eps = eps;
        _momentum = momentum;
        if (affine)
        {
            Gamma = Parameter("weight", Tensor.Ones([channels], dtype, device));
            Beta = Parameter("bias", Tensor.Zeros([channels], dtype, device));
        }
        RunningMean = Buffer("running_mean", Tensor.Zeros([channels], dtype, device));
        RunningVar = Buffer("running_var", Tensor.Ones([channels], dtype, device));
    }

    /// <summary>Scale (C) or null.</summary>
    public Tensor? Gamma { get; }

    /// <summary>Shift (C) or null.</summary>
    public Tensor? Beta { get; }

    /// <summary>Running mean (C).</summary>
    public Tensor RunningMean { get; }

    /// <summary>Running variance (C).</summary>
    public Tensor RunningVar { get; }

    /// <inheritdoc/>
    public Distributed.ICommunicator? CrossReplica { get; set; }

    /// <summary>Normalises x: batch statistics in training, running statistics in eval.</summary>
    public Tensor Forward(Tensor x) => Ops.BatchNorm(x, RunningMean, RunningVar, Gamma, Beta, Training, _momentum, _eps, CrossReplica);
}
