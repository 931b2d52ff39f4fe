using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace RawGan.Engine.Backends.Cpu;

internal sealed partial class CpuBackend
{
    private const long ElementwiseGrain = 1 << 15;

    public void Binary(BinaryOp op, Storage a, ReadOnlySpan<long> aStrides, Storage b, ReadOnlySpan<long> bStrides,
                       Storage y, ReadOnlySpan<int> shape)
    {
        if (AnyBFloat16(a, b, y))
        {
            using var f = new Float32StandIns(this);
            Binary(op, f.In(a), aStrides, f.In(b), bStrides, f.Out(y), shape);
            f.Round(y);
            return;
        }
        var yStrides = new Shape(shape).ContiguousStrides();
        var it = new StridedIterator(shape, aStrides, bStrides, yStrides);
        if (IsFloat(y)) Binary(op, Data<float>(a), Data<float>(b), Data<float>(y), it);
        else Binary(op, Data<double>(a), Data<double>(b), Data<double>(y), it);
    }

    private static void Binary<T>(BinaryOp op, T[] a, T[] b, T[] y, StridedIterator it) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int inner = it.InnerSize;
        long sa = it.InnerStride(0), sb = it.InnerStride(1);
        long grainRows = Math.Max(1, ElementwiseGrain / Math.Max(1, inner));
        ParallelRanges(it.Rows, grainRows, (r0, r1) =>
        {
            for (long row = r0; row < r1; row++)
            {
                long oa = it.Offset(row, 0), ob = it.Offset(row, 1), oy = it.Offset(row, 2);
                var dst = Slice(y, oy, inner);
                if (sa == 1 && sb == 1) Row(op, Slice(a, oa, inner), Slice(b, ob, inner), dst);
                else if (sa == 1 && sb == 0) RowScalarRight(op, Slice(a, oa, inner), b[ob], dst);
                else if (sa == 0 && sb == 1) RowScalarLeft(op, a[oa], Slice(b, ob, inner), dst);
                else
                {
                    for (int i = 0; i < inner; i++) dst[i] = Apply(op, a[oa + i * sa], b[ob + i * sb]);
                }
            }
        });
    }

    private static T Apply<T>(BinaryOp op, T x, T z) where T : IFloatingPointIeee754<T> => op switch
    {
        BinaryOp.Add => x + z,
        BinaryOp.Sub => x - z,
        BinaryOp.Mul => x * z,
        _ => x / z,
    };

    private static void Row<T>(BinaryOp op, ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) where T : IFloatingPointIeee754<T>
    {
        switch (op)
        {
            case BinaryOp.Add: TensorPrimitives.Add(a, b, y); break;
            case BinaryOp.Sub: TensorPrimitives.Subtract(a, b, y); break;
            case BinaryOp.Mul: TensorPrimitives.Multiply(a, b, y); break;
            default: TensorPrimitives.Divide(a, b, y); break;
        }
    }

    private static void RowScalarRight<T>(BinaryOp op, ReadOnlySpan<T> a, T b, Span<T> y) where T : IFloatingPointIeee754<T>
    {
        switch (op)
        {
            case BinaryOp.Add: TensorPrimitives.Add(a, b, y); break;
            case BinaryOp.Sub: TensorPrimitives.Subtract(a, b, y); break;
            case BinaryOp.Mul: TensorPrimitives.Multiply(a, b, y); break;
            default: TensorPrimitives.Divide(a, b, y); break;
        }
    }

    private static void RowScalarLeft<T>(BinaryOp op, T a, ReadOnlySpan<T> b, Span<T> y) where T : IFloatingPointIeee754<T>
    {
        switch (op)
        {
            case BinaryOp.Add: TensorPrimitives.Add(b, a, y); break;
            case BinaryOp.Sub: TensorPrimitives.Subtract(a, b, y); break;
            case BinaryOp.Mul: TensorPrimitives.Multiply(b, a, y); break;
            default: TensorPrimitives.Divide(a, b, y); break;
        }
    }

    public void Unary(UnaryOp op, Storage x, Storage y, long n)
    {
        if (AnyBFloat16(x, y))
        {
            using var f = new Float32StandIns(this);
            Unary(op, f.In(x), f.Out(y), n);
            f.Round(y);
            return;
        }
        if (IsFloat(x)) Unary(op, Data<float>(x), Data<float>(y), n);
        else Unary(op, Data<double>(x), Data<double>(y), n);
    }

    private static void Unary<T>(UnaryOp op, T[] x, T[] y, long n) where T : unmanaged, IFloatingPointIeee754<T> =>
        ParallelRanges(n, ElementwiseGrain, (s, e) =>
        {
            var src = Slice(x, s, e - s);
            var dst = Slice(y, s, e - s);
            switch (op)
            {
                case UnaryOp.Relu: TensorPrimitives.Max(src, T.Zero, dst); break;
                case UnaryOp.Tanh: TensorPrimitives.Tanh(src, dst); break;
                case UnaryOp.Exp: TensorPrimitives.Exp(src, dst); break;
                default: TensorPrimitives.Log(src, dst); break;
            }
        });

    public void UnaryBackward(UnaryOp op, Storage xOrY, Storage dy, Storage dx, long n)
    {
        if (AnyBFloat16(xOrY, dy, dx))
        {
            using var f = new Float32StandIns(this);
            UnaryBackward(op, f.In(xOrY), f.In(dy), f.Out(dx), n);
            f.Round(dx);
            return;
        }
        if (IsFloat(dx)) UnaryBackward(op, Data<float>(xOrY), Data<float>(dy), Data<float>(dx), n);
        else UnaryBackward(op, Data<double>(xOrY), Data<double>(dy), Data<double>(dx), n);
    }

    private static void UnaryBackward<T>(UnaryOp op, T[] arg, T[] dy, T[] dx, long n) where T : unmanaged, IFloatingPointIeee754<T> =>
        ParallelRanges(n, ElementwiseGrain, (s, e) =>
        {
            var v = Slice(arg, s, e - s);
            var g = Slice(dy, s, e - s);
            var d = Slice(dx, s, e - s);
            switch (op)
            {
                case UnaryOp.Relu: // dx = dy where x > 0
                    ReluBackward<T>(v, g, d);
                    break;
                case UnaryOp.Tanh: // dx = dy (1 − y²)
                    for (int i = 0; i < d.Length; i++) d[i] = g[i] * (T.One - v[i] * v[i]);
                    break;
                case UnaryOp.Exp: // dx = dy y
                    TensorPrimitives.Multiply(g, v, d);
                    break;
                default: // dx = dy / x
                    TensorPrimitives.Divide(g, v, d);
                    break;
            }
        });

    // dx = dy where x > 0, else 0: a vector select (a branch per element mispredicts on ReLU's random signs).
    private static void ReluBackward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var xs = MemoryMarshal.Cast<T, Vector<T>>(x);
            var gs = MemoryMarshal.Cast<T, Vector<T>>(dy);
            var ds = MemoryMarshal.Cast<T, Vector<T>>(dx);
            for (int v = 0; v < ds.Length; v++) ds[v] = Vector.ConditionalSelect(Vector.GreaterThan(xs[v], Vector<T>.Zero), gs[v], Vector<T>.Zero);
            i = ds.Length * Vector<T>.Count;
        }
        for (; i < dx.Length; i++) dx[i] = x[i] > T.Zero ? dy[i] : T.Zero;
    }

    public void Affine(Storage x, Storage y, long n, double scale, double shift)
    {
        if (AnyBFloat16(x, y))
        {
            using var f = new Float32StandIns(this);
            Affine(f.In(x), f.Out(y), n, scale, shift);
            f.Round(y);
            return;
        }
        if (IsFloat(x)) Affine(Data<float>(x), Data<float>(y), n, (float)scale, (float)shift);
        else Affine(Data<double>(x), Data<double>(y), n, scale, shift);
    }

    private static void Affine<T>(T[] x, T[] y, long n, T scale, T shift) where T : unmanaged, IFloatingPointIeee754<T> =>
        ParallelRanges(n, ElementwiseGrain, (s, e) =>
            ScaleShift(Slice(x, s, e - s), scale, shift, Slice(y, s, e - s)));

    public void Axpby(double a, Storage x, double b, Storage y, long n)
    {
        if (IsFloat(x)) Axpby((float)a, Data<float>(x), (float)b, Data<float>(y), n);
        else Axpby(a, Data<double>(x), b, Data<double>(y), n);
    }

    private static void Axpby<T>(T a, T[] x, T b, T[] y, long n) where T : unmanaged, IFloatingPointIeee754<T> =>
        ParallelRanges(n, ElementwiseGrain, (s, e) =>
        {
            var xs = Slice(x, s, e - s);
            var ys = Slice(y, s, e - s);
            for (int i = 0; i < ys.Length; i++) ys[i] = a * xs[i] + b * ys[i];
        });

    /// <summary>dst = src·scale + shift (src and dst may alias).</summary>
    internal static void ScaleShift<T>(ReadOnlySpan<T> src, T scale, T shift, Span<T> dst) where T : unmanaged, IFloatingPointIeee754<T>
    {
        TensorPrimitives.Multiply(src, scale, dst);
        if (shift != T.Zero) TensorPrimitives.Add(dst, shift, dst);
    }
}
