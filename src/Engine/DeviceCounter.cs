namespace RawGan.Engine;

/// <summary>
/// A 64-bit unsigned counter in device memory (a Philox stream's position, an optimiser's step count) that kernels
/// read and advance, so work replayed from a device graph counts on without new arguments. <see cref="Value"/> is the
/// host's copy: whoever queues work that advances the counter tells it (<see cref="HostAdvance"/>), so reading it
/// never waits for the device. Stored as two Int32 words, low word first (tensors have no 64-bit integer dtype).
/// </summary>
public sealed class DeviceCounter : IDisposable
{
    private readonly Tensor _words;

    /// <summary>A counter on <paramref name="device"/> holding <paramref name="value"/>.</summary>
    public DeviceCounter(Device device, ulong value = 0)
    {
        _words = TensorScope.Persist(Tensor.Zeros([2], DType.Int32, device));
        if (value != 0) Assign(value);
    }

    /// <summary>The value once all queued work has run, known on the host without reading the device.</summary>
    public ulong Value { get; private set; }

    /// <summary>Where the counter lives.</summary>
    public Device Device => _words.Device;

    /// <summary>The two words in device memory, for the kernels that read or advance the counter.</summary>
    public Storage Storage => _words.Storage;

    /// <summary>Sets the counter on the host and on the device (an upload that waits for the device: not inside a step).</summary>
    public void Assign(ulong value)
    {
        ReadOnlySpan<int> words = [(int)(uint)value, (int)(uint)(value >> 32)];
        _words.Backend.CopyFromHost(words, _words.Storage, 0);
        Value = value;
    }

    /// <summary>Records that queued device work (a kernel, a replayed graph) advanced the counter by <paramref name="delta"/> (mod 2^64).</summary>
    public void HostAdvance(ulong delta) => Value = unchecked(Value + delta);

    /// <summary>Frees the device words.</summary>
    public void Dispose() => _words.Dispose();
}
