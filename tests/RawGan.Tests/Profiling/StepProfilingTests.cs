using System.Text.Json;
using RawGan.Engine;
using RawGan.Engine.Profiling;
using RawGan.Model.BigGan;
using RawGan.Model.Training;

namespace RawGan.Tests.Profiling;

/// <summary>The profiler on the real training step of a small BigGAN (Mnist32Small: attention, hierarchical z, shared embedding).</summary>
public class StepProfilingTests
{
    private static readonly RunConfig Config = new()
    {
        Model = BigGanConfig.Mnist32Small,
        Training = new TrainingOptions { BatchSize = 4, GOrtho = 1e-4, DOrtho = 1e-4, EmaStart = 0, Seed = 3 },
        Data = "synthetic",
    };

    private static readonly Lazy<ProfileResults> Profiled = new(() => StepProfiling.Run(Config, Device.Cpu, warmupSteps: 1, steps: 2, _ => { }));

    [Test]
    public void OpTimesAddUpToWithinFivePercentOfTheStep()
    {
        var results = Profiled.Value;
        var rows = results.Rows();
        double step = results.MeanStepMilliseconds, other = results.OtherRow().Milliseconds;
        double ops = rows.Where(r => r.Name != ProfileRow.OtherName).Sum(r => r.Milliseconds);
        TestContext.Out.WriteLine($"step {step:F1} ms, ops {ops:F1} ms, other {other:F2} ms ({100 * other / step:F2} %), {rows.Count} rows");
        Assert.Multiple(() =>
        {
            Assert.That(ops + other, Is.EqualTo(step).Within(1e-6 * step), "every millisecond of the step is in exactly one row");
            Assert.That(ops, Is.GreaterThanOrEqualTo(0.95 * step), "what no scope covers stays under 5 %");
            Assert.That(rows.Where(r => r.Name != ProfileRow.OtherName).All(r => r.Milliseconds >= 0), Is.True, "exclusive times are never negative");
            var names = rows.Select(r => (r.Name, r.Pass)).ToHashSet();
            foreach (var expected in new (string, ProfilePass?)[]
                     {
                         ("Conv2d", ProfilePass.Forward), ("Conv2d", ProfilePass.Backward), ("BatchedMatMul", ProfilePass.Forward),
                         ("SpectralNormSigma", ProfilePass.Forward), ("ConditionalBatchNormRelu", ProfilePass.Backward),
                         ("Adam", ProfilePass.Update), ("Ema", ProfilePass.Update), ("MatMul", ProfilePass.Update), ("Upload", ProfilePass.Forward),
                         ("Autograd", ProfilePass.Backward),
                     })
                Assert.That(names, Does.Contain(expected));
        });
    }

    [Test]
    public void ProfilingLeavesTheTrainingResultUnchanged()
    {
        var plain = TrainingSession.CreateTrainer(Config, Device.Cpu);
        var profiled = TrainingSession.CreateTrainer(Config, Device.Cpu);
        var batch = new FixedBatch(Config.Model, Config.Training.BatchSize);
        using var profiler = new Profiler(Device.Cpu);
        for (int i = 0; i < 2; i++)
        {
            var expected = plain.TrainStep(batch);
            StepLosses actual;
            using (profiler.Step()) actual = profiled.TrainStep(batch);
            Assert.That(actual, Is.EqualTo(expected), $"losses of step {i + 1}");
        }
        foreach (var (network, actual, expected) in new[] { ("G", profiled.G.StateDict(), plain.G.StateDict().ToDictionary()), ("D", profiled.D.StateDict(), plain.D.StateDict().ToDictionary()) })
        {
            foreach (var (name, t) in actual)
                Assert.That(t.ToArray<float>(), Is.EqualTo(expected[name].ToArray<float>()), $"{network} {name}");
        }
    }

    [Test]
    public void ProfileJsonAndChromeTraceAreWellFormed()
    {
        var results = Profiled.Value;
        string dir = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"profile-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            string json = Path.Combine(dir, "profile.json"), trace = Path.Combine(dir, "profile-trace.json");
            ProfileFiles.WriteJson(json, results, StepProfiling.Describe(Config, Device.Cpu, 1));
            ProfileFiles.WriteChromeTrace(trace, results, "cpu");

            using (var doc = JsonDocument.Parse(File.ReadAllText(json)))
            {
                var root = doc.RootElement;
                Assert.That(root.GetProperty("steps").GetInt32(), Is.EqualTo(2));
                Assert.That(root.GetProperty("step_ms").GetArrayLength(), Is.EqualTo(2));
                double opsMs = root.GetProperty("ops").EnumerateArray().Sum(r => r.GetProperty("ms").GetDouble());
                double shapesMs = root.GetProperty("shapes").EnumerateArray().Sum(r => r.GetProperty("ms").GetDouble());
                double step = root.GetProperty("mean_step_ms").GetDouble(), other = root.GetProperty("other_ms").GetDouble();
                Assert.That(opsMs + other, Is.EqualTo(step).Within(1e-6 * step));
                Assert.That(shapesMs, Is.EqualTo(opsMs).Within(1e-6 * step), "the per-shape rows split the per-op rows");
                Assert.That(root.GetProperty("about").GetProperty("device").GetString(), Is.EqualTo("cpu"));
            }

            using (var doc = JsonDocument.Parse(File.ReadAllText(trace)))
            {
                var events = doc.RootElement.GetProperty("traceEvents").EnumerateArray().Where(e => e.GetProperty("ph").GetString() == "X")
                    .Select(e => (Name: e.GetProperty("name").GetString()!, Ts: e.GetProperty("ts").GetDouble(), Dur: e.GetProperty("dur").GetDouble()))
                    .ToList();
                Assert.That(events.Count(e => e.Name.StartsWith("step ", StringComparison.Ordinal)), Is.EqualTo(2));
                Assert.That(events.Count, Is.EqualTo(results.Events.Count + 2));
                Assert.That(events.All(e => e.Dur >= 0 && e.Ts >= 0), Is.True);
                AssertNested(events);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Complete events on one thread must nest: each starts after the previous ends or ends inside it.</summary>
    private static void AssertNested(List<(string Name, double Ts, double Dur)> events)
    {
        var open = new Stack<(string Name, double End)>();
        foreach (var e in events.OrderBy(e => e.Ts).ThenByDescending(e => e.Dur))
        {
            while (open.Count > 0 && open.Peek().End <= e.Ts) open.Pop();
            if (open.Count > 0)
                Assert.That(e.Ts + e.Dur, Is.LessThanOrEqualTo(open.Peek().End + 1e-3), $"{e.Name} at {e.Ts} µs overlaps the end of {open.Peek().Name}");
            open.Push((e.Name, e.Ts + e.Dur));
        }
    }

    private sealed class FixedBatch : IRealBatches
    {
        private readonly Tensor _images, _labels;

        public FixedBatch(BigGanConfig model, int batch)
        {
            _images = Engine.Ops.Tanh(Tensor.RandomNormal([batch, model.ImageChannels, model.Resolution, model.Resolution], seed: 9));
            _labels = Tensor.FromArray(Enumerable.Range(0, batch).Select(i => i % model.NumClasses).ToArray());
        }

        public (Tensor Images, Tensor Labels) Next() => (_images, _labels);
    }
}
