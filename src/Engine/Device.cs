using RawGan.Engine.Backends.Cpu;

namespace RawGan.Engine;

/// <summary>Where tensors live and which backend runs their kernels.</summary>
public sealed class Device
{
    private static Device? _default;

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<IBackend, Device> Devices = new(ReferenceEqualityComparer.Instance);

    private Device(IBackend backend) => Backend = backend;

    /// <summary>The one device object of a backend.</summary>
    public static Device For(IBackend backend) => Devices.GetOrAdd(backend, b => new Device(b));

    /// <summary>The backend that owns this device's memory and kernels.</summary>
    public IBackend Backend { get; }

    /// <summary>Short name, e.g. "cpu" or "cuda:0".</summary>
    public string Name => Backend.Name;

    /// <summary>The CPU backend: always available; the reference every other backend is checked against.</summary>
    public static Device Cpu { get; } = For(CpuBackend.Instance);

    /// <summary>The device used when none is given: CUDA once registered, else the CPU.</summary>
    public static Device Default
    {
        get => _default ?? Cpu;
        set => _default = value;
    }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
