using RawGan.Engine;
using RawGan.Engine.Backends.Cpu;
using RawGan.Engine.Nn;
using RawGan.Model;
using RawGan.Model.BigGan;
using RawGan.Model.Training;
using RawGan.Tests.Training;

namespace RawGan.Tests.Graphs;

using Ops = RawGan.Engine.Ops;

/// <summary>
/// The training step recorded once and replayed (on <see cref="RecordingCpuBackend"/>, which records and replays like a
/// CUDA graph) computes exactly what eager steps compute: everything that changes between steps lives in device memory.
/// </summary>
public class TrainingStepGraphTests
{
    private static readonly TrainingOptions Options = new()
    {
        BatchSize = 6, GLearningRate = 2e-3, DLearningRate = 2e-3, DStepsPerGStep = 2, DAccumulations = 2, GAccumulations = 2,
        EmaStart = 4, EmaDecay = 0.9, GOrtho = 1e-4, DOrtho = 1e-4, Seed = 3,
    };

    private static GanTrainer<TinyG, TinyD> NewTrainer(Device device, TrainingOptions? options = null) =>
        new(new TinyG(1, device), new TinyD(2, device), new TinyG(1, device), options ?? Options, device,
            name => name.StartsWith("shared.", StringComparison.Ordinal));

    [Test]
    public void ReplayedStepsEqualEagerStepsBitForBit()
    {
        var recording = new RecordingCpuBackend();
        var device = Device.For(recording);
        using var replayed = NewTrainer(device);
        using var eager = NewTrainer(Device.Cpu);
        var a = new StripeBatches(6, device);
        var b = new StripeBatches(6);
        for (int step = 1; step <= 6; step++)
            Assert.That(replayed.TrainStep(a), Is.EqualTo(eager.TrainStep(b)), $"losses of step {step}");

        Assert.That(replayed.GraphCaptures, Is.EqualTo(2), "recorded at step 2, and again at step 4, where the EMA starts averaging");
        Assert.That(recording.Launches, Is.EqualTo(5), "steps 2 to 6 ran as graphs");
        AssertSameTrainingState(replayed, eager);
    }

    [Test]
    [Category("Slow")]
    public void ReplayedBigGanStepsEqualEagerStepsBitForBit()
    {
        // The whole architecture (hierarchical latent, shared embedding, conditional BN, attention in G and D) holds no
        // host read and no value that a replay would freeze.
        var config = BigGanConfig.Mnist32Small with { Ch = 8, DimZ = 16, SharedDim = 8 };
        var options = Options with { BatchSize = 4, DAccumulations = 1, GAccumulations = 1, EmaStart = 2 };
        GanTrainer<BigGanGenerator, BigGanDiscriminator> New(Device device) =>
            new(new BigGanGenerator(config, 1, device), new BigGanDiscriminator(config, 2, device), new BigGanGenerator(config, 1, device), options, device,
                name => name.StartsWith("shared.", StringComparison.Ordinal));
        var recording = new RecordingCpuBackend();
        var device = Device.For(recording);
        using var replayed = New(device);
        using var eager = New(Device.Cpu);
        var a = new NoiseBatches(4, config, device);
        var b = new NoiseBatches(4, config, Device.Cpu);
        for (int step = 1; step <= 4; step++)
            Assert.That(replayed.TrainStep(a), Is.EqualTo(eager.TrainStep(b)), $"losses of step {step}");
        Assert.That(replayed.GraphCaptures, Is.EqualTo(1));
        Assert.That(recording.Launches, Is.EqualTo(3));
        StepPipelineTests.AssertSameState(replayed.G.StateDict(), eager.G.StateDict(), "G");
        StepPipelineTests.AssertSameState(replayed.D.StateDict(), eager.D.StateDict(), "D");
        StepPipelineTests.AssertSameState(replayed.GEma!.StateDict(), eager.GEma!.StateDict(), "G_ema");
        StepPipelineTests.AssertSameState(replayed.GOptimizer.StateTensors(), eager.GOptimizer.StateTensors(), "G_opt");
    }

