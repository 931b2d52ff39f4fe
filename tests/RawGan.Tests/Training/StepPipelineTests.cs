using RawGan.Engine;
using RawGan.Engine.Autograd;
using RawGan.Engine.Nn;
using RawGan.Engine.Optim;
using RawGan.Engine.Rng;
using RawGan.Model.Training;

namespace RawGan.Tests.Training;

using Ops = RawGan.Engine.Ops;

/// <summary>
/// The training step that leaves the host alone (labels drawn on the device, losses read back a step later through
/// pinned memory, real batches staged into fixed buffers) computes exactly what the host-synchronous step computed.
/// </summary>
public class StepPipelineTests
{
    private static readonly TrainingOptions Options = new()
    {
        BatchSize = 6, GLearningRate = 2e-3, DLearningRate = 2e-3, DStepsPerGStep = 2, DAccumulations = 2, GAccumulations = 2,
        EmaStart = 3, EmaDecay = 0.9, GOrtho = 1e-4, DOrtho = 1e-4, Seed = 11,
    };

    private static GanTrainer<TinyG, TinyD> NewTrainer() =>
        new(new TinyG(1), new TinyD(2), new TinyG(1), Options, Device.Cpu, name => name.StartsWith("shared.", StringComparison.Ordinal));

    [Test]
    public void TheStepComputesWhatTheHostSynchronousStepComputed()
    {
        using var trainer = NewTrainer();
        var reference = new ReferenceTrainer(Options);
        var a = new StripeBatches(6);
        var b = new StripeBatches(6);
        for (long step = 1; step <= 5; step++)
        {
            var got = trainer.TrainStep(a);
            var want = reference.Step(b, step);
            Assert.That(got, Is.EqualTo(want), $"losses of step {step}");
        }
        AssertSameState(trainer.G.StateDict(), reference.G.StateDict(), "G");
        AssertSameState(trainer.D.StateDict(), reference.D.StateDict(), "D");
        AssertSameState(trainer.GEma!.StateDict(), reference.GEma.StateDict(), "G_ema");
        AssertSameState(trainer.GOptimizer.StateTensors(), reference.GOptimizer.StateTensors(), "G_opt");
        AssertSameState(trainer.DOptimizer.StateTensors(), reference.DOptimizer.StateTensors(), "D_opt");
        Assert.That(trainer.Random.Offset, Is.EqualTo(reference.Random.Offset), "the latent stream consumed the same counters");
    }

    [Test]
    public void LossesReadAStepLateEqualLossesReadAtOnce()
    {
        using var atOnce = NewTrainer();
        using var late = NewTrainer();
        var a = new StripeBatches(6);
        var b = new StripeBatches(6);
        var expected = Enumerable.Range(0, 4).Select(_ => atOnce.TrainStep(a)).ToList();

        var got = new List<StepLosses>();
        PendingStepLosses? previous = null;
        for (int i = 0; i < 4; i++)
        {
            var queued = late.EnqueueStep(b); // step i + 1 is queued before step i's losses are read
            if (previous is not null) got.Add(previous.Resolve());
            previous = queued;
        }
        got.Add(previous!.Resolve());
        Assert.That(got, Is.EqualTo(expected));
        Assert.That(previous.Step, Is.EqualTo(4));
        Assert.That(previous.Resolve(), Is.EqualTo(expected[3]), "resolving again returns the same losses");
        AssertSameState(late.G.StateDict(), atOnce.G.StateDict(), "G");
        AssertSameState(late.D.StateDict(), atOnce.D.StateDict(), "D");
    }

    [Test]
    public void ADivergedStepSurfacesWhenItsLossesAreRead()
    {
        using var trainer = NewTrainer();
        var data = new StripeBatches(6);
        var first = trainer.EnqueueStep(data);
        var bias = trainer.D.NamedParameters().First(p => p.Key == "linear.bias").Value;
        bias.Backend.Fill(bias.Storage, double.NaN);
        var second = trainer.EnqueueStep(data);
        var third = trainer.EnqueueStep(data);

        Assert.That(first.Resolve().AreFinite, Is.True, "the step before the NaN is fine");
        var e = Assert.Throws<TrainingDivergedException>(() => second.Resolve());
        Assert.That(e!.Step, Is.EqualTo(2));
        Assert.That(e.Message, Does.Contain("step 2"));
        Assert.That(() => second.Resolve(), Throws.TypeOf<TrainingDivergedException>(), "a diverged step stays diverged");
        Assert.That(() => third.Resolve(), Throws.TypeOf<TrainingDivergedException>().With.Property("Step").EqualTo(3));
    }

