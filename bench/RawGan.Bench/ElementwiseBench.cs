using System.Numerics;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using RawGan.Engine;
using RawGan.Engine.Backends.Cpu;
using RawGan.Kernels.Cuda;
using RawGan.Kernels.Native;

namespace RawGan.Bench;

/// <summary>
/// Memory-bound references. Copy is the bandwidth yardstick of a run: every other memory-bound kernel's GB/s is
/// reported as a fraction of it (bench/compare.py). On the CPU it is a SIMD copy loop split over the cores, on
/// CUDA cuMemcpyDtoDAsync. Beside it: the engine's own contiguous copy (StridedCopy as Clone runs it), a strided copy
/// into every other channel block (StridedCopy as Cat and Narrow's backward run it: x (N,C,H,W) into the first C
/// channels of an (N,2C,H,W) tensor), an elementwise add of two same-shape tensors, and a multiply by a
/// per-(sample, channel) factor broadcast over the pixels (conditional BN's gain). Each moves its compulsory bytes
/// (every input element read once, every output element written once). Shapes: "b32" = BigGAN-32's largest
/// activation (32×128×32×32 float32, 16 MiB); "b128" (CUDA only) = BigGAN-128's 64×192×64×64 (192 MiB, well past an
/// H100's L2).
/// </summary>
[Config(typeof(InProcessShortConfig))]
public class ElementwiseBench
{
    private Device _device = null!;
    private IBackend _backend = null!;
    private int[] _shape = null!;
    private long _n;
    private Storage _a = null!, _b = null!, _y = null!, _scale = null!, _wide = null!;

    /// <summary>Device and shape.</summary>
    [ParamsSource(nameof(Cases))]
    public string Case { get; set; } = "cpu/b32";

    /// <summary>b32 on every device, b128 on CUDA.</summary>
    public static IEnumerable<string> Cases() => BenchCases.PerDevice(["b32"], "b128");

    /// <summary>(N, C, H, W) of a case.</summary>
    public static int[] ShapeOf(string benchCase) => BenchCases.VariantOf(benchCase) == "b128" ? [64, 192, 64, 64] : [32, 128, 32, 32];

    private static double Elements(string benchCase) => ShapeOf(benchCase).Aggregate(1.0, (p, d) => p * d);

    /// <summary>Read once, written once.</summary>
    public static double CopyBytes(string benchCase) => 2 * 4 * Elements(benchCase);

    /// <summary>Two reads, one write.</summary>
    public static double AddBytes(string benchCase) => 3 * 4 * Elements(benchCase);

    /// <summary>One read and one write per element, and the N·C broadcast factors read once.</summary>
    public static double MulBroadcastBytes(string benchCase) => 4 * (2 * Elements(benchCase) + ShapeOf(benchCase)[0] * ShapeOf(benchCase)[1]);

    /// <summary>Random operands.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _device = BenchCases.Open(Case);
        _backend = _device.Backend;
        _shape = ShapeOf(Case);
        _n = (long)Elements(Case);
        _a = BenchData.Uniform(_backend, _n, 1);
        _b = BenchData.Uniform(_backend, _n, 2);
        _y = _backend.Allocate(DType.Float32, _n);
        _scale = BenchData.Uniform(_backend, (long)_shape[0] * _shape[1], 3);
        _wide = _backend.Allocate(DType.Float32, 2 * _n);
    }

    /// <summary>Frees the operands.</summary>
    [GlobalCleanup]
    public void Cleanup() => BenchData.Free(_a, _b, _y, _scale, _wide);

    /// <summary>The copy reference: memcpy over the cores (CPU) or cuMemcpyDtoDAsync (CUDA).</summary>
    [Benchmark(Baseline = true), Bytes(nameof(CopyBytes))]
    public void Copy()
    {
        if (_backend is CudaBackend cuda)
        {
            cuda.Context.MakeCurrent();
            CudaDriver.Check(CudaDriver.cuMemcpyDtoDAsync(cuda.Ptr(_y), cuda.Ptr(_a), (nuint)(_n * sizeof(float)), cuda.Context.Stream));
        }
        else
        {
            // A SIMD loop with ordinary stores, one slice per core. Array.Copy (memmove) switches to non-temporal
            // stores for large blocks, which send the destination to DRAM even where it would stay in L3 (as
            // PyTorch's copy_ keeps it): measured 31 GB/s against PyTorch's 132 GB/s on this 2 × 16 MiB copy.
            float[] src = CpuBackend.Data<float>(_a), dst = CpuBackend.Data<float>(_y);
            int parts = Environment.ProcessorCount;
            long chunk = (_n + parts - 1) / parts;
            Parallel.For(0, parts, p =>
            {
                long start = p * chunk, end = Math.Min(_n, start + chunk), i = start;
                ref float s0 = ref MemoryMarshal.GetArrayDataReference(src), d0 = ref MemoryMarshal.GetArrayDataReference(dst);
                for (; i <= end - Vector<float>.Count; i += Vector<float>.Count)
                    Vector.LoadUnsafe(ref s0, (nuint)i).StoreUnsafe(ref d0, (nuint)i);
                for (; i < end; i++) dst[i] = src[i];
            });
        }
        BenchCases.Synchronize(_device);
    }

    /// <summary>The engine's contiguous copy (what Clone runs).</summary>
    [Benchmark, Bytes(nameof(CopyBytes))]
    public void EngineCopy()
    {
        _backend.StridedCopy(_a, 0, [1], _y, 0, [1], [(int)_n]);
        BenchCases.Synchronize(_device);
    }

    /// <summary>x (N,C,H,W) into channels [0, C) of an (N,2C,H,W) tensor: rows of C·H·W contiguous elements, every other one.</summary>
    [Benchmark, Bytes(nameof(CopyBytes))]
    public void StridedCopy()
    {
        long plane = (long)_shape[1] * _shape[2] * _shape[3];
        _backend.StridedCopy(_a, 0, [plane, 1], _wide, 0, [2 * plane, 1], [_shape[0], (int)plane]);
        BenchCases.Synchronize(_device);
    }

    /// <summary>y = a + b, same shapes.</summary>
    [Benchmark, Bytes(nameof(AddBytes))]
    public void Add()
    {
        var strides = ContiguousStrides(_shape);
        _backend.Binary(BinaryOp.Add, _a, strides, _b, strides, _y, _shape);
        BenchCases.Synchronize(_device);
    }

    /// <summary>y = a · s with s (N, C, 1, 1) broadcast over the pixels.</summary>
    [Benchmark, Bytes(nameof(MulBroadcastBytes))]
    public void MulBroadcast()
    {
        _backend.Binary(BinaryOp.Mul, _a, ContiguousStrides(_shape), _scale, [_shape[1], 1, 0, 0], _y, _shape);
        BenchCases.Synchronize(_device);
    }

    private static long[] ContiguousStrides(int[] shape)
    {
        var strides = new long[shape.Length];
        long s = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            strides[i] = s;
            s *= shape[i];
        }
        return strides;
    }
}
