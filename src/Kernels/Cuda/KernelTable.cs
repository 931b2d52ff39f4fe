using RawGan.Engine;

namespace RawGan.Kernels.Cuda;

/// <summary>
/// The per-dtype instantiations of one kernel template: float and double always, bfloat16 where the kernel has one
/// (bfloat16 storage, float32 arithmetic; its scalar parameters are float32).
/// </summary>
public sealed class KernelTable(KernelEntry f32, KernelEntry f64, KernelEntry? bf16 = null)
{
    /// <summary>The float instantiation.</summary>
    public KernelEntry F32 { get; } = f32;

    /// <summary>The double instantiation.</summary>
    public KernelEntry F64 { get; } = f64;

    /// <summary>The bfloat16 instantiation, or null.</summary>
    public KernelEntry? BF16 { get; } = bf16;

    /// <summary>Every instantiation.</summary>
    public IEnumerable<KernelEntry> Entries => BF16 is null ? [F32, F64] : [F32, F64, BF16];

    /// <summary>The instantiation for a floating dtype.</summary>
    public KernelEntry For(DType dtype) => dtype switch
    {
        DType.Float32 => F32,
        DType.Float64 => F64,
        DType.BFloat16 when BF16 is not null => BF16,
        _ => throw new ArgumentException($"{F32.Name[..^4]} has no {dtype} instantiation."),
    };

    /// <summary>
    /// Declares <c>{name}_f32</c> and <c>{name}_f64</c> (and <c>{name}_bf16</c> with <paramref name="bf16"/>) with the
    /// parameter list of each; <paramref name="parameters"/> gets the PTX type of the arithmetic (F32 for bfloat16).
    /// </summary>
    public static KernelTable Of(string module, string name, Func<PtxParam, PtxParam[]> parameters, bool bf16 = false) =>
        new(new KernelEntry(module, name + "_f32", parameters(PtxParam.F32)), new KernelEntry(module, name + "_f64", parameters(PtxParam.F64)),
            bf16 ? new KernelEntry(module, name + "_bf16", parameters(PtxParam.F32)) : null);
}
