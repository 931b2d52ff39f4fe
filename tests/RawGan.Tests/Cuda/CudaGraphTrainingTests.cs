using RawGan.Engine;
using RawGan.Engine.Nn;
using RawGan.Engine.Rng;
using RawGan.Kernels.Cuda;
using RawGan.Model;
using RawGan.Model.BigGan;
using RawGan.Model.Data;
using RawGan.Model.Training;
using RawGan.Tests.Training;

namespace RawGan.Tests.Cuda;

using Ops = RawGan.Engine.Ops;

/// <summary>
/// The training step captured as a CUDA graph and replayed equals the same steps run eagerly on the GPU, bit for bit
/// (weights, optimiser state, EMA, losses, counters); the device-side draws and Adam steps equal the CPU's; a capture
/// refuses host reads and foreign frees, reports leaked graph memory, and leaves the device usable.
/// </summary>
public class CudaGraphTrainingTests : CudaTestBase
{
    private static readonly TrainingOptions Options = new()
    {
        BatchSize = 8, GLearningRate = 2e-4, DLearningRate = 2e-4, DStepsPerGStep = 2, EmaStart = 2, EmaDecay = 0.9, GOrtho = 1e-4, Seed = 9,
    };

    [Test]
    public void ReplayedTinyGanStepsEqualEagerStepsBitForBit()
    {
        GanTrainer<TinyG, TinyD> New() => new(new TinyG(1, Gpu), new TinyD(2, Gpu), new TinyG(1, Gpu), Options with { BatchSize = 6, DAccumulations = 2, GAccumulations = 2 },
                                             Gpu, name => name.StartsWith("shared.", StringComparison.Ordinal));
        using var eager = New();
        using var replayed = New();
        CompareOverSteps(eager, replayed, new StripeBatches(6, Gpu), new StripeBatches(6, Gpu));
    }

    [Test]
    public void ReplayedBigGanStepsEqualEagerStepsBitForBit()
    {
        // The whole architecture: hierarchical latent, shared embedding, conditional BN, attention in G and D.
        var config = BigGanConfig.Mnist32Small with { Ch = 8, DimZ = 16, SharedDim = 8 };
        GanTrainer<BigGanGenerator, BigGanDiscriminator> New() =>
            new(new BigGanGenerator(config, 1, Gpu), new BigGanDiscriminator(config, 2, Gpu), new BigGanGenerator(config, 1, Gpu), Options, Gpu,
                name => name.StartsWith("shared.", StringComparison.Ordinal));
        using var eager = New();
        using var replayed = New();
        CompareOverSteps(eager, replayed, new NoiseBatches(8, config, Gpu), new NoiseBatches(8, config, Gpu));
    }

    // Step 1 runs eagerly in both, step 2 is captured, steps 3 and 4 are replays; losses are read a step late.
    private static void CompareOverSteps<TG, TD>(GanTrainer<TG, TD> eager, GanTrainer<TG, TD> replayed, IRealBatches a, IRealBatches b)
        where TG : Module, IConditionalGenerator
        where TD : Module, IConditionalDiscriminator
    {
        eager.CudaGraphs = false;
        var expected = new List<StepLosses>();
        var got = new List<StepLosses>();
        PendingStepLosses? previous = null;
        for (int step = 1; step <= 4; step++)
        {
            expected.Add(eager.TrainStep(a));
            var queued = replayed.EnqueueStep(b);
            if (previous is not null) got.Add(previous.Resolve());
            previous = queued;
        }
        got.Add(previous!.Resolve());
        Assert.That(replayed.GraphCaptures, Is.EqualTo(1), "captured once, at step 2");
        Assert.That(got, Is.EqualTo(expected), "losses of steps 1 to 4");
        StepPipelineTests.AssertSameState(replayed.G.StateDict(), eager.G.StateDict(), "G");
        StepPipelineTests.AssertSameState(replayed.D.StateDict(), eager.D.StateDict(), "D");
        StepPipelineTests.AssertSameState(replayed.GEma!.StateDict(), eager.GEma!.StateDict(), "G_ema");
        StepPipelineTests.AssertSameState(replayed.GOptimizer.StateTensors(), eager.GOptimizer.StateTensors(), "G_opt");
        StepPipelineTests.AssertSameState(replayed.DOptimizer.StateTensors(), eager.DOptimizer.StateTensors(), "D_opt");
        Assert.That(replayed.Random.Offset, Is.EqualTo(eager.Random.Offset));
        Assert.That(DeviceValue(replayed.Random.Position), Is.EqualTo(replayed.Random.Offset), "the replays advanced the device position as the host copy says");
        Assert.That(DeviceValue(replayed.GOptimizer.StepCounter), Is.EqualTo(4UL));
        Assert.That(DeviceValue(replayed.DOptimizer.StepCounter), Is.EqualTo(8UL));
    }

