namespace RawGan.Engine;

/// <summary>
/// How a run computes, chosen by the user (`--precision`). Parameters, optimiser state, batch-norm statistics,
/// spectral-norm vectors, losses and reductions stay float32 in every mode; the modes differ in the products.
/// </summary>
public enum Precision
{
    /// <summary>IEEE float32 everywhere (the CPU's default).</summary>
    Fp32,
    /// <summary>float32 tensors; convolutions and matrix products on tensor cores with TF32 inputs (10-bit mantissa) and float32 accumulation (the GPU's default).</summary>
    Tf32,
    /// <summary>Mixed precision as PyTorch's autocast: bfloat16 activations and product inputs, float32 accumulation and master weights.</summary>
    Bf16,
}

/// <summary>
/// How a float32 product (GEMM or convolution) treats its inputs. It is data passed to the backend with each
/// product, not state of the backend, so a backward pass runs its products the way its forward did.
/// BFloat16 and Float64 operands ignore it.
/// </summary>
public enum MathMode
{
    /// <summary>IEEE float32 multiply-adds.</summary>
    Exact,
    /// <summary>Inputs rounded to TF32 (float32 with a 10-bit mantissa), products accumulated in float32. The CPU backend
    /// rounds to nearest even (<see cref="Tf32.Round"/>); tensor cores may differ on exact ties.</summary>
    Tf32,
}

/// <summary>TF32 rounding, the CPU's emulation of tensor-core inputs.</summary>
public static class Tf32
{
    /// <summary><paramref name="value"/> rounded to 10 mantissa bits (nearest, ties to even); NaN and infinities unchanged.</summary>
    public static float Round(float value)
    {
        uint u = BitConverter.SingleToUInt32Bits(value);
        if ((u & 0x7F80_0000u) == 0x7F80_0000u) return value;
        return BitConverter.UInt32BitsToSingle((u + 0xFFFu + ((u >> 13) & 1u)) & 0xFFFF_E000u);
    }
}

/// <summary>
/// The precision policy in effect on this thread, as PyTorch's autocast: the trainer and the samplers open a scope
/// with the run's <see cref="Precision"/>, and the product ops (<see cref="Ops.Conv2d(Tensor, Tensor, Tensor?, int, int)"/>,
/// <see cref="Ops.MatMul"/>, <see cref="Ops.BatchedMatMul"/>, <see cref="Ops.Linear"/>) read it when they record, so
/// Model code never branches on precision. Under <see cref="Precision.Bf16"/> they cast their Float32 inputs to
/// BFloat16 (recorded casts, so gradients reach the Float32 originals) and return BFloat16; the other ops follow the
/// dtypes they are given (<see cref="Ops"/>: elementwise ops promote BFloat16 with Float32 to Float32, reductions,
/// softmax and batch-norm statistics compute in Float32). Outside any scope, and during a backward pass, the policy is
/// <see cref="Precision.Fp32"/>: a backward runs each product as its forward recorded it.
/// </summary>
/// <remarks>
/// As autocast does, the BFloat16 cast of a parameter (a leaf that requires grad) is made once per outermost scope and
/// reused by every product that reads the parameter in it. So a scope must not span an optimiser step that changes the
/// parameters in place: open it around forward and backward passes only.
/// </remarks>
public static class Autocast
{
    [ThreadStatic] private static Precision? _current;
    [ThreadStatic] private static Dictionary<Tensor, Tensor>? _parameterCasts;

    /// <summary>The policy in effect on this thread.</summary>
    public static Precision Current => _current ?? Precision.Fp32;

    /// <summary>The math of float32 products under the current policy.</summary>
    public static MathMode ProductMath => Current == Precision.Fp32 ? MathMode.Exact : MathMode.Tf32;

    /// <summary>Sets the policy until the returned scope is disposed (scopes nest).</summary>
    public static Scope Enable(Precision precision)
    {
        var previous = _current;
        _current = precision;
        if (previous is null) _parameterCasts = new(ReferenceEqualityComparer.Instance);
        return new Scope(previous);
    }

    /// <summary>
    /// The tensor a product reads for <paramref name="t"/>: under <see cref="Precision.Bf16"/> a Float32 tensor's
    /// BFloat16 cast (recorded; a parameter's is made once per scope), otherwise <paramref name="t"/> itself.
    /// </summary>
    internal static Tensor ProductInput(Tensor t)
    {
        if (Current != Precision.Bf16 || t.DType != DType.Float32) return t;
        var casts = _parameterCasts;
        bool parameter = casts is not null && t.IsLeaf && t.RequiresGrad;
        if (parameter && casts!.TryGetValue(t, out var cached) && !cached.IsDisposed) return cached;
        var cast = Ops.ToDType(t, DType.BFloat16);
        // Only a recorded cast is shared: one made without gradients would cut a later use off from the parameter.
        if (parameter && Autograd.GradMode.IsEnabled) casts![t] = cast;
        return cast;
    }

    /// <summary>Restores the enclosing policy.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly Precision? _previous;

        internal Scope(Precision? previous) => _previous = previous;

        /// <inheritdoc/>
        public void Dispose()
        {
            _current = _previous;
            if (_previous is null) _parameterCasts = null;
        }
    }
}
