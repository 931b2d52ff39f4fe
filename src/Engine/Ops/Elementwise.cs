using RawGan.Engine.Autograd;
using RawGan.Engine.Profiling;

namespace RawGan.Engine;

public static partial class Ops
{
    /// <summary>a + b with NumPy broadcasting.</summary>
    public static Tensor Add(Tensor a, Tensor b) => Binary(BinaryOp.Add, a, b);

    /// <summary>a − b with NumPy broadcasting.</summary>
    public static Tensor Sub(Tensor a, Tensor b) => Binary(BinaryOp.Sub, a, b);

    /// <summary>a ⊙ b with NumPy broadcasting.</summary>
    public static Tensor Mul(Tensor a, Tensor b) => Binary(BinaryOp.Mul, a, b);

    /// <summary>a / b with NumPy broadcasting.</summary>
    public static Tensor Div(Tensor a, Tensor b) => Binary(BinaryOp.Div, a, b);

    private static Tensor Binary(BinaryOp op, Tensor a, Tensor b)
    {
        (a, b) = Promote(a, b);
        CheckSame(op.ToString(), a, b);
        var shape = Shape.Broadcast(a.Shape, b.Shape);
        using var _ = Profiler.Scope(op.ToString(), cost: OpCost.Memory(a.DType, a.Numel + b.Numel, shape.Numel), shape: a.Shape, other: b.Shape);
        var y = Empty(a, shape);
        a.Backend.Binary(op, a.Storage, a.Shape.BroadcastStrides(shape), b.Storage, b.Shape.BroadcastStrides(shape), y.Storage, shape.AsSpan());
        return Tape.Record(op.ToString(), y, [a, b], dy => op switch
        {
            // d(a+b) = dy, dy;  d(a−b) = dy, −dy;  d(ab) = dy·b, dy·a;  d(a/b) = dy/b, −dy·a/b².
            BinaryOp.Add => [SumTo(dy, a.Shape), SumTo(dy, b.Shape)],
            BinaryOp.Sub => [SumTo(dy, a.Shape), b.RequiresGrad ? SumTo(Neg(dy), b.Shape) : null],
            BinaryOp.Mul => [a.RequiresGrad ? SumTo(Mul(dy, b), a.Shape) : null, b.RequiresGrad ? SumTo(Mul(dy, a), b.Shape) : null],
            BinaryOp.Div => [a.RequiresGrad ? SumTo(Div(dy, b), a.Shape) : null, b.RequiresGrad ? SumTo(Neg(Div(Mul(dy, y), b)), b.Shape) : null],
            _ => throw new NotSupportedException(op.ToString()),
        });
    }

    /// <summary>scale·x + shift (scalar operations: x + c, x·c, −x, c − x).</summary>
    public static Tensor Affine(Tensor x, double scale, double shift)
    {
        CheckSame(nameof(Affine), x);
        using var _ = Profiler.Scope(nameof(Affine), cost: OpCost.Memory(x.DType, x.Numel, x.Numel), shape: x.Shape);
        var y = Empty(x, x.Shape);
        x.Backend.Affine(x.Storage, y.Storage, x.Numel, scale, shift);
        return Tape.Record(nameof(Affine), y, [x], dy => [Affine(dy, scale, 0)]);
    }

    /// <summary>x + c.</summary>
    public static Tensor AddScalar(Tensor x, double c) => Affine(x, 1, c);

    /// <summary>x · c.</summary>
    public static Tensor MulScalar(Tensor x, double c) => Affine(x, c, 0);

    /// <summary>−x.</summary>
    public static Tensor Neg(Tensor x) => Affine(x, -1, 0);

    /// <summary>max(x, 0).</summary>
    public static Tensor Relu(Tensor x) => Unary(UnaryOp.Relu, x);

    /// <summary>tanh(x).</summary>
    public static Tensor Tanh(Tensor x) => Unary(UnaryOp.Tanh, x);

    /// <summary>eˣ.</summary>
    public static Tensor Exp(Tensor x) => Unary(UnaryOp.Exp, x);

    /// <summary>ln x.</summary>
    public static Tensor Log(Tensor x) => Unary(UnaryOp.Log, x);

    private static Tensor Unary(UnaryOp op, Tensor x)
    {
        CheckSame(op.ToString(), x);
        using var _ = Profiler.Scope(op.ToString(), cost: OpCost.Memory(x.DType, x.Numel, x.Numel), shape: x.Shape);
        var y = Empty(x, x.Shape);
        x.Backend.Unary(op, x.Storage, y.Storage, x.Numel);
        return Tape.Record(op.ToString(), y, [x], dy =>
        {
            // relu' = [x > 0], ln' = 1/x read x; tanh' = 1 − y², exp' = y read the output.
            var dx = Empty(x, x.Shape);
            var arg = op is UnaryOp.Relu or UnaryOp.Log ? x : y;
            x.Backend.UnaryBackward(op, arg.Storage, dy.Storage, dx.Storage, x.Numel);
            return [dx];
        }, OpCost.Memory(x.DType, 2 * x.Numel, x.Numel));
    }

    /// <summary>Sums a broadcast gradient back to <paramref name="shape"/> (the backward of broadcasting).</summary>
    public static Tensor SumTo(Tensor g, Shape shape)
    {
        if (g.Shape == shape) return g;
        // Align ranks: leading dimensions that broadcasting added become 1, then reduce where sizes differ.
        var padded = new int[g.Rank];
        int off = g.Rank - shape.Rank;
        for (int i = 0; i < g.Rank; i++) padded[i] = i < off ? 1 : shape[i - off];
        using var _ = Profiler.Scope(nameof(SumTo), cost: OpCost.Memory(g.DType, g.Numel, shape.Numel), shape: g.Shape, other: shape);
        // A BFloat16 g sums in Float32 (the backends' ReduceSum writes Float32 for it) and is rounded once to BFloat16.
        var sum = Empty(g, new Shape(padded), StatisticsDType(g.DType));
        g.Backend.ReduceSum(g.Storage, g.Shape.AsSpan(), sum.Storage, padded, 1.0);
        var y = sum;
        if (sum.DType != g.DType)
        {
            y = ToDType(sum, g.DType);
            sum.Dispose();
        }
        return Tape.Record(nameof(SumTo), ViewAs(y, shape), [g], dy => [Expand(dy, g.Shape)]);
    }

    /// <summary>Broadcasts x to a larger shape, copying (the backward of <see cref="SumTo"/>).</summary>
    public static Tensor Expand(Tensor x, Shape shape)
    {
        if (x.Shape == shape) return x;
        using var _ = Profiler.Scope(nameof(Expand), cost: OpCost.Memory(x.DType, x.Numel, shape.Numel), shape: x.Shape, other: shape);
        var y = Empty(x, shape);
        x.Backend.StridedCopy(x.Storage, 0, x.Shape.BroadcastStrides(shape), y.Storage, 0, shape.ContiguousStrides(), shape.AsSpan());
        return Tape.Record(nameof(Expand), y, [x], dy => [SumTo(dy, x.Shape)]);
    }
}
