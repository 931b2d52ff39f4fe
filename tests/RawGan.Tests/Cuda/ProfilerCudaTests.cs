using RawGan.Engine;
using RawGan.Engine.Profiling;
using RawGan.Model.BigGan;
using RawGan.Model.Training;

namespace RawGan.Tests.Cuda;

using Ops = RawGan.Engine.Ops;

/// <summary>The profiler on the GPU: the CUDA backend's event clock, and a whole training step timed by it.</summary>
public class ProfilerCudaTests : CudaTestBase
{
    [Test]
    public void TheCudaBackendTimesOpsWithEventsThatAddUpToTheStep()
    {
        Assert.That(Gpu.Backend, Is.InstanceOf<IProfilingBackend>());
        var x = Tensor.RandomNormal([8, 64, 32, 32], seed: 1, device: Gpu).RequireGrad();
        var w = Tensor.RandomNormal([64, 64, 3, 3], seed: 2, std: 0.05, device: Gpu).RequireGrad();
        using var profiler = new Profiler(Gpu);
        for (int i = 0; i < 3; i++)
        {
            using var scope = new TensorScope();
            using (profiler.Step()) Ops.Sum(Ops.Relu(Ops.Conv2d(x, w, padding: 1))).Backward();
        }
        AssertRowsAddUp(profiler.Results);
        var conv = profiler.Results.Rows().Single(r => r is { Name: "Conv2d", Pass: ProfilePass.Forward });
        TestContext.Out.WriteLine($"Conv2d forward {conv.Milliseconds:F3} ms, {conv.Tflops:F2} TFLOP/s; step {profiler.Results.MeanStepMilliseconds:F3} ms");
        Assert.That(conv.Milliseconds, Is.GreaterThan(0), "a convolution takes measurable GPU time");
    }

    [Test]
    public void AProfiledTrainingStepOnTheGpuHasEveryOpTimed()
    {
        var config = new RunConfig
        {
            Model = BigGanConfig.Mnist32Small,
            Training = new TrainingOptions { BatchSize = 16, GOrtho = 1e-4 },
            Data = "synthetic",
        };
        var results = StepProfiling.Run(config, Gpu, warmupSteps: 1, steps: 2, TestContext.Out.WriteLine);
        AssertRowsAddUp(results);
        ProfileTable.Write(TestContext.Out, results);
        Assert.That(results.Rows().Select(r => r.Name), Does.Contain("Conv2d").And.Contain("Adam").And.Contain("Download"));
    }

    private static void AssertRowsAddUp(ProfileResults results)
    {
        var rows = results.Rows();
        double step = results.MeanStepMilliseconds;
        Assert.Multiple(() =>
        {
            Assert.That(step, Is.GreaterThan(0));
            Assert.That(rows.Sum(r => r.Milliseconds), Is.EqualTo(step).Within(1e-6 * step + 1e-9), "every millisecond in exactly one row");
            // Events are recorded in stream order, so no scope's children outlast it (up to the float ms the driver returns).
            Assert.That(rows.Where(r => r.Name != ProfileRow.OtherName).Min(r => r.Milliseconds), Is.GreaterThan(-1e-3));
        });
    }
}
