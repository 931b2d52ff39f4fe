namespace RawGan.Engine;

/// <summary>
/// Element type of a tensor. Int32 is for indices (class labels) only. Float32 and Float64 take every op;
/// BFloat16 (<see cref="Engine.BFloat16"/>) is the storage type of mixed precision: products read it and accumulate
/// in float32 (<see cref="Precision"/>).
/// </summary>
public enum DType
{
    Float32,
    Float64,
    Int32,
    BFloat16,
}

/// <summary>Size and name helpers for <see cref="DType"/>.</summary>
public static class DTypeExtensions
{
    /// <summary>Bytes per element.</summary>
    public static int SizeInBytes(this DType dtype) => dtype switch
    {
        DType.Float32 => 4,
        DType.Float64 => 8,
        DType.Int32 => 4,
        DType.BFloat16 => 2,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown dtype."),
    };

    /// <summary>True for the floating-point types that autograd accepts.</summary>
    public static bool IsFloatingPoint(this DType dtype) => dtype is DType.Float32 or DType.Float64 or DType.BFloat16;

    /// <summary>The dtype of a CLR element type.</summary>
    public static DType Of<T>() where T : unmanaged =>
        typeof(T) == typeof(float) ? DType.Float32
        : typeof(T) == typeof(double) ? DType.Float64
        : typeof(T) == typeof(int) ? DType.Int32
        : typeof(T) == typeof(BFloat16) ? DType.BFloat16
        : throw new NotSupportedException($"No tensor dtype for {typeof(T).Name}; use float, double, int or BFloat16.");

    /// <summary>The C# element type that reads a dtype on the host ("float", "double", "int", "BFloat16").</summary>
    public static string HostTypeName(this DType dtype) => dtype switch
    {
        DType.Float32 => "float",
        DType.Float64 => "double",
        DType.Int32 => "int",
        DType.BFloat16 => nameof(BFloat16),
        _ => dtype.ToString(),
    };
}
