using RawGan.Engine;
using RawGan.Engine.Autograd;
using RawGan.Engine.Nn;
using RawGan.Engine.Optim;
using RawGan.Engine.Rng;
using RawGan.Model.Data;

namespace RawGan.Model.Training;

/// <summary>Losses of one generator update: the last D update's hinge terms and the generator's loss.</summary>
public readonly record struct StepLosses(double DReal, double DFake, double G)
{
    /// <summary>True when every loss is a finite number.</summary>
    public bool AreFinite => double.IsFinite(DReal) && double.IsFinite(DFake) && double.IsFinite(G);
}

/// <summary>A source of real training batches: images (B, C, H, W) and Int32 labels (B) on the training device.</summary>
public interface IRealBatches
{
    /// <summary>The next batch.</summary>
    (Tensor Images, Tensor Labels) Next();
}

/// <summary>
/// BigGAN's training step (BigGAN-PyTorch train_fns.GAN_training_function): D updates on real and fake images in
/// one batch with the hinge loss, then a G update through the frozen D, orthogonal regularisation added to the
/// gradients, Adam, and the EMA of G. Latents are N(0, I) and fake labels uniform, both from one Philox stream
/// whose offset is part of the checkpoint, so a resumed run draws exactly what an uninterrupted one would.
/// </summary>
public sealed class GanTrainer<TG, TD>
    where TG : Module, IConditionalGenerator
    where TD : Module, IConditionalDiscriminator
{
    private readonly TrainingOptions _options;
    private readonly Device _device;
    private readonly Func<string, bool> _excludeFromGOrtho;
    private readonly Ema? _ema;
    private readonly DataParallel? _parallel;
    private readonly DType _dtype;

    /// <summary>
    /// Creates a trainer; <paramref name="excludeFromGOrtho"/> names G parameters exempt from orthogonal regularisation
    /// (the shared embedding). With <paramref name="parallel"/>, this is one rank of data-parallel training: it trains
    /// on its slice of each global batch of <see cref="TrainingOptions.BatchSize"/> and all-reduces the gradients.
    /// </summary>
    public GanTrainer(TG g, TD d, TG? gEma, TrainingOptions options, Device device, Func<string, bool>? excludeFromGOrtho = null,
                      DataParallel? parallel = null)
    {
        options.Validate();
        G = g;
        D = d;
        GEma = gEma;
        _options = options;
        _device = device;
        _excludeFromGOrtho = excludeFromGOrtho ?? (_ => false);
        GOptimizer = new Adam(g.NamedParameters(), options.GLearningRate, options.Beta1, options.Beta2, options.AdamEps);
        DOptimizer = new Adam(d.NamedParameters(), options.DLearningRate, options.Beta1, options.Beta2, options.AdamEps);
        if (gEma is not null)
        {
            // Parameters and buffers, as the reference's ema class averages G's whole state dict.
            _ema = new Ema(g.StateDict().Select(kv => kv.Value).ToList(), gEma.StateDict().Select(kv => kv.Value).ToList());
            _ema.CopyFromSources();
        }
        Random = new PhiloxGenerator(options.Seed);
        _dtype = g.NamedParameters().First().Value.DType;
        _parallel = parallel;
        parallel?.Attach(g, d, g.StateDict().Concat(d.StateDict()).Concat(gEma?.StateDict() ?? []).Concat(GOptimizer.StateTensors()).Concat(DOptimizer.StateTensors())
                                 .Select(kv => kv.Value));
    }

    /// <summary>The generator being trained.</summary>
    public TG G { get; }

    /// <summary>The discriminator being trained.</summary>
    public TD D { get; }

    /// <summary>The exponential moving average of G, or null.</summary>
    public TG? GEma { get; }

    /// <summary>G's optimiser.</summary>
    public Adam GOptimizer { get; }

    /// <summary>D's optimiser.</summary>
    public Adam DOptimizer { get; }

    /// <summary>The stream of latents and fake labels.</summary>
    public PhiloxGenerator Random { get; }

    /// <summary>Generator updates done so far.</summary>
    public long Step { get; set; }

    /// <summary>Runs D steps then one G step; throws <see cref="TrainingDivergedException"/> on a NaN or infinite loss.</summary>
    public StepLosses TrainStep(IRealBatches real)
    {
        G.Train();
        D.Train();
        double dReal = 0, dFake = 0;
        SetRequiresGrad(D, true);
        for (int s = 0; s < _options.DStepsPerGStep; s++)
        {
            DOptimizer.ZeroGrad();
            dReal = dFake = 0;
            for (int a = 0; a < _options.DAccumulations; a++)
            {
                using var scope = new TensorScope();
                var (x, xLabels) = real.Next();
                var (z, y) = SampleLatents(_options.BatchSize);
                Tensor fake;
                using (GradMode.Disable()) fake = G.Generate(z, y);
                // Real and fake go through D in one batch, as the reference does (one set of batch statistics).
                var scores = D.Score(Ops.Cat([fake, x], 0), Ops.Cat([y, xLabels], 0));
                int n = fake.Shape[0];
                var (lossReal, lossFake) = Ops.HingeLossDiscriminator(Ops.Narrow(scores, 0, n, scores.Shape[0] - n), Ops.Narrow(scores, 0, 0, n));
                if (a == _options.DAccumulations - 1) _parallel?.StartGradientReduction(D);
                Ops.MulScalar(Ops.Add(lossReal, lossFake), 1.0 / _options.DAccumulations).Backward();
                dReal += lossReal.Item() / _options.DAccumulations;
                dFake += lossFake.Item() / _options.DAccumulations;
            }
            _parallel?.FinishGradientReduction(D);
            if (_parallel?.Mean(dReal, dFake) is [var meanReal, var meanFake]) (dReal, dFake) = (meanReal, meanFake);
            if (_options.DOrtho > 0) AddOrtho(D, _options.DOrtho, _ => false);
            ThrowIfDiverged(new StepLosses(dReal, dFake, 0));
            DOptimizer.Step();
        }

        // G step: D is frozen (its parameters collect no gradient).
        SetRequiresGrad(D, false);
        GOptimizer.ZeroGrad();
        double gLoss = 0;
        for (int a = 0; a < _options.GAccumulations; a++)
        {
            using var scope = new TensorScope();
            var (z, y) = SampleLatents(_options.BatchSize);
            var loss = Ops.HingeLossGenerator(D.Score(G.Generate(z, y), y));
            if (a == _options.GAccumulations - 1) _parallel?.StartGradientReduction(G);
            Ops.MulScalar(loss, 1.0 / _options.GAccumulations).Backward();
            gLoss += loss.Item() / _options.GAccumulations;
        }
        _parallel?.FinishGradientReduction(G);
        if (_parallel?.Mean(gLoss) is [var meanG]) gLoss = meanG;
        SetRequiresGrad(D, true);
        var losses = new StepLosses(dReal, dFake, gLoss);
        ThrowIfDiverged(losses);
        if (_options.GOrtho > 0) AddOrtho(G, _options.GOrtho, _excludeFromGOrtho);
        GOptimizer.Step();
        Step++;
        // Before EmaStart the average simply follows G (decay 0), as the reference's ema.update(itr).
        _ema?.Update(Step < _options.EmaStart ? 0.0 : _options.EmaDecay);
        return losses;
    }

    /// <summary>
    /// Latents z ~ N(0, I) (n, DimZ) in G's dtype and uniform labels (n), from the trainer's Philox stream; a
    /// data-parallel rank gets its slice of the n rows (the same values one process would draw for them).
    /// </summary>
    public (Tensor Z, Tensor Labels) SampleLatents(int n)
    {
        var slice = _parallel?.Slice(n) ?? BatchSlice.Whole(n);
        var z = slice.Normal(Random, G.DimZ, _dtype, _device);
        // Labels from float64 uniforms on the host: (1 − 2^-53)·K stays below K, so no label reaches K.
        var u = slice.Uniform(Random, DType.Float64, Device.Cpu).ToArray<double>();
        var labels = new int[u.Length];
        for (int i = 0; i < u.Length; i++) labels[i] = (int)(u[i] * G.NumClasses);
        return (z, Tensor.FromArray(labels, _device));
    }

    private void ThrowIfDiverged(StepLosses losses)
    {
        if (!losses.AreFinite) throw new TrainingDivergedException(Step + 1, losses);
    }

    private static void AddOrtho(Module m, double strength, Func<string, bool> exclude)
    {
        // The terms are added into existing gradients in place; their temporaries go with this scope.
        using var scope = new TensorScope();
        foreach (var (name, p) in m.NamedParameters())
        {
            if (p.Rank >= 2 && p.Grad is not null && !exclude(name)) Ops.AddOrthogonalRegularization(p, strength);
        }
    }

    private static void SetRequiresGrad(Module m, bool on)
    {
        foreach (var (_, p) in m.NamedParameters()) p.RequiresGrad = on;
    }
}

/// <summary>A loss became NaN or infinite: training stops, and the last good checkpoint stays the result.</summary>
public sealed class TrainingDivergedException(long step, StepLosses losses)
    : Exception($"Training diverged at step {step}: D real {losses.DReal}, D fake {losses.DFake}, G {losses.G}. " +
                "The last checkpoint before this step is kept; lower the learning rates or resume from it.")
{
    /// <summary>The generator step that produced the bad loss.</summary>
    public long Step { get; } = step;

    /// <summary>The losses of that step.</summary>
    public StepLosses Losses { get; } = losses;
}
