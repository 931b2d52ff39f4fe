namespace RawGan.Engine;

public sealed partial class Tensor
{
    /// <summary>Elementwise sum with broadcasting.</summary>
    public static Tensor operator +(Tensor a, Tensor b) => Ops.Add(a, b);

    /// <summary>Elementwise difference with broadcasting.</summary>
    public static Tensor operator -(Tensor a, Tensor b) => Ops.Sub(a, b);

    /// <summary>Elementwise product with broadcasting.</summary>
    public static Tensor operator *(Tensor a, Tensor b) => Ops.Mul(a, b);

    /// <summary>Elementwise quotient with broadcasting.</summary>
    public static Tensor operator /(Tensor a, Tensor b) => Ops.Div(a, b);

    /// <summary>x + c.</summary>
    public static Tensor operator +(Tensor a, double c) => Ops.AddScalar(a, c);

    /// <summary>x − c.</summary>
    public static Tensor operator -(Tensor a, double c) => Ops.AddScalar(a, -c);

    /// <summary>x · c.</summary>
    public static Tensor operator *(Tensor a, double c) => Ops.MulScalar(a, c);

    /// <summary>c · x.</summary>
    public static Tensor operator *(double c, Tensor a) => Ops.MulScalar(a, c);

    /// <summary>x / c.</summary>
    public static Tensor operator /(Tensor a, double c) => Ops.MulScalar(a, 1.0 / c);

    /// <summary>−x.</summary>
    public static Tensor operator -(Tensor a) => Ops.Neg(a);

    /// <summary>A view with another shape (one size may be −1).</summary>
    public Tensor Reshape(params int[] shape) => Ops.Reshape(this, Ops.InferShape(Numel, shape));

    /// <summary>Alias of <see cref="Reshape"/>: tensors are contiguous, so every reshape is a view.</summary>
    public Tensor View(params int[] shape) => Ops.Reshape(this, Ops.InferShape(Numel, shape));

    /// <summary>Reorders dimensions (copies).</summary>
    public Tensor Permute(params int[] perm) => Ops.Permute(this, perm);

    /// <summary>Swaps two dimensions (copies).</summary>
    public Tensor Transpose(int axis0, int axis1) => Ops.Transpose(this, axis0, axis1);

    /// <summary>Sum over axes (all when none).</summary>
    public Tensor Sum(int[]? axes = null, bool keepDim = false) => Ops.Sum(this, axes, keepDim);

    /// <summary>Mean over axes (all when none).</summary>
    public Tensor Mean(int[]? axes = null, bool keepDim = false) => Ops.Mean(this, axes, keepDim);

    /// <summary>The same values in another dtype.</summary>
    public Tensor ToDType(DType dtype) => Ops.ToDType(this, dtype);
}