    [Test]
    public void CounterDrawsAndAdamStepsMatchTheCpu([Values(DType.Float32, DType.Float64)] DType dtype)
    {
        ulong seed = (ulong)Seeded(out _).NextInt64(), offset = uint.MaxValue - 100UL; // the draws cross into the high word
        using var cpu = new DevicePhiloxGenerator(seed, Device.Cpu, offset);
        using var gpu = new DevicePhiloxGenerator(seed, Gpu, offset);
        Assert.That(gpu.Normal([33, 7], 0.5, 2, dtype).ToDoubleArray(), Is.EqualTo(cpu.Normal([33, 7], 0.5, 2, dtype).ToDoubleArray()), "normal");
        Assert.That(gpu.UniformInt([999], 10).ToArray<int>(), Is.EqualTo(cpu.UniformInt([999], 10).ToArray<int>()), "labels");
        Assert.That(DeviceValue(gpu.Position), Is.EqualTo(cpu.Offset));

        var cpuStep = new DeviceCounter(Device.Cpu, 6);
        var gpuStep = new DeviceCounter(Gpu, 6);
        var cpuScalars = Tensor.Zeros([2], DType.Float64);
        var gpuScalars = Tensor.Zeros([2], DType.Float64, Gpu);
        Device.Cpu.Backend.AdamStepScalars(cpuStep.Storage, cpuScalars.Storage, 2e-4, 0.5, 0.999);
        Gpu.Backend.AdamStepScalars(gpuStep.Storage, gpuScalars.Storage, 2e-4, 0.5, 0.999);
        Assert.That(DeviceValue(gpuStep), Is.EqualTo(7UL));
        // CUDA's pow is within 2 ulp, glibc's within 1.
        Assert.That(RelativeError(gpuScalars.ToDoubleArray(), cpuScalars.ToDoubleArray()), Is.LessThan(1e-15));
    }

    [Test]
    public void ACapturedGraphReplaysItsWorkOnNewInputs()
    {
        var backend = (CudaBackend)Gpu.Backend;
        using var input = Tensor.Full([1000], 1.0, device: Gpu);
        using var output = Tensor.Zeros([1000], device: Gpu);
        using var graph = backend.Capture(() =>
        {
            using var scope = new TensorScope(); // graph memory: allocated and freed inside
            output.CopyFrom(Ops.Add(Ops.MulScalar(input, 3), input));
        });
        Assert.That(output.ToArray<float>(), Has.All.EqualTo(0f), "capturing runs nothing");
        graph.Launch();
        Assert.That(output.ToArray<float>(), Has.All.EqualTo(4f));
        input.Backend.Fill(input.Storage, 2);
        graph.Launch();
        Assert.That(output.ToArray<float>(), Has.All.EqualTo(8f));
    }

    [Test]
    public void ACaptureRefusesHostReadsAndForeignFreesAndReportsLeaks()
    {
        var backend = (CudaBackend)Gpu.Backend;
        using var x = Tensor.Full([16], 1.0, device: Gpu);

        var read = Assert.Throws<GraphCaptureException>(() => backend.Capture(() => Ops.Sum(x).Item()));
        Assert.That(read!.Message, Does.Contain("CopyToHost").And.Contain("Tensor.Item"));

        var before = Tensor.Zeros([16], device: Gpu);
        var free = Assert.Throws<GraphCaptureException>(() => backend.Capture(before.Dispose));
        Assert.That(free!.Message, Does.Contain("allocated before"));

        Tensor? kept = null;
        var leak = Assert.Throws<GraphCaptureException>(() => backend.Capture(() => kept = Ops.Add(x, x)));
        Assert.That(leak!.Message, Does.Contain("still alive"));
        Assert.DoesNotThrow(kept!.Dispose, "memory of a failed capture is dropped, never freed");

        Assert.That(Ops.Add(x, x).ToArray<float>(), Has.All.EqualTo(2f), "the stream works after the failed captures");
    }

    [Test]
    public void TheLoaderUploadsFromPinnedMemoryWhatTheCpuLoaderHandsOut()
    {
        var data = new SyntheticShapes(40, seed: 5);
        using var gpu = new DataLoader(data, 8, 3, Gpu);
        using var cpu = new DataLoader(data, 8, 3, Device.Cpu);
        using var images = Tensor.Zeros([8, 1, 32, 32], device: Gpu);
        using var labels = Tensor.Zeros([8], DType.Int32, Gpu);
        for (int i = 0; i < 7; i++)
        {
            using var expected = cpu.Next();
            if (i % 2 == 0)
            {
                using var batch = gpu.Next();
                Assert.That(batch.Images.ToArray<float>(), Is.EqualTo(expected.Images.ToArray<float>()), $"batch {i}");
                Assert.That(batch.Labels.ToArray<int>(), Is.EqualTo(expected.Labels.ToArray<int>()), $"batch {i}");
            }
            else
            {
                gpu.NextInto(images, labels);
                Assert.That(images.ToArray<float>(), Is.EqualTo(expected.Images.ToArray<float>()), $"batch {i}");
                Assert.That(labels.ToArray<int>(), Is.EqualTo(expected.Labels.ToArray<int>()), $"batch {i}");
            }
        }
    }

    private static ulong DeviceValue(DeviceCounter counter)
    {
        var words = new int[2];
        counter.Storage.Backend.CopyToHost<int>(counter.Storage, 0, words);
        return (uint)words[0] | ((ulong)(uint)words[1] << 32);
    }
}
