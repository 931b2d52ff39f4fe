namespace RawGan.Engine.Backends;

/// <summary>The dtype rule of the products (GEMM and the three convolution passes), shared by every backend.</summary>
internal static class ProductDTypes
{
    /// <summary>
    /// Throws unless the two inputs share a dtype and the output has it too, or is Float32 for BFloat16 inputs
    /// (the float32 accumulation written without rounding).
    /// </summary>
    public static void Check(string op, Storage first, Storage second, Storage output)
    {
        if (second.DType != first.DType)
            throw new ArgumentException($"{op}: the two inputs must share a dtype, got {first.DType} and {second.DType}.");
        if (output.DType != first.DType && !(first.DType == DType.BFloat16 && output.DType == DType.Float32))
            throw new ArgumentException($"{op}: {first.DType} inputs cannot write a {output.DType} output (BFloat16 inputs may write Float32).");
    }
}
