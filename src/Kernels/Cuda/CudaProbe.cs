using RawGan.Kernels.Native;

namespace RawGan.Kernels.Cuda;

/// <summary>What the machine offers for CUDA, found without throwing: used to pick a device and to skip GPU tests.</summary>
public sealed record CudaAvailability(bool IsAvailable, string Message, int DeviceCount = 0, int DriverVersion = 0)
{
    /// <summary>One line for a user: the card(s) found, or why CUDA cannot be used (what runs instead is the caller's to say).</summary>
    public override string ToString() => Message;
}

/// <summary>Detects the driver and devices once per process.</summary>
public static class CudaProbe
{
    private static readonly Lazy<CudaAvailability> Result = new(Detect);

    /// <summary>The cached result of probing this machine.</summary>
    public static CudaAvailability Availability => Result.Value;

    private static CudaAvailability Detect()
    {
        CudaLibraries.EnsureResolver();
        if (!CudaLibraries.TryLoad(CudaLibraries.Driver, out _))
            return new(false, "CUDA unavailable: no NVIDIA driver library (libcuda.so.1) on this machine.");
        try
        {
            int init = CudaDriver.cuInit(0);
            if (init == CudaDriver.ErrorNoDevice)
                return new(false, "CUDA unavailable: the driver reports no CUDA device (CUDA_ERROR_NO_DEVICE).");
            if (init != CudaDriver.Success)
                return new(false, $"CUDA unavailable: cuInit failed with {init} ({CudaDriver.Describe(init)}).");
            CudaDriver.Check(CudaDriver.cuDriverGetVersion(out int version));
            CudaDriver.Check(CudaDriver.cuDeviceGetCount(out int count));
            if (count == 0) return new(false, "CUDA unavailable: no CUDA device.", 0, version);
            return new(true, $"CUDA driver {version / 1000}.{version % 1000 / 10}, {count} device(s).", count, version);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or CudaException)
        {
            // .NET's loader messages span lines (one per path tried); the probe's message is one line.
            return new(false, $"CUDA unavailable: {string.Join(' ', e.Message.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).TrimEnd('.')}.");
        }
    }
}