    internal static void AssertSameState(IEnumerable<KeyValuePair<string, Tensor>> actual, IEnumerable<KeyValuePair<string, Tensor>> expected, string what)
    {
        var e = expected.ToDictionary(kv => kv.Key, kv => kv.Value);
        foreach (var (name, t) in actual)
            Assert.That(t.ToArray<float>(), Is.EqualTo(e[name].ToArray<float>()), $"{what}.{name} differs");
    }

    /// <summary>
    /// The training step as it was while it read the host at every turn (commit e195b66): fake labels drawn on the host
    /// from float64 uniforms, every loss read with Item() as soon as it existed, real batches used as handed out.
    /// </summary>
    private sealed class ReferenceTrainer
    {
        private readonly TrainingOptions _o;
        private readonly Ema _ema;

        public ReferenceTrainer(TrainingOptions o)
        {
            _o = o;
            GOptimizer = new Adam(G.NamedParameters(), o.GLearningRate, o.Beta1, o.Beta2, o.AdamEps);
            DOptimizer = new Adam(D.NamedParameters(), o.DLearningRate, o.Beta1, o.Beta2, o.AdamEps);
            _ema = new Ema(G.StateDict().Select(kv => kv.Value).ToList(), GEma.StateDict().Select(kv => kv.Value).ToList());
            _ema.CopyFromSources();
            Random = new PhiloxGenerator(o.Seed);
        }

        public TinyG G { get; } = new(1);

        public TinyD D { get; } = new(2);

        public TinyG GEma { get; } = new(1);

        public Adam GOptimizer { get; }

        public Adam DOptimizer { get; }

        public PhiloxGenerator Random { get; }

        public StepLosses Step(IRealBatches real, long step)
        {
            G.Train();
            D.Train();
            double dReal = 0, dFake = 0;
            SetRequiresGrad(D, true);
            for (int s = 0; s < _o.DStepsPerGStep; s++)
            {
                DOptimizer.ZeroGrad();
                dReal = dFake = 0;
                for (int a = 0; a < _o.DAccumulations; a++)
                {
                    using var scope = new TensorScope();
                    var (x, xLabels) = real.Next();
                    var (z, y) = Latents(x.Shape[0]);
                    Tensor fake;
                    using (GradMode.Disable()) fake = G.Generate(z, y);
                    var scores = D.Score(Ops.Cat([fake, x], 0), Ops.Cat([y, xLabels], 0));
                    int n = fake.Shape[0];
                    var (lossReal, lossFake) = Ops.HingeLossDiscriminator(Ops.Narrow(scores, 0, n, scores.Shape[0] - n), Ops.Narrow(scores, 0, 0, n));
                    dReal += lossReal.Item() / _o.DAccumulations; // before Backward, which frees the graph's tensors
                    dFake += lossFake.Item() / _o.DAccumulations;
                    Ops.MulScalar(Ops.Add(lossReal, lossFake), 1.0 / _o.DAccumulations).Backward();
                }
                Ortho(D, _o.DOrtho, _ => false);
                DOptimizer.Step();
            }
            SetRequiresGrad(D, false);
            GOptimizer.ZeroGrad();
            double gLoss = 0;
            for (int a = 0; a < _o.GAccumulations; a++)
            {
                using var scope = new TensorScope();
                var (z, y) = Latents(_o.BatchSize);
                var loss = Ops.HingeLossGenerator(D.Score(G.Generate(z, y), y));
                gLoss += loss.Item() / _o.GAccumulations;
                Ops.MulScalar(loss, 1.0 / _o.GAccumulations).Backward();
            }
            SetRequiresGrad(D, true);
            Ortho(G, _o.GOrtho, name => name.StartsWith("shared.", StringComparison.Ordinal));
            GOptimizer.Step();
            _ema.Update(step < _o.EmaStart ? 0.0 : _o.EmaDecay);
            return new StepLosses(dReal, dFake, gLoss);
        }

        private (Tensor Z, Tensor Labels) Latents(int n)
        {
            var z = Random.Normal([n, G.DimZ]);
            var u = Random.Uniform([n], DType.Float64, Device.Cpu).ToArray<double>();
            return (z, Tensor.FromArray(u.Select(v => (int)(v * G.NumClasses)).ToArray()));
        }

        private static void Ortho(Module m, double strength, Func<string, bool> exclude)
        {
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
}
