namespace RawGan.Model.Training;

/// <summary>
/// Hyper-parameters of GAN training (BIGGAN.md "Training"). Defaults follow the paper where it gives one:
/// Adam β = (0, 0.999), G lr 5e-5, D lr 2e-4, 2 D steps per G step, orthogonal regularisation 1e-4, EMA 0.9999.
/// </summary>
public sealed record TrainingOptions
{
    /// <summary>Generator updates to run.</summary>
    public long Steps { get; init; } = 10_000;

    /// <summary>Images per micro-batch (real and fake each).</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Generator learning rate.</summary>
    public double GLearningRate { get; init; } = 5e-5;

    /// <summary>Discriminator learning rate.</summary>
    public double DLearningRate { get; init; } = 2e-4;

    /// <summary>Adam β1.</summary>
    public double Beta1 { get; init; }

    /// <summary>Adam β2.</summary>
    public double Beta2 { get; init; } = 0.999;

    /// <summary>Adam ε (1e-6 in the reference ImageNet scripts, 1e-8 in PyTorch's default).</summary>
    public double AdamEps { get; init; } = 1e-6;

    /// <summary>Discriminator updates per generator update.</summary>
    public int DStepsPerGStep { get; init; } = 2;

    /// <summary>Micro-batches accumulated per generator update.</summary>
    public int GAccumulations { get; init; } = 1;

    /// <summary>Micro-batches accumulated per discriminator update.</summary>
    public int DAccumulations { get; init; } = 1;

    /// <summary>EMA decay of G's weights and buffers.</summary>
    public double EmaDecay { get; init; } = 0.9999;

    /// <summary>Generator step from which the EMA averages (before it, G_ema copies G).</summary>
    public long EmaStart { get; init; } = 1000;

    /// <summary>Orthogonal-regularisation strength β for G (0 turns it off).</summary>
    public double GOrtho { get; init; } = 1e-4;

    /// <summary>Orthogonal-regularisation strength β for D (0 turns it off; the reference uses 0).</summary>
    public double DOrtho { get; init; }

    /// <summary>
    /// How the step computes (<see cref="Engine.Precision"/>, an <see cref="Engine.Autocast"/> scope around each forward
    /// and backward). Parameters, optimiser state and checkpoints are Float32 in every mode, so it may change on resume.
    /// </summary>
    public Engine.Precision Precision { get; init; } = Engine.Precision.Fp32;

    /// <summary>Seed of the latents and fake labels (Philox stream).</summary>
    public ulong Seed { get; init; } = 0;

    /// <summary>Checks ranges with actionable messages.</summary>
    public void Validate()
    {
        static void Positive(string name, double v)
        {
            if (!(v > 0)) throw new ArgumentOutOfRangeException(name, v, $"{name} must be positive.");
        }
        Positive(nameof(Steps), Steps);
        Positive(nameof(BatchSize), BatchSize);
        Positive(nameof(GLearningRate), GLearningRate);
        Positive(nameof(DLearningRate), DLearningRate);
        Positive(nameof(DStepsPerGStep), DStepsPerGStep);
        Positive(nameof(GAccumulations), GAccumulations);
        Positive(nameof(DAccumulations), DAccumulations);
        if (EmaDecay is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(EmaDecay), EmaDecay, "The EMA decay must be in [0, 1].");
        if (Beta1 is < 0 or >= 1 || Beta2 is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(Beta1), "Adam betas must be in [0, 1).");
        if (GOrtho < 0 || DOrtho < 0) throw new ArgumentOutOfRangeException(nameof(GOrtho), "Orthogonal-regularisation strengths must be ≥ 0.");
    }
}
