using RawGan.Kernels.Cuda;
using static RawGan.Kernels.Cuda.PtxParam;

namespace RawGan.Kernels.Ops;

/// <summary>Launch signatures of kernels-cu/elementwise.cu. T stands for the element type's PTX type.</summary>
internal static class ElementwiseKernels
{
    private const string M = "elementwise";

    // fill_T(T* y, i64 n, T value)
    public static readonly KernelTable Fill = KernelTable.Of(M, "fill", t => [U64, U64, t]);
    public static readonly KernelEntry FillI32 = new(M, "fill_i32", U64, U64, U32);
    // fill_bf16(y, n, bits): the value's bfloat16 bits in a 32-bit parameter
    public static readonly KernelEntry FillBF16 = new(M, "fill_bf16", U64, U64, U32);

    // strided_copy_T(src, dst, d0..d3, ss0..ss3, ds0..ds3)
    private static readonly PtxParam[] StridedCopyParams = [U64, U64, U32, U32, U32, U32, U64, U64, U64, U64, U64, U64, U64, U64];
    public static readonly KernelEntry StridedCopyF32 = new(M, "strided_copy_f32", StridedCopyParams);
    public static readonly KernelEntry StridedCopyF64 = new(M, "strided_copy_f64", StridedCopyParams);
    public static readonly KernelEntry StridedCopyI32 = new(M, "strided_copy_i32", StridedCopyParams);
    public static readonly KernelEntry StridedCopyBF16 = new(M, "strided_copy_bf16", StridedCopyParams);

    // binary_T(op, a, b, y, d0..d3, as0..as3, bs0..bs3)
    public static readonly KernelTable Binary = KernelTable.Of(M, "binary", _ => [U32, U64, U64, U64, U32, U32, U32, U32, U64, U64, U64, U64, U64, U64, U64, U64], bf16: true);

    // unary_T(op, x, y, n); unary_bwd_T(op, arg, dy, dx, n)
    public static readonly KernelTable Unary = KernelTable.Of(M, "unary", _ => [U32, U64, U64, U64], bf16: true);
    public static readonly KernelTable UnaryBackward = KernelTable.Of(M, "unary_bwd", _ => [U32, U64, U64, U64, U64], bf16: true);

    // affine_T(x, y, n, scale, shift) (binary, unary and affine also for bf16, computing in float32); axpby_T(a, x, b, y, n)
    public static readonly KernelTable Affine = KernelTable.Of(M, "affine", t => [U64, U64, U64, t, t], bf16: true);
    public static readonly KernelTable Axpby = KernelTable.Of(M, "axpby", t => [t, U64, t, U64, U64]);

    // cast_S_D(x, y, n)
    public static readonly KernelEntry CastF32F64 = new(M, "cast_f32_f64", U64, U64, U64);
    public static readonly KernelEntry CastF64F32 = new(M, "cast_f64_f32", U64, U64, U64);
    public static readonly KernelEntry CastI32F32 = new(M, "cast_i32_f32", U64, U64, U64);
    public static readonly KernelEntry CastI32F64 = new(M, "cast_i32_f64", U64, U64, U64);
    public static readonly KernelEntry CastF32I32 = new(M, "cast_f32_i32", U64, U64, U64);
    public static readonly KernelEntry CastF64I32 = new(M, "cast_f64_i32", U64, U64, U64);
    public static readonly KernelEntry CastF32BF16 = new(M, "cast_f32_bf16", U64, U64, U64);
    public static readonly KernelEntry CastF64BF16 = new(M, "cast_f64_bf16", U64, U64, U64);
    public static readonly KernelEntry CastBF16F32 = new(M, "cast_bf16_f32", U64, U64, U64);
    public static readonly KernelEntry CastBF16F64 = new(M, "cast_bf16_f64", U64, U64, U64);
}
