using BenchmarkDotNet.Attributes;
using RawGan.Engine;
using RawGan.Kernels.Cuda;
using RawGan.Kernels.Native;

namespace RawGan.Bench;

/// <summary>
/// Truncated standard normal numbers (|z| ≤ 2, PyTorch's trunc_normal_ default bounds), 2^24 float32. "philox": our
/// Philox4x32-10 kernel with Box–Muller and per-element resampling (CPU and CUDA). "curand-normal" (CUDA only):
/// cuRAND's Philox normal generator alone, the first pass of a "cuRAND normal, then resample the tails" scheme and
/// so a lower bound for it (the resampling pass, touching ~4.6 % of the elements, is not timed). Bytes: the output,
/// written once.
/// </summary>
[Config(typeof(InProcessShortConfig))]
public class TruncatedNormalBench
{
    private const int Count = 1 << 24;
    private const double Threshold = 2.0;
    private Device _device = null!;
    private Storage _y = null!;
    private IntPtr _curand;
    private ulong _offset;

    /// <summary>Device and generator.</summary>
    [ParamsSource(nameof(Cases))]
    public string Case { get; set; } = "cpu/philox";

    /// <summary>philox everywhere, curand-normal on CUDA.</summary>
    public static IEnumerable<string> Cases() => BenchCases.PerDevice(["philox"], "curand-normal");

    /// <summary>The output, written once.</summary>
    public static double Bytes(string benchCase) => 4.0 * Count;

    /// <summary>The output buffer (and the cuRAND generator, on its case).</summary>
    [GlobalSetup]
    public void Setup()
    {
        _device = BenchCases.Open(Case);
        _y = _device.Backend.Allocate(DType.Float32, Count);
        if (BenchCases.VariantOf(Case) == "curand-normal")
        {
            var cuda = (CudaBackend)_device.Backend;
            cuda.Context.MakeCurrent();
            CuRand.Check(CuRand.curandCreateGenerator(out _curand, CuRand.RngPhilox4x32x10));
            CuRand.Check(CuRand.curandSetPseudoRandomGeneratorSeed(_curand, 7));
            CuRand.Check(CuRand.curandSetStream(_curand, cuda.Context.Stream));
        }
    }

    /// <summary>Frees the buffer and the generator.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        if (_curand != IntPtr.Zero) CuRand.curandDestroyGenerator(_curand);
        _curand = IntPtr.Zero;
        BenchData.Free(_y);
    }

    /// <summary>Fills the buffer with the case's generator (a fresh counter range each call).</summary>
    [Benchmark(Baseline = true), Bytes(nameof(Bytes))]
    public void Fill()
    {
        if (_curand != IntPtr.Zero)
            CuRand.Check(CuRand.curandGenerateNormal(_curand, ((CudaBackend)_device.Backend).Ptr(_y), Count, 0f, 1f));
        else
            _device.Backend.FillTruncatedNormal(_y, 7, _offset, Threshold);
        _offset += Count;
        BenchCases.Synchronize(_device);
    }
}
