using System.Runtime.InteropServices;

namespace RawGan.Engine;

/// <summary>
/// bfloat16: the upper half of an IEEE float32 (sign, 8 exponent bits, 7 mantissa bits), the storage type of mixed
/// precision. Every float32 value of the form ±m·2^e with 8 significant bits is exact in it; the range is float32's.
/// Conversion from float32 rounds to nearest, ties to even; a NaN stays a (quiet) NaN with its sign, infinities stay
/// infinite, and values past the largest finite bfloat16 round to infinity. From float64 it rounds to float32 first
/// (as PyTorch's c10::BFloat16 does), so both backends and PyTorch agree bit for bit. kernels-cu/common.cuh has the
/// same rule for the GPU.
/// </summary>
[StructLayout(LayoutKind.Sequential, Size = 2)]
public readonly struct BFloat16 : IEquatable<BFloat16>
{
    private BFloat16(ushort bits) => Bits = bits;

    /// <summary>The 16 stored bits.</summary>
    public ushort Bits { get; }

    /// <summary>The value with these bits.</summary>
    public static BFloat16 FromBits(ushort bits) => new(bits);

    /// <summary>Rounds a float32 to bfloat16 (nearest, ties to even).</summary>
    public static explicit operator BFloat16(float value) => new(RoundToBits(value));

    /// <summary>Rounds a float64 to bfloat16 through float32.</summary>
    public static explicit operator BFloat16(double value) => (BFloat16)(float)value;

    /// <summary>The exact float32 value.</summary>
    public static implicit operator float(BFloat16 value) => BitConverter.UInt32BitsToSingle((uint)value.Bits << 16);

    /// <summary>The exact float64 value.</summary>
    public static implicit operator double(BFloat16 value) => (float)value;

    /// <summary>The bits of the bfloat16 nearest to <paramref name="value"/> (ties to even).</summary>
    public static ushort RoundToBits(float value)
    {
        uint u = BitConverter.SingleToUInt32Bits(value);
        if ((u & 0x7FFF_FFFFu) > 0x7F80_0000u) return (ushort)((u >> 16) | 0x0040u); // NaN: keep the sign, make it quiet
        // Adding 0x7FFF plus the lowest kept bit rounds half-way cases to the even neighbour; a carry into the
        // exponent is the correct next binade, and past the largest finite value it gives infinity.
        return (ushort)((u + 0x7FFFu + ((u >> 16) & 1u)) >> 16);
    }

    /// <summary><paramref name="value"/> rounded to bfloat16 and back (the float32 a bfloat16 tensor would hold).</summary>
    public static float Round(float value) => (BFloat16)value;

    /// <inheritdoc/>
    public bool Equals(BFloat16 other) => Bits == other.Bits;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is BFloat16 other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => Bits;

    /// <inheritdoc/>
    public override string ToString() => ((float)this).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
