namespace RawGan.Kernels.Cuda;

/// <summary>A PTX parameter's type, as the <c>.entry</c> declares it.</summary>
public enum PtxParam
{
    /// <summary>.u32 (int or unsigned).</summary>
    U32,
    /// <summary>.u64 (pointer, long or size_t).</summary>
    U64,
    /// <summary>.f32.</summary>
    F32,
    /// <summary>.f64.</summary>
    F64,
}

/// <summary>
/// One PTX entry point and the parameter list its typed C# launcher passes. A CPU-only test checks every
/// declared entry against the <c>.entry</c> signature in the committed PTX, and every PTX entry has one.
/// </summary>
public sealed class KernelEntry(string module, string name, params PtxParam[] parameters)
{
    /// <summary>The PTX file (kernels-cu/&lt;module&gt;.cu → Ptx/&lt;module&gt;.ptx).</summary>
    public string Module { get; } = module;

    /// <summary>The extern "C" kernel name.</summary>
    public string Name { get; } = name;

    /// <summary>Parameter types in order.</summary>
    public IReadOnlyList<PtxParam> Parameters { get; } = parameters;

    /// <inheritdoc/>
    public override string ToString() => $"{Module}.{Name}({string.Join(", ", Parameters)})";
}

/// <summary>A kernel argument: up to 8 bytes and the PTX type they stand for.</summary>
public readonly struct KernelArg
{
    private KernelArg(ulong bits, PtxParam type)
    {
        Bits = bits;
        Type = type;
    }

    /// <summary>The raw bytes, little-endian in the low end.</summary>
    public ulong Bits { get; }

    /// <summary>The PTX type.</summary>
    public PtxParam Type { get; }

    /// <summary>An int parameter.</summary>
    public static implicit operator KernelArg(int v) => new((uint)v, PtxParam.U32);

    /// <summary>An unsigned parameter.</summary>
    public static implicit operator KernelArg(uint v) => new(v, PtxParam.U32);

    /// <summary>A 64-bit integer parameter.</summary>
    public static implicit operator KernelArg(long v) => new((ulong)v, PtxParam.U64);

    /// <summary>A 64-bit unsigned parameter or device pointer.</summary>
    public static implicit operator KernelArg(ulong v) => new(v, PtxParam.U64);

    /// <summary>A float parameter.</summary>
    public static implicit operator KernelArg(float v) => new(BitConverter.SingleToUInt32Bits(v), PtxParam.F32);

    /// <summary>A double parameter.</summary>
    public static implicit operator KernelArg(double v) => new(BitConverter.DoubleToUInt64Bits(v), PtxParam.F64);
}
