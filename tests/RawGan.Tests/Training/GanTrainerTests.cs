using System.Globalization;
using RawGan.Engine;
using RawGan.Model.Training;

namespace RawGan.Tests.Training;

using Ops = RawGan.Engine.Ops;

public class GanTrainerTests
{
    private static readonly TrainingOptions Options = new()
    {
        BatchSize = 12, GLearningRate = 2e-3, DLearningRate = 2e-3, DStepsPerGStep = 2, EmaStart = 3, EmaDecay = 0.9, GOrtho = 1e-4, DOrtho = 1e-4, Seed = 42,
    };

    private static GanTrainer<TinyG, TinyD> NewTrainer(TrainingOptions? options = null) =>
        new(new TinyG(1), new TinyD(2), new TinyG(1), options ?? Options, Device.Cpu, name => name.StartsWith("shared.", StringComparison.Ordinal));

    [Test]
    public void LossesStayFiniteAndTheDiscriminatorSeparatesRealFromFakeEarly()
    {
        var trainer = NewTrainer();
        var data = new StripeBatches(12);
        StepLosses losses = default;
        for (int i = 0; i < 15; i++) losses = trainer.TrainStep(data);
        Assert.That(losses.AreFinite, Is.True);
        Assert.That(trainer.Step, Is.EqualTo(15));
        trainer.D.Eval();
        trainer.G.Eval();
        var (x, y) = data.Next();
        var (z, fy) = trainer.SampleLatents(12);
        double real = Ops.Mean(trainer.D.Score(x, y)).Item();
        double fake = Ops.Mean(trainer.D.Score(trainer.G.Generate(z, fy), fy)).Item();
        Assert.That(real, Is.GreaterThan(fake), "D scores real images above fake ones after a few steps");
    }

    [Test]
    public void ResumingFromACheckpointReproducesAnUninterruptedRunBitForBit()
    {
        const int n = 4;
        var straight = NewTrainer();
        var data = new StripeBatches(12);
        for (int i = 0; i < 2 * n; i++) straight.TrainStep(data);

        var first = NewTrainer();
        var data1 = new StripeBatches(12);
        for (int i = 0; i < n; i++) first.TrainStep(data1);
        string path = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"resume-{Guid.NewGuid():N}.safetensors");
        try
        {
            Checkpoint.Save(path, first, new Dictionary<string, string> { ["loader"] = data1.Position.ToString(CultureInfo.InvariantCulture) });
            var resumed = NewTrainer();
            var meta = Checkpoint.Load(path, resumed);
            var data2 = new StripeBatches(12) { Position = long.Parse(meta["loader"], CultureInfo.InvariantCulture) };
            for (int i = 0; i < n; i++) resumed.TrainStep(data2);

            Assert.That(resumed.Step, Is.EqualTo(straight.Step));
            AssertSameState(resumed.G.StateDict(), straight.G.StateDict(), "G");
            AssertSameState(resumed.D.StateDict(), straight.D.StateDict(), "D");
            AssertSameState(resumed.GEma!.StateDict(), straight.GEma!.StateDict(), "G_ema");
            AssertSameState(resumed.GOptimizer.StateTensors(), straight.GOptimizer.StateTensors(), "G_opt");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void ANonFiniteLossStopsTrainingNamingTheStep()
    {
        var trainer = NewTrainer();
        var data = new StripeBatches(12);
        trainer.TrainStep(data);
        trainer.D.NamedParameters().First(p => p.Key == "linear.bias").Value.Backend.Fill(trainer.D.NamedParameters().First(p => p.Key == "linear.bias").Value.Storage, double.NaN);
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.TrainStep(data));
        Assert.That(e!.Step, Is.EqualTo(2));
        Assert.That(e.Message, Does.Contain("step 2"));
    }

    [Test]
    public void ACheckpointOfAnotherKindOrCorruptFileIsRejectedClearly()
    {
        string dir = TestContext.CurrentContext.WorkDirectory;
        string notCheckpoint = Path.Combine(dir, $"plain-{Guid.NewGuid():N}.safetensors");
        string corrupt = Path.Combine(dir, $"corrupt-{Guid.NewGuid():N}.safetensors");
        try
        {
            RawGan.Engine.IO.SafeTensors.Save(notCheckpoint, new Dictionary<string, Tensor> { ["x"] = Tensor.Zeros([2]) });
            Assert.That(() => Checkpoint.Load(notCheckpoint, NewTrainer()), Throws.TypeOf<InvalidDataException>().With.Message.Contains("not a RawGan training checkpoint"));
            var trainer = NewTrainer();
            trainer.TrainStep(new StripeBatches(12));
            Checkpoint.Save(corrupt, trainer);
            var bytes = File.ReadAllBytes(corrupt);
            File.WriteAllBytes(corrupt, bytes[..(bytes.Length / 2)]);
            Assert.That(() => Checkpoint.Load(corrupt, NewTrainer()), Throws.InstanceOf<IOException>().With.Message.Contains(Path.GetFileName(corrupt)));
        }
        finally
        {
            File.Delete(notCheckpoint);
            File.Delete(corrupt);
        }
    }

    private static void AssertSameState(IEnumerable<KeyValuePair<string, Tensor>> actual, IEnumerable<KeyValuePair<string, Tensor>> expected, string what)
    {
        var e = expected.ToDictionary(kv => kv.Key, kv => kv.Value);
        foreach (var (name, t) in actual)
            Assert.That(t.ToArray<float>(), Is.EqualTo(e[name].ToArray<float>()), $"{what}.{name} differs after resuming");
    }
}
