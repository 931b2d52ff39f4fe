using RawGan.Engine;
using RawGan.Kernels.Cuda;

namespace RawGan.Tests.Cuda;

/// <summary>
/// Base of the tests that need a GPU: without one they are reported as skipped (never passed), the first with the
/// probe's one-line reason. With one, they compare the CUDA backend against the CPU backend.
/// </summary>
[Category("Cuda")]
public abstract class CudaTestBase
{
    private static readonly Lazy<CudaBackend?> Backend = new(() => CudaProbe.Availability.IsAvailable ? CudaBackend.Open() : null);

    /// <summary>The GPU device.</summary>
    protected static Device Gpu => Device.For(Backend.Value!);

    /// <summary>Ends the reason the first skipped test gives; the probe's own words before it vary by machine.</summary>
    public const string SkipNote = "Every test of the Cuda category is skipped.";

    private static int _reasonGiven;

    [SetUp]
    public void RequireGpu()
    {
        if (CudaProbe.Availability.IsAvailable) return;
        // One reason skips them all: the first skipped test gives it, the others none (the log lists every skipped test).
        Assert.Ignore(Interlocked.Exchange(ref _reasonGiven, 1) == 0 ? $"{CudaProbe.Availability.Message} {SkipNote}" : "");
    }

    /// <summary>Norm-wise relative error max|a − b| / max|b| (absolute when b is all zeros).</summary>
    protected static double RelativeError(double[] actual, double[] expected)
    {
        Assert.That(actual, Has.Length.EqualTo(expected.Length));
        double diff = 0, scale = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            diff = Math.Max(diff, Math.Abs(actual[i] - expected[i]));
            scale = Math.Max(scale, Math.Abs(expected[i]));
        }
        return scale == 0 ? diff : diff / scale;
    }

    /// <summary>Asserts that the GPU tensor matches the CPU reference within the dtype's parity tolerance.</summary>
    protected static void AssertClose(Tensor gpu, Tensor cpu, string what, double? tolerance = null)
    {
        Assert.That(gpu.Shape, Is.EqualTo(cpu.Shape), what);
        double tol = tolerance ?? (cpu.DType == DType.Float64 ? 1e-12 : 1e-4);
        double err = RelativeError(gpu.ToDoubleArray(), cpu.ToDoubleArray());
        Assert.That(err, Is.LessThanOrEqualTo(tol), $"{what}: relative error {err:e3} (tolerance {tol:e1})");
    }

    /// <summary>A random tensor on the CPU and its copy on the GPU.</summary>
    protected static (Tensor Cpu, Tensor Gpu) Pair(Shape shape, DType dtype, Random rng, double offset = 0)
    {
        var data = new double[shape.Numel];
        for (int i = 0; i < data.Length; i++) data[i] = rng.NextDouble() * 2 - 1 + offset;
        var cpu = Tensor.FromArray(data, shape).ToDType(dtype);
        return (cpu, cpu.To(Gpu));
    }

    /// <summary>A fresh seed per run, printed so a failure can be reproduced.</summary>
    protected static Random Seeded(out int seed)
    {
        seed = Random.Shared.Next();
        TestContext.Out.WriteLine($"seed {seed}");
        return new Random(seed);
    }
}
