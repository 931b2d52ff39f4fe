using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RawGan.Engine.Backends.Cpu;

/// <summary>
/// The few vector operations the GEMM micro-kernel needs, as static members so that a kernel generic over a
/// struct implementing this interface is specialised by the JIT into straight-line SIMD code (no calls, no
/// boxing). One implementation per vector width lets the same kernel source run on AVX-512, AVX2 and 128-bit
/// hardware.
/// </summary>
internal interface IGemmSimd<T, TV> where T : unmanaged where TV : struct
{
    /// <summary>Elements per vector.</summary>
    static abstract int Lanes { get; }

    /// <summary>Rows of the micro-kernel's register tile (6 or 8): 2 accumulators per row must fit the register file.</summary>
    static abstract int TileRows { get; }

    static abstract TV Zero { get; }

    static abstract unsafe TV Load(T* p);

    static abstract unsafe void Store(T* p, TV v);

    static abstract TV Splat(T v);

    /// <summary>a·b + c, fused.</summary>
    static abstract TV Fma(TV a, TV b, TV c);

    static abstract TV Mul(TV a, TV b);

    /// <summary>a + b.</summary>
    static abstract TV Add(TV a, TV b);
}

/// <summary>AVX-512 (or any 512-bit SIMD) lanes of float or double.</summary>
internal readonly struct Simd512<T> : IGemmSimd<T, Vector512<T>> where T : unmanaged
{
    public static int Lanes => Vector512<T>.Count;

    // 16 accumulators of the 32 registers.
    public static int TileRows => 8;

    public static Vector512<T> Zero => Vector512<T>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Vector512<T> Load(T* p) => Vector512.Load(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Store(T* p, Vector512<T> v) => v.Store(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Splat(T v) => Vector512.Create(v);

    // typeof(T) tests are constants in the specialised code: only one branch survives.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Fma(Vector512<T> a, Vector512<T> b, Vector512<T> c) =>
        typeof(T) == typeof(float)
            ? Vector512.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>()
            : Vector512.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Mul(Vector512<T> a, Vector512<T> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Add(Vector512<T> a, Vector512<T> b) => a + b;
}

/// <summary>AVX2 lanes of float or double.</summary>
internal readonly struct Simd256<T> : IGemmSimd<T, Vector256<T>> where T : unmanaged
{
    public static int Lanes => Vector256<T>.Count;

    // 12 accumulators, 2 rows of B and a broadcast: the 16 AVX2 registers, without spilling.
    public static int TileRows => 6;

    public static Vector256<T> Zero => Vector256<T>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Vector256<T> Load(T* p) => Vector256.Load(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Store(T* p, Vector256<T> v) => v.Store(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Splat(T v) => Vector256.Create(v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Fma(Vector256<T> a, Vector256<T> b, Vector256<T> c) =>
        typeof(T) == typeof(float)
            ? Vector256.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>()
            : Vector256.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Mul(Vector256<T> a, Vector256<T> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Add(Vector256<T> a, Vector256<T> b) => a + b;
}

/// <summary>128-bit lanes (SSE, NEON): the portable fallback.</summary>
internal readonly struct Simd128<T> : IGemmSimd<T, Vector128<T>> where T : unmanaged
{
    public static int Lanes => Vector128<T>.Count;

    public static int TileRows => 6;

    public static Vector128<T> Zero => Vector128<T>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Vector128<T> Load(T* p) => Vector128.Load(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Store(T* p, Vector128<T> v) => v.Store(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Splat(T v) => Vector128.Create(v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Fma(Vector128<T> a, Vector128<T> b, Vector128<T> c) =>
        typeof(T) == typeof(float)
            ? Vector128.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>()
            : Vector128.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Mul(Vector128<T> a, Vector128<T> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Add(Vector128<T> a, Vector128<T> b) => a + b;
}
