using RawGan.Engine;
using RawGan.Engine.Autograd;
using RawGan.Engine.Nn;
using RawGan.Engine.Optim;
using RawGan.Engine.Rng;

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
/// gradients, Adam, and the EMA of G. Forward and backward passes run under the options' precision (an
/// <see cref="Autocast"/> scope per micro-batch); orthogonal regularisation, Adam and the EMA stay Float32. Latents are N(0, I) and fake labels uniform, both from one Philox stream
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

    /// <summary>Creates a trainer; <paramref name="excludeFromGOrtho"/> names G parameters exempt from orthogonal regularisation (the shared embedding).</summary>
    public GanTrainer(TG g, TD d, TG? gEma, TrainingOptions options, Device device, Func<string, bool>? excludeFromGOrtho = null)
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
                using var precision = Autocast.Enable(_options.Precision);
                var (x, xLabels) = real.Next();
                var (z, y) = SampleLatents(x.Shape[0]);
                Tensor fake;
                using (GradMode.Disable())
                using (new TensorScope()) fake = TensorScope.Keep(G.Generate(z, y)); // G's activations are freed here, not at the step's end
                // Real and fake go through D in one batch, as the reference does (one set of batch statistics).
                var scores = D.Score(Ops.Cat([fake, x], 0), Ops.Cat([y, xLabels], 0));
                int n = fake.Shape[0];
                var (lossReal, lossFake) = Ops.HingeLossDiscriminator(Ops.Narrow(scores, 0, n, scores.Shape[0] - n), Ops.Narrow(scores, 0, 0, n));
                var (realTerm, fakeTerm) = (lossReal.Detach(), lossFake.Detach()); // Backward frees the graph's tensors
                Ops.MulScalar(Ops.Add(lossReal, lossFake), 1.0 / _options.DAccumulations).Backward();
                dReal += realTerm.Item() / _options.DAccumulations;
                dFake += fakeTerm.Item() / _options.DAccumulations;
            }
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
            using var precision = Autocast.Enable(_options.Precision);
            var (z, y) = SampleLatents(_options.BatchSize);
            var loss = Ops.HingeLossGenerator(D.Score(G.Generate(z, y), y));
            var lossValue = loss.Detach(); // Backward frees the graph's tensors
            Ops.MulScalar(loss, 1.0 / _options.GAccumulations).Backward();
            gLoss += lossValue.Item() / _options.GAccumulations;
        }
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

    /// <summary>Latents z ~ N(0, I) (n, DimZ) and uniform labels (n), from the trainer's Philox stream.</summary>
    public (Tensor Z, Tensor Labels) SampleLatents(int n)
    {
        var z = Random.Normal([n, G.DimZ], device: _device);
        // Labels from float64 uniforms on the host: (1 − 2^-53)·K stays below K, so no label reaches K.
        var u = Random.Uniform([n], DType.Float64, Device.Cpu).ToArray<double>();
        var labels = new int[n];
        for (int i = 0; i < n; i++) labels[i] = (int)(u[i] * G.NumClasses);
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
