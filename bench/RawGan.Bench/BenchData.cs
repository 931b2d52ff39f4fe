using RawGan.Engine;

namespace RawGan.Bench;

/// <summary>Operands for the benchmarks, made on the benchmarked device itself (no host round trip).</summary>
internal static class BenchData
{
    /// <summary>Uniform numbers in (−1, 1) of the given dtype (bfloat16: float32 numbers rounded).</summary>
    public static Storage Uniform(IBackend backend, long length, ulong seed, DType dtype = DType.Float32)
    {
        var s = backend.Allocate(dtype == DType.BFloat16 ? DType.Float32 : dtype, length);
        backend.FillUniform(s, seed, 0);
        backend.Affine(s, s, length, 2, -1);
        if (dtype != DType.BFloat16) return s;
        var rounded = backend.Allocate(DType.BFloat16, length);
        backend.Cast(s, rounded, length);
        s.Dispose();
        return rounded;
    }

    /// <summary>A tensor of uniform numbers in (−1, 1).</summary>
    public static Tensor Uniform(Shape shape, ulong seed, Device device, bool requiresGrad = false)
    {
        var t = Tensor.RandomUniform(shape, seed, device: device);
        var backend = device.Backend;
        backend.Affine(t.Storage, t.Storage, t.Numel, 2, -1);
        t.RequiresGrad = requiresGrad;
        return t;
    }

    /// <summary>Disposes what a benchmark allocated (device memory goes back at once, not at the next collection).</summary>
    public static void Free(params IDisposable?[] items)
    {
        foreach (var item in items) item?.Dispose();
    }
}
