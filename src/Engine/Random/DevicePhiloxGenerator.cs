namespace RawGan.Engine.Rng;

/// <summary>
/// A Philox4x32-10 stream like <see cref="PhiloxGenerator"/> whose position lives in device memory: each draw's kernel
/// reads the offset there and advances it, so work replayed from a device graph draws fresh numbers every time with
/// the same arguments. A draw gives exactly what PhiloxGenerator gives at the same (Seed, Offset), on every backend,
/// and <see cref="Offset"/> is known on the host without reading the device. Not thread-safe.
/// </summary>
public sealed class DevicePhiloxGenerator : IDisposable
{
    /// <summary>Creates a stream at <paramref name="offset"/> under <paramref name="seed"/>, its position on <paramref name="device"/>.</summary>
    public DevicePhiloxGenerator(ulong seed, Device device, ulong offset = 0)
    {
        Seed = seed;
        Position = new DeviceCounter(device, offset);
    }

    /// <summary>The key: the stream this generator draws from.</summary>
    public ulong Seed { get; }

    /// <summary>The first counter the next draw uses; setting it writes device memory (not inside a step).</summary>
    public ulong Offset
    {
        get => Position.Value;
        set => Position.Assign(value);
    }

    /// <summary>The offset in device memory, which the draws' kernels read and advance.</summary>
    public DeviceCounter Position { get; }

    /// <summary>Normal numbers (Box–Muller) on the position's device; advances the offset by the element count.</summary>
    public Tensor Normal(Shape shape, double mean = 0, double std = 1, DType dtype = DType.Float32)
    {
        var t = Tensor.Zeros(shape, dtype, Position.Device);
        t.Backend.FillNormal(t.Storage, Seed, Position.Storage, mean, std);
        Position.HostAdvance((ulong)t.Numel);
        return t;
    }

    /// <summary>
    /// Int32 integers uniform in [0, <paramref name="bound"/>): (int)(u·bound) of the float64 uniform each element
    /// draws (class labels); advances the offset by the element count.
    /// </summary>
    public Tensor UniformInt(Shape shape, int bound)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bound, 1);
        var t = Tensor.Zeros(shape, DType.Int32, Position.Device);
        t.Backend.FillUniformInt(t.Storage, Seed, Position.Storage, bound);
        Position.HostAdvance((ulong)t.Numel);
        return t;
    }

    /// <summary>Frees the position's device memory.</summary>
    public void Dispose() => Position.Dispose();
}
