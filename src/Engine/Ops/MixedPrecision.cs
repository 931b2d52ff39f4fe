namespace RawGan.Engine;

// The dtype rules of mixed precision, in one place (PyTorch's, so that a BigGAN step under Precision.Bf16 computes
// what torch.autocast(dtype=torch.bfloat16) computes):
// - the products cast their Float32 inputs to BFloat16 under the Bf16 policy (Autocast.ProductInput);
// - elementwise ops and Cat promote: BFloat16 with Float32 computes in Float32, except that a zero-dimensional tensor
//   does not widen a dimensioned one (a Float32 scalar times a BFloat16 tensor is BFloat16);
// - sums, means and softmax of BFloat16 compute and return Float32; batch norm normalises BFloat16 activations with
//   Float32 statistics and Float32 gain and bias, and returns BFloat16.
public static partial class Ops
{
    /// <summary>The dtype of the statistics and parameters that normalise activations of <paramref name="activations"/> (Float32 for BFloat16).</summary>
    internal static DType StatisticsDType(DType activations) => activations == DType.BFloat16 ? DType.Float32 : activations;

    /// <summary>
    /// The operands of an elementwise op in the dtype it computes in: unchanged when they share one; when one is
    /// BFloat16 and the other wider, both in the wider one (a recorded cast), unless the wider one is zero-dimensional
    /// and the BFloat16 one is not, which keeps BFloat16. Other mixes are left for the op's check to reject.
    /// </summary>
    private static (Tensor A, Tensor B) Promote(Tensor a, Tensor b)
    {
        if (a.DType == b.DType || (a.DType != DType.BFloat16 && b.DType != DType.BFloat16)) return (a, b);
        if (!a.DType.IsFloatingPoint() || !b.DType.IsFloatingPoint()) return (a, b);
        var (narrow, wide) = a.DType == DType.BFloat16 ? (a, b) : (b, a);
        var dtype = wide.Rank == 0 && narrow.Rank > 0 ? DType.BFloat16 : wide.DType;
        return (ToDType(a, dtype), ToDType(b, dtype));
    }

    /// <summary>Tensors to concatenate in one dtype: BFloat16 ones widened to the widest floating dtype among them.</summary>
    private static Tensor[] Promote(Tensor[] xs)
    {
        if (!xs.Any(t => t.DType == DType.BFloat16)) return xs;
        var wide = xs.Any(t => t.DType == DType.Float64) ? DType.Float64 : xs.Any(t => t.DType == DType.Float32) ? DType.Float32 : DType.BFloat16;
        return wide == DType.BFloat16 ? xs : Array.ConvertAll(xs, t => t.DType == DType.BFloat16 ? ToDType(t, wide) : t);
    }

    /// <summary>Throws for an op that has no BFloat16 path, saying what to do instead.</summary>
    private static void CheckNotBFloat16(string op, Tensor t)
    {
        if (t.DType == DType.BFloat16)
            throw new ArgumentException($"{op} has no BFloat16 path; convert the tensor with ToDType(DType.Float32) first.");
    }
}
