namespace RawGan.Engine;

/// <summary>
/// Differentiable tensor operations. Each op family has its own file in Ops/, with the forward and the
/// backward formula side by side; both call kernels of the operands' backend only.
/// </summary>
public static partial class Ops
{
    /// <summary>Throws unless every tensor is floating point, of one dtype and on one backend.</summary>
    internal static void CheckSame(string op, params ReadOnlySpan<Tensor> tensors)
    {
        if (!tensors[0].DType.IsFloatingPoint())
            throw new ArgumentException($"{op} needs floating-point tensors (Float32, Float64 or BFloat16), got {tensors[0].DType}.");
        CheckSameDTypeAndDevice(op, tensors);
    }

    /// <summary>Throws unless every tensor has one dtype (any, Int32 included) and one backend.</summary>
    internal static void CheckSameDTypeAndDevice(string op, params ReadOnlySpan<Tensor> tensors)
    {
        var first = tensors[0];
        foreach (var t in tensors[1..])
        {
            if (t.DType != first.DType)
                throw new ArgumentException($"{op}: dtypes differ ({first.DType} and {t.DType}); convert one with ToDType first.");
            if (!ReferenceEquals(t.Backend, first.Backend))
                throw new ArgumentException($"{op}: tensors are on different devices ({first.Backend.Name} and {t.Backend.Name}).");
        }
    }

    /// <summary>An uninitialised tensor like <paramref name="like"/> (dtype and device) with the given shape, for a kernel to write completely.</summary>
    internal static Tensor Empty(Tensor like, Shape shape) => Empty(like, shape, like.DType);

    /// <summary>An uninitialised tensor on <paramref name="like"/>'s device with the given shape and dtype, for a kernel to write completely.</summary>
    internal static Tensor Empty(Tensor like, Shape shape, DType dtype) => Tensor.Empty(shape, dtype, like.Device);

    /// <summary>Checks a shape's rank, naming the op and the argument.</summary>
    internal static void CheckRank(string op, string arg, Tensor t, int rank)
    {
        if (t.Rank != rank)
            throw new ArgumentException($"{op}: {arg} must have rank {rank}, got shape {t.Shape}.");
    }
}
