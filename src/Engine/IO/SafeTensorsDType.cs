namespace RawGan.Engine.IO;

/// <summary>The safetensors dtype names and which of them RawGan reads and writes.</summary>
internal static class SafeTensorsDType
{
    /// <summary>Names the format defines that have no RawGan dtype (they are reported as unsupported, not unknown).</summary>
    private static readonly HashSet<string> Unsupported = new(StringComparer.Ordinal)
    {
        "BOOL", "U8", "I8", "I16", "U16", "F16", "U32", "I64", "U64",
        "F8_E5M2", "F8_E4M3", "F8_E8M0", "F6_E2M3", "F6_E3M2", "F4", "C64",
    };

    public static string Name(DType dtype) => dtype switch
    {
        DType.Float32 => "F32",
        DType.Float64 => "F64",
        DType.Int32 => "I32",
        DType.BFloat16 => "BF16",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "No safetensors name for this dtype."),
    };

    /// <summary>The RawGan dtype of a safetensors name, or an explanation of why there is none.</summary>
    public static bool TryParse(string name, out DType dtype, out string problem)
    {
        problem = "";
        switch (name)
        {
            case "F32": dtype = DType.Float32; return true;
            case "F64": dtype = DType.Float64; return true;
            case "I32": dtype = DType.Int32; return true;
            case "BF16": dtype = DType.BFloat16; return true;
        }
        dtype = default;
        problem = Unsupported.Contains(name)
            ? $"dtype {name} is not supported (RawGan reads F32, F64, I32 and BF16); convert the tensor, e.g. to F32, before loading"
            : $"unknown dtype \"{name}\" (RawGan reads F32, F64, I32 and BF16)";
        return false;
    }
}
