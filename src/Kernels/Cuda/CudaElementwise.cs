using RawGan.Engine;
using RawGan.Kernels.Native;
using RawGan.Kernels.Ops;
using static RawGan.Kernels.Ops.ElementwiseKernels;

namespace RawGan.Kernels.Cuda;

public sealed partial class CudaBackend
{
    /// <summary>
    /// Blocks for a streaming pass over <paramref name="elements"/> in 16-byte packs, four per thread per iteration: at
    /// most one wave of resident blocks, which then loop (a pass that falls back to single elements loops longer).
    /// </summary>
    internal uint ElementGrid(long elements, DType dtype)
    {
        long threads = (elements / PackWidth(dtype) + 3) / 4;
        return (uint)Math.Clamp((threads + Block - 1) / Block, elements > 0 ? 1 : 0, ResidentBlocks);
    }

    /// <summary>256-thread blocks resident at once at full occupancy (2048 threads per multiprocessor).</summary>
    private long ResidentBlocks => Context.MultiprocessorCount * 8L;

    /// <summary>Elements of a dtype in one 16-byte load (Elems&lt;T, W&gt; in kernels-cu/common.cuh).</summary>
    private static int PackWidth(DType dtype) => 16 / dtype.SizeInBytes();

    /// <summary>A scalar kernel argument in the precision the storage's kernels compute in (float32 for bfloat16).</summary>
    internal static KernelArg Scalar(Storage like, double v) => like.DType is DType.Float32 or DType.BFloat16 ? (KernelArg)(float)v : v;

    /// <inheritdoc/>
    public void Fill(Storage dst, double value)
    {
        long n = dst.Length;
        if (BitConverter.DoubleToInt64Bits(value) == 0) // +0.0: every dtype's zero is all-zero bytes
        {
            if (n == 0) return;
            Context.MakeCurrent();
            CudaDriver.Check(CudaDriver.cuMemsetD8Async(Ptr(dst), 0, (nuint)dst.Bytes, Context.Stream));
            return;
        }
        if (dst.DType == DType.Int32) Launch(FillI32, GridFor(n), Block, 0, Ptr(dst), n, (int)value);
        else if (dst.DType == DType.BFloat16) Launch(FillBF16, GridFor(n), Block, 0, Ptr(dst), n, (uint)((BFloat16)value).Bits);
        else Launch(ElementwiseKernels.Fill.For(dst.DType), GridFor(n), Block, 0, Ptr(dst), n, Scalar(dst, value));
    }

    /// <inheritdoc/>
    public void Cast(Storage src, Storage dst, long n)
    {
        var entry = (src.DType, dst.DType) switch
        {
            (DType.Float32, DType.Float64) => CastF32F64,
            (DType.Float64, DType.Float32) => CastF64F32,
            (DType.Int32, DType.Float32) => CastI32F32,
            (DType.Int32, DType.Float64) => CastI32F64,
            (DType.Float32, DType.Int32) => CastF32I32,
            (DType.Float64, DType.Int32) => CastF64I32,
            (DType.Float32, DType.BFloat16) => CastF32BF16,
            (DType.Float64, DType.BFloat16) => CastF64BF16,
            (DType.BFloat16, DType.Float32) => CastBF16F32,
            (DType.BFloat16, DType.Float64) => CastBF16F64,
            _ => null,
        };
        if (entry is null)
        {
            StridedCopy(src, 0, [1], dst, 0, [1], [checked((int)n)]);
            return;
        }
        Launch(entry, GridFor(n), Block, 0, Ptr(src), Ptr(dst), n);
    }

    /// <inheritdoc/>
    public void StridedCopy(Storage src, long srcOffset, ReadOnlySpan<long> srcStrides,
                            Storage dst, long dstOffset, ReadOnlySpan<long> dstStrides, ReadOnlySpan<int> shape)
    {
        var l = new Layout4(shape, srcStrides.ToArray(), dstStrides.ToArray());
        if (l.Count == 0) return;
        if (l.D(0) == 1 && l.D(1) == 1 && l.D(2) == 1 && l.S(0, 3) == 1 && l.S(1, 3) == 1)
        {
            // One contiguous run on both sides (Clone, a contiguous part of Cat): the driver's copy, the bandwidth yardstick.
            Context.MakeCurrent();
            CudaDriver.Check(CudaDriver.cuMemcpyDtoDAsync(Ptr(dst, dstOffset), Ptr(src, srcOffset), (nuint)(l.Count * src.DType.SizeInBytes()), Context.Stream));
            return;
        }
        var entry = src.DType switch
        {
            DType.Float32 => StridedCopyF32,
            DType.Float64 => StridedCopyF64,
            DType.BFloat16 => StridedCopyBF16,
            _ => StridedCopyI32,
        };
        Launch(entry, ElementGrid(l.Count, src.DType), Block, 0, Ptr(src, srcOffset), Ptr(dst, dstOffset),
               l.D(0), l.D(1), l.D(2), l.D(3), l.S(0, 0), l.S(0, 1), l.S(0, 2), l.S(0, 3), l.S(1, 0), l.S(1, 1), l.S(1, 2), l.S(1, 3));
    }

    /// <inheritdoc/>
    public void Binary(BinaryOp op, Storage a, ReadOnlySpan<long> aStrides, Storage b, ReadOnlySpan<long> bStrides,
                       Storage y, ReadOnlySpan<int> shape)
    {
        var yStrides = new Shape(shape).ContiguousStrides();
        var l = new Layout4(shape, aStrides.ToArray(), bStrides.ToArray(), yStrides);
        Launch(ElementwiseKernels.Binary.For(y.DType), ElementGrid(l.Count, y.DType), Block, 0, (int)op, Ptr(a), Ptr(b), Ptr(y),
               l.D(0), l.D(1), l.D(2), l.D(3), l.S(0, 0), l.S(0, 1), l.S(0, 2), l.S(0, 3), l.S(1, 0), l.S(1, 1), l.S(1, 2), l.S(1, 3));
    }

    /// <inheritdoc/>
    public void Unary(UnaryOp op, Storage x, Storage y, long n) =>
        Launch(ElementwiseKernels.Unary.For(x.DType), GridFor(n), Block, 0, (int)op, Ptr(x), Ptr(y), n);

    /// <inheritdoc/>
    public void UnaryBackward(UnaryOp op, Storage xOrY, Storage dy, Storage dx, long n) =>
        Launch(ElementwiseKernels.UnaryBackward.For(dx.DType), GridFor(n), Block, 0, (int)op, Ptr(xOrY), Ptr(dy), Ptr(dx), n);

    /// <inheritdoc/>
    public void Affine(Storage x, Storage y, long n, double scale, double shift) =>
        Launch(ElementwiseKernels.Affine.For(x.DType), GridFor(n), Block, 0, Ptr(x), Ptr(y), n, Scalar(x, scale), Scalar(x, shift));

    /// <inheritdoc/>
    public void Axpby(double a, Storage x, double b, Storage y, long n) =>
        Launch(ElementwiseKernels.Axpby.For(x.DType), GridFor(n), Block, 0, Scalar(x, a), Ptr(x), Scalar(x, b), Ptr(y), n);
}
