using RawGan.Engine;

namespace RawGan.Kernels.Cuda;

/// <summary>The float and double instantiations of one kernel template.</summary>
public sealed class KernelPair(KernelEntry f32, KernelEntry f64)
{
    /// <summary>The float instantiation.</summary>
    public KernelEntry F32 { get; } = f32;

    /// <summary>The double instantiation.</summary>
    public KernelEntry F64 { get; } = f64;

    /// <summary>The instantiation for a floating dtype.</summary>
    public KernelEntry For(DType dtype) => dtype switch
    {
        DType.Float32 => F32,
        DType.Float64 => F64,
        _ => throw new ArgumentException($"{F32.Name[..^4]} has no {dtype} instantiation."),
    };

    /// <summary>Declares <c>{name}_f32</c> and <c>{name}_f64</c> with the parameter list of each.</summary>
    public static KernelPair Of(string module, string name, Func<PtxParam, PtxParam[]> parameters) =>
        new(new KernelEntry(module, name + "_f32", parameters(PtxParam.F32)), new KernelEntry(module, name + "_f64", parameters(PtxParam.F64)));
}
