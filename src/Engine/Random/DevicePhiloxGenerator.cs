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
    public Tensor Normal(Shape shape, double mean = 0, double std = 1, DType dtype = DType.Float32) =>
        Draw(shape, dtype, 0, shape.Numel, (t, counter) => t.Backend.FillNormal(t.Storage, Seed, counter, mean, std));

    /// <summary>
    /// Int32 integers uniform in [0, <paramref name="bound"/>): (int)(u·bound) of the float64 uniform each element
    /// draws (class labels); advances the offset by the element count.
    /// </summary>
    public Tensor UniformInt(Shape shape, int bound)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bound, 1);
        return Draw(shape, DType.Int32, 0, shape.Numel, (t, counter) => t.Backend.FillUniformInt(t.Storage, Seed, counter, bound));
    }

    /// <summary>
    /// Elements [<paramref name="skip"/>, skip + shape's count) of a draw of <paramref name="total"/> numbers, as
    /// <see cref="Normal"/> gives them; the offset then moves past all <paramref name="total"/>. Philox gives element
    /// i the counter offset + i alone, so parts drawn this way put together are the whole draw (a data-parallel
    /// rank's rows of a batch's latents).
    /// </summary>
    public Tensor NormalPart(Shape shape, long skip, long total, DType dtype = DType.Float32) =>
        Draw(shape, dtype, skip, total, (t, counter) => t.Backend.FillNormal(t.Storage, Seed, counter, 0, 1));

    /// <summary>Elements [<paramref name="skip"/>, skip + count) of a draw of <paramref name="total"/> labels, as <see cref="NormalPart"/> does it.</summary>
    public Tensor UniformIntPart(int count, long skip, long total, int bound)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bound, 1);
        return Draw([count], DType.Int32, skip, total, (t, counter) => t.Backend.FillUniformInt(t.Storage, Seed, counter, bound));
    }

    // The fill reads the counter and advances it by the tensor's count; the rest of the draw is skipped around it.
    private Tensor Draw(Shape shape, DType dtype, long skip, long total, Action<Tensor, Storage> fill)
    {
        if (skip < 0 || skip + shape.Numel > total)
            throw new ArgumentOutOfRangeException(nameof(skip), $"Elements [{skip}, {skip + shape.Numel}) are not part of a draw of {total}.");
        var t = Tensor.Empty(shape, dtype, Position.Device);
        var backend = t.Backend;
        if (skip > 0) backend.AdvanceCounter(Position.Storage, (ulong)skip);
        fill(t, Position.Storage);
        long rest = total - skip - shape.Numel;
        if (rest > 0) backend.AdvanceCounter(Position.Storage, (ulong)rest);
        Position.HostAdvance((ulong)total);
        return t;
    }

    /// <summary>Frees the position's device memory.</summary>
    public void Dispose() => Position.Dispose();
}