    [Test]
    public void ANewLearningRateRecordsTheStepAgain()
    {
        var recording = new RecordingCpuBackend();
        var device = Device.For(recording);
        var options = Options with { EmaStart = 100 };
        using var replayed = NewTrainer(device, options);
        using var eager = NewTrainer(Device.Cpu, options);
        var a = new StripeBatches(6, device);
        var b = new StripeBatches(6);
        for (int step = 1; step <= 5; step++)
        {
            if (step == 4)
            {
                // A collapse rollback halves the learning rates.
                foreach (var t in new[] { replayed, eager })
                {
                    t.GOptimizer.LearningRate /= 2;
                    t.DOptimizer.LearningRate /= 2;
                }
            }
            Assert.That(replayed.TrainStep(a), Is.EqualTo(eager.TrainStep(b)), $"losses of step {step}");
        }
        Assert.That(replayed.GraphCaptures, Is.EqualTo(2));
        AssertSameTrainingState(replayed, eager);
    }

    [Test]
    public void WithGraphsOffEveryStepRunsEagerly()
    {
        var recording = new RecordingCpuBackend();
        using var trainer = NewTrainer(Device.For(recording));
        trainer.CudaGraphs = false;
        var data = new StripeBatches(6, Device.For(recording));
        for (int step = 0; step < 3; step++) trainer.TrainStep(data);
        Assert.That(trainer.GraphCaptures, Is.Zero);
        Assert.That(recording.Launches, Is.Zero);
    }

    [Test]
    public void AHostReadInsideTheStepFailsTheCaptureNamingIt()
    {
        var device = Device.For(new RecordingCpuBackend());
        using var trainer = new GanTrainer<TinyG, ReadingD>(new TinyG(1, device), new ReadingD(device), null, Options, device);
        var data = new StripeBatches(6, device);
        trainer.TrainStep(data); // eager: the read is only slow
        ulong offset = trainer.Random.Offset;
        long dSteps = trainer.DOptimizer.Steps;

        var e = Assert.Throws<GraphCaptureException>(() => trainer.EnqueueStep(data));
        Assert.That(e!.Message, Does.Contain("CopyToHost").And.Contain("Tensor.Item").And.Contain("ReadingD.Score"));
        Assert.That(trainer.Step, Is.EqualTo(1), "the failed step did not count");
        Assert.That(trainer.Random.Offset, Is.EqualTo(offset), "the host copy of the stream position is back where the device is");
        Assert.That(trainer.DOptimizer.Steps, Is.EqualTo(dSteps));
    }

    private static void AssertSameTrainingState(GanTrainer<TinyG, TinyD> actual, GanTrainer<TinyG, TinyD> expected)
    {
        StepPipelineTests.AssertSameState(actual.G.StateDict(), expected.G.StateDict(), "G");
        StepPipelineTests.AssertSameState(actual.D.StateDict(), expected.D.StateDict(), "D");
        StepPipelineTests.AssertSameState(actual.GEma!.StateDict(), expected.GEma!.StateDict(), "G_ema");
        StepPipelineTests.AssertSameState(actual.GOptimizer.StateTensors(), expected.GOptimizer.StateTensors(), "G_opt");
        StepPipelineTests.AssertSameState(actual.DOptimizer.StateTensors(), expected.DOptimizer.StateTensors(), "D_opt");
        Assert.That(actual.Random.Offset, Is.EqualTo(expected.Random.Offset));
        Assert.That(actual.GOptimizer.Steps, Is.EqualTo(expected.GOptimizer.Steps));
        Assert.That(actual.DOptimizer.Steps, Is.EqualTo(expected.DOptimizer.Steps));
        // The replays moved the counters in device memory as far as the host copies say.
        Assert.That(DeviceValue(actual.Random.Position), Is.EqualTo(actual.Random.Offset));
        Assert.That(DeviceValue(actual.GOptimizer.StepCounter), Is.EqualTo((ulong)actual.GOptimizer.Steps));
        Assert.That(DeviceValue(actual.DOptimizer.StepCounter), Is.EqualTo((ulong)actual.DOptimizer.Steps));
    }

    private static ulong DeviceValue(DeviceCounter counter) =>
        CpuBackend.ReadCounter(counter.Storage is RecordedStorage r ? r.Inner : counter.Storage);

    /// <summary>TinyD that reads its mean score on the host: harmless eagerly, impossible in a graph.</summary>
    private sealed class ReadingD : Module, IConditionalDiscriminator
    {
        private readonly TinyD _inner;

        public ReadingD(Device device) => _inner = Child("inner", new TinyD(2, device));

        public Tensor Score(Tensor images, Tensor labels)
        {
            var scores = _inner.Score(images, labels);
            _ = Ops.Mean(scores).Item();
            return scores;
        }
    }
}
