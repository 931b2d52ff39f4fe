using System.Numerics;
using System.Numerics.Tensors;

namespace RawGan.Engine.Backends.Cpu;

internal sealed partial class CpuBackend
{
    public void ReduceSum(Storage x, ReadOnlySpan<int> xShape, Storage y, ReadOnlySpan<int> yShape, double scale)
    {
        if (xShape.Length != yShape.Length) throw new ArgumentException("ReduceSum needs shapes of equal rank.");
        if (AnyBFloat16(x, y))
        {
            using var f = new Float32StandIns(this);
            ReduceSum(f.In(x), xShape, f.Out(y), yShape, scale);
            f.Round(y);
            return;
        }
        var xStrides = new Shape(xShape).ContiguousStrides();
        var yStrides = new Shape(yShape).ContiguousStrides();
        for (int i = 0; i < xShape.Length; i++)
        {
            if (yShape[i] == 1 && xShape[i] != 1) yStrides[i] = 0;
            else if (yShape[i] != xShape[i]) throw new ArgumentException($"ReduceSum cannot reduce {new Shape(xShape)} to {new Shape(yShape)}.");
        }
        var it = new StridedIterator(xShape, xStrides, yStrides);
        if (IsFloat(x)) ReduceSum(Data<float>(x), Data<float>(y), it, (float)scale);
        else ReduceSum(Data<double>(x), Data<double>(y), it, scale);
    }

    private static void ReduceSum<T>(T[] x, T[] y, StridedIterator it, T scale) where T : unmanaged, IFloatingPointIeee754<T>
    {
        long yLen = y.Length;
        Array.Clear(y);
        int inner = it.InnerSize;
        long yIn = it.InnerStride(1);
        // Rows of the outermost merged dimension write to distinct outputs when y keeps that dimension:
        // split the work there; otherwise accumulate sequentially.
        bool outerKept = it.Rank > 1 && it.Stride(1, 0) != 0;
        long rowsPerOuter = it.Rows / Math.Max(1, it.Rank > 1 ? it.Dim(0) : 1);
        void Run(long r0, long r1)
        {
            for (long row = r0; row < r1; row++)
            {
                long ox = it.Offset(row, 0), oy = it.Offset(row, 1);
                var src = Slice(x, ox, inner);
                if (yIn == 0) y[oy] += TensorPrimitives.Sum<T>(src);
                else
                {
                    var dst = Slice(y, oy, inner);
                    TensorPrimitives.Add(dst, src, dst);
                }
            }
        }
        if (outerKept && it.Rows > 1) ParallelRanges(it.Dim(0), 1, (o0, o1) => Run(o0 * rowsPerOuter, o1 * rowsPerOuter));
        else Run(0, it.Rows);
        if (scale != T.One) TensorPrimitives.Multiply(y.AsSpan(0, checked((int)yLen)), scale, y.AsSpan(0, (int)yLen));
    }

    public void SoftmaxForward(Storage x, Storage y, int rows, int cols)
    {
        if (IsFloat(x)) SoftmaxForward(Data<float>(x), Data<float>(y), rows, cols);
        else SoftmaxForward(Data<double>(x), Data<double>(y), rows, cols);
    }

    private static void SoftmaxForward<T>(T[] x, T[] y, int rows, int cols) where T : unmanaged, IFloatingPointIeee754<T> =>
        ParallelRanges(rows, Math.Max(1, 4096 / Math.Max(1, cols)), (r0, r1) =>
        {
            for (long r = r0; r < r1; r++)
            {
                var src = Slice(x, r * cols, cols);
                var dst = Slice(y, r * cols, cols);
                // Subtract the row maximum first so exp never overflows.
                TensorPrimitives.Subtract(src, TensorPrimitives.Max<T>(src), dst);
                TensorPrimitives.Exp<T>(dst, dst);
                TensorPrimitives.Divide(dst, TensorPrimitives.Sum<T>(dst), dst);
            }
        });

    public void SoftmaxBackward(Storage y, Storage dy, Storage dx, int rows, int cols)
    {
        if (IsFloat(y)) SoftmaxBackward(Data<float>(y), Data<float>(dy), Data<float>(dx), rows, cols);
        else SoftmaxBackward(Data<double>(y), Data<double>(dy), Data<double>(dx), rows, cols);
    }

    private static void SoftmaxBackward<T>(T[] y, T[] dy, T[] dx, int rows, int cols) where T : unmanaged, IFloatingPointIeee754<T> =>
        ParallelRanges(rows, Math.Max(1, 4096 / Math.Max(1, cols)), (r0, r1) =>
        {
            for (long r = r0; r < r1; r++)
            {
                var yr = Slice(y, r * cols, cols);
                var g = Slice(dy, r * cols, cols);
                var d = Slice(dx, r * cols, cols);
                T dot = TensorPrimitives.Dot<T>(g, yr);
                TensorPrimitives.Subtract(g, dot, d);
                TensorPrimitives.Multiply(d, yr, d);
            }
        });
}
