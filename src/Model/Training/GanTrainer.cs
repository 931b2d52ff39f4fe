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

    /// <summary>
    /// Writes the next batch into <paramref name="images"/> and <paramref name="labels"/> (a batch's shapes, on the
    /// training device), in order with the device's work: the trainer stages every real batch of a step into the same
    /// buffers, which a replayed step graph reads. By default a copy of <see cref="Next"/>; a loader uploads straight in.
    /// </summary>
    void NextInto(Tensor images, Tensor labels)
    {
        using var scope = new TensorScope(); // frees what Next() created for this call
        var (x, y) = Next();
        images.CopyFrom(x);
        labels.CopyFrom(y);
    }
}

/// <summary>
/// BigGAN's training step (BigGAN-PyTorch train_fns.GAN_training_function): D updates on real and fake images in
/// one batch with the hinge loss, then a G update through the frozen D, orthogonal regularisation added to the
/// gradients, Adam, and the EMA of G. Forward and backward passes run under the options' precision (an
/// <see cref="Autocast"/> scope per micro-batch); orthogonal regularisation, Adam and the EMA stay Float32. Latents are
/// N(0, I) and fake labels uniform, both drawn on the device from one Philox stream whose offset is part of the
/// checkpoint, so a resumed run draws exactly what an uninterrupted one would. The step never waits for the device:
/// real batches are staged asynchronously, the losses come back through <see cref="PendingStepLosses"/>, and on CUDA
/// the whole step is recorded once as a graph and replayed (<see cref="CudaGraphs"/>).
/// </summary>
public sealed class GanTrainer<TG, TD> : IDisposable
    where TG : Module, IConditionalGenerator
    where TD : Module, IConditionalDiscriminator
{
    private readonly TrainingOptions _options;
    private readonly Func<string, bool> _excludeFromGOrtho;
    private readonly Ema? _ema;
    private readonly StepLossReadback _losses;
    private readonly TrainingStepGraph _graph;
    // The step's real batches, one per D micro-step: the same device buffers every step, so a replayed graph reads them.
    private readonly Tensor?[] _realImages, _realLabels;
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
        _excludeFromGOrtho = excludeFromGOrtho ?? (_ => false);
        GOptimizer = new Adam(g.NamedParameters(), options.GLearningRate, options.Beta1, options.Beta2, options.AdamEps);
        DOptimizer = new Adam(d.NamedParameters(), options.DLearningRate, options.Beta1, options.Beta2, options.AdamEps);
        if (gEma is not null)
        {
            // Parameters and buffers, as the reference's ema class averages G's whole state dict.
            _ema = new Ema(g.StateDict().Select(kv => kv.Value).ToList(), gEma.StateDict().Select(kv => kv.Value).ToList());
            _ema.CopyFromSources();
        }
        Random = new DevicePhiloxGenerator(options.Seed, device);
        var lossType = d.NamedParameters().Select(p => p.Value.DType).DefaultIfEmpty(DType.Float32).First();
        _losses = new StepLossReadback(options, lossType, device);
        _graph = new TrainingStepGraph(device.Backend as IGraphCapture, [Random.Position, GOptimizer.StepCounter, DOptimizer.StepCounter]);
        _realImages = new Tensor?[options.DStepsPerGStep * options.DAccumulations];
        _realLabels = new Tensor?[_realImages.Length];
        _dtype = g.NamedParameters().First().Value.DType;
        _parallel = parallel;
        parallel?.Attach(g, d, g.StateDict().Concat(d.StateDict()).Concat(gEma?.StateDict() ?? []).Concat(GOptimizer.StateTensors()).Concat(DOptimizer.StateTensors())
                                 .Select(kv => kv.Value));
        // The ranks' collectives run on the host (MPI) or outside a capture (NCCL here): a data-parallel step runs eagerly.
        if (parallel is not null) _graph.Enabled = false;
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

    /// <summary>The stream of latents and fake labels (its position in device memory).</summary>
    public DevicePhiloxGenerator Random { get; }

    /// <summary>Generator updates queued so far.</summary>
    public long Step { get; set; }

    /// <summary>
    /// Whether a backend that records device graphs (CUDA) runs the step as a captured graph (the default). Results are
    /// the same either way; off runs every op eagerly (the profiler needs that).
    /// </summary>
    public bool CudaGraphs
    {
        get => _graph.Enabled;
        set => _graph.Enabled = value;
    }

    /// <summary>How many times the step was captured as a graph (at the second step, then whenever a learning rate or the EMA decay changes).</summary>
    public int GraphCaptures => _graph.Captures;

    /// <summary>
    /// Queues D steps then one G step on the device and returns at once, with a handle to the step's losses: resolve it
    /// later (it throws <see cref="TrainingDivergedException"/> for a NaN or infinite loss), typically after queuing the
    /// next step.
    /// </summary>
    public PendingStepLosses EnqueueStep(IRealBatches real)
    {
        StageRealBatches(real);
        long step = Step + 1;
        // Before EmaStart the average simply follows G (decay 0), as the reference's ema.update(itr).
        double emaDecay = step < _options.EmaStart ? 0.0 : _options.EmaDecay;
        _graph.Run(() => RunStep(emaDecay), new StepConstants(GOptimizer.LearningRate, DOptimizer.LearningRate, emaDecay));
        Step = step;
        if (_parallel is not null) _parallel.AverageInPlace(_losses.Slots); // the logged losses are the global batch's
        return _losses.Enqueue(step);
    }

    /// <summary>Runs D steps then one G step and waits for its losses; throws <see cref="TrainingDivergedException"/> on a NaN or infinite loss.</summary>
    public StepLosses TrainStep(IRealBatches real) => EnqueueStep(real).Resolve();

    /// <summary>Latents z ~ N(0, I) (n, DimZ) and uniform labels (n), drawn on the device from the trainer's Philox stream.</summary>
    public (Tensor Z, Tensor Labels) SampleLatents(int n)
    {
        // A data-parallel rank draws its slice of the n rows: the same values one process would draw for them.
        var slice = _parallel?.Slice(n) ?? BatchSlice.Whole(n);
        var z = Random.NormalPart([slice.Count, G.DimZ], (long)slice.Start * G.DimZ, (long)n * G.DimZ, _dtype);
        // (int)(u·K) of float64 uniforms: (1 − 2^-53)·K stays below K, so no label reaches K.
        return (z, Random.UniformIntPart(slice.Count, slice.Start, n, G.NumClasses));
    }

    /// <summary>Frees the optimisers' state, the step's buffers and the recorded graph (the models stay the caller's).</summary>
    public void Dispose()
    {
        _graph.Dispose();
        _losses.Dispose();
        foreach (var t in _realImages.Concat(_realLabels)) t?.Dispose();
        Random.Dispose();
        GOptimizer.Dispose();
        DOptimizer.Dispose();
    }

    // The step as device work: everything it allocates is freed inside it, so it can be recorded as a graph.
    private void RunStep(double emaDecay)
    {
        G.Train();
        D.Train();
        SetRequiresGrad(D, true);
        int slot = 0;
        for (int s = 0; s < _options.DStepsPerGStep; s++)
        {
            DOptimizer.ZeroGrad();
            for (int a = 0; a < _options.DAccumulations; a++)
            {
                using var scope = new TensorScope();
                using var precision = Autocast.Enable(_options.Precision);
                int batch = s * _options.DAccumulations + a;
                Tensor x = _realImages[batch]!, xLabels = _realLabels[batch]!;
                var (z, y) = SampleLatents(_options.BatchSize);
                Tensor fake;
                using (GradMode.Disable())
                using (new TensorScope()) fake = TensorScope.Keep(G.Generate(z, y)); // G's activations are freed here, not at the step's end
                // Real and fake go through D in one batch, as the reference does (one set of batch statistics).
                var scores = D.Score(Ops.Cat([fake, x], 0), Ops.Cat([y, xLabels], 0));
                int n = fake.Shape[0];
                var (lossReal, lossFake) = Ops.HingeLossDiscriminator(Ops.Narrow(scores, 0, n, scores.Shape[0] - n), Ops.Narrow(scores, 0, 0, n));
                var (realTerm, fakeTerm) = (lossReal.Detach(), lossFake.Detach()); // Backward frees the graph's tensors
                if (a == _options.DAccumulations - 1) _parallel?.StartGradientReduction(D);
                Ops.MulScalar(Ops.Add(lossReal, lossFake), 1.0 / _options.DAccumulations).Backward();
                _losses.Record(slot++, realTerm);
                _losses.Record(slot++, fakeTerm);
            }
            _parallel?.FinishGradientReduction(D);
            if (_options.DOrtho > 0) AddOrtho(D, _options.DOrtho, _ => false);
            DOptimizer.Step();
        }

        // G step: D is frozen (its parameters collect no gradient).
        SetRequiresGrad(D, false);
        GOptimizer.ZeroGrad();
        for (int a = 0; a < _options.GAccumulations; a++)
        {
            using var scope = new TensorScope();
            using var precision = Autocast.Enable(_options.Precision);
            var (z, y) = SampleLatents(_options.BatchSize);
            var loss = Ops.HingeLossGenerator(D.Score(G.Generate(z, y), y));
            var lossValue = loss.Detach(); // Backward frees the graph's tensors
            if (a == _options.GAccumulations - 1) _parallel?.StartGradientReduction(G);
            Ops.MulScalar(loss, 1.0 / _options.GAccumulations).Backward();
            _losses.Record(slot++, lossValue);
        }
        _parallel?.FinishGradientReduction(G);
        SetRequiresGrad(D, true);
        if (_options.GOrtho > 0) AddOrtho(G, _options.GOrtho, _excludeFromGOrtho);
        GOptimizer.Step();
        _ema?.Update(emaDecay);
        // The gradients die with the step: a recorded step then frees everything it allocated.
        DOptimizer.ZeroGrad();
        GOptimizer.ZeroGrad();
    }

    // Real batches go into the step's buffers before the step (outside a recorded graph); the first step creates them.
    private void StageRealBatches(IRealBatches real)
    {
        for (int i = 0; i < _realImages.Length; i++)
        {
            if (_realImages[i] is { } images)
            {
                real.NextInto(images, _realLabels[i]!);
                continue;
            }
            using var scope = new TensorScope();
            var (x, y) = real.Next();
            _realImages[i] = TensorScope.Persist(x.Clone());
            _realLabels[i] = TensorScope.Persist(y.Clone());
        }
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
