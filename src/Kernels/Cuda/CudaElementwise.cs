using RawGan.Engine;
using RawGan.Kernels.Native;
using RawGan.Kernels.Ops;
using static RawGan.Kernels.Ops.ElementwiseKernels;

namespace RawGan.Kernels.Cuda;

public sealed partial class CudaBackend
{
    /// <summary>A scalar kernel argument in the storage's precision.</summary>
    internal static KernelArg Scalar(Storage like, double v) => like.DType == DType.Float32 ? (KernelArg)(float)v : v;

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
        var entry = src.DType switch
        {
            DType.Float32 => StridedCopyF32,
            DType.Float64 => StridedCopyF64,
            _ => StridedCopyI32,
        };
        Launch(entry, GridFor(l.Count), Block, 0, Ptr(src, srcOffset), Ptr(dst, dstOffset),
               l.D(0), l.D(1), l.D(2), l.D(3), l.S(0, 0), l.S(0, 1), l.S(0, 2), l.S(0, 3), l.S(1, 0), l.S(1, 1), l.S(1, 2), l.S(1, 3));
    }

    /// <inheritdoc/>
    public void Binary(BinaryOp op, Storage a, ReadOnlySpan<long> aStrides, Storage b, ReadOnlySpan<long> bStrides,
                       Storage y, ReadOnlySpan<int> shape)
    {
        var yStrides = new Shape(shape).ContiguousStrides();
        var l = new Layout4(shape, aStrides.ToArray(), bStrides.ToArray(), yStrides);
        ulong pa = Ptr(a), pb = Ptr(b), py = Ptr(y);
        bool sameContiguous = l.D(0) == 1 && l.D(1) == 1 && l.D(2) == 1 && l.S(0, 3) == 1 && l.S(1, 3) == 1;
        if (y.DType == DType.Float32 && sameContiguous && l.Count % 4 == 0 && ((pa | pb | py) & 15) == 0)
        {
            long n4 = l.Count / 4;
            Launch(BinaryVec4F32, GridFor(n4), Block, 0, (int)op, pa, pb, py, n4);
            return;
        }
        Launch(ElementwiseKernels.Binary.For(y.DType), GridFor(l.Count), Block, 0, (int)op, pa, pb, py,
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
