using RawGan.Engine;
using RawGan.Kernels.Cuda;

namespace RawGan.Bench;

/// <summary>
/// The devices a run covers and the "device/variant" case strings the benchmark classes take as their one parameter
/// (a single parameter rather than a cartesian product, so that a GPU-only shape never pairs with the CPU).
/// RAWGAN_BENCH_DEVICES (comma-separated: cpu, cuda) picks the devices; by default the CPU, plus CUDA when a GPU is
/// present. Without a GPU the CUDA cases are left out (said once on the console), so nothing fails for lack of one;
/// a RAWGAN_BENCH_DEVICES that asks for cuda then is an error (<see cref="BenchRun"/> reports it in one line).
/// </summary>
public static class BenchCases
{
    private static readonly Lazy<IReadOnlyList<string>> AvailableDevices = new(FindDevices);
    private static readonly Dictionary<string, Device> Opened = [];

    /// <summary>The devices this run benchmarks, "cpu" and/or "cuda".</summary>
    public static IReadOnlyList<string> Devices => AvailableDevices.Value;

    /// <summary>One case per device.</summary>
    public static IEnumerable<string> PerDevice() => Devices;

    /// <summary>
    /// "device/variant" for every device and variant, where <paramref name="gpuOnly"/> variants go with CUDA alone
    /// (BigGAN-128 shapes that would take minutes on the CPU and have no CPU row in the comparison).
    /// </summary>
    public static IEnumerable<string> PerDevice(IEnumerable<string> variants, params string[] gpuOnly) =>
        from device in Devices
        from variant in variants.Concat(gpuOnly)
        where device == "cuda" || !gpuOnly.Contains(variant)
        select $"{device}/{variant}";

    /// <summary>The device part of a case string.</summary>
    public static string DeviceOf(string benchCase) => benchCase.Split('/')[0];

    /// <summary>The variant part of a case string ("" when there is none).</summary>
    public static string VariantOf(string benchCase) => benchCase.Contains('/') ? benchCase[(benchCase.IndexOf('/') + 1)..] : "";

    /// <summary>The device of a case, opened once per process.</summary>
    public static Device Open(string benchCase)
    {
        string name = DeviceOf(benchCase);
        lock (Opened)
        {
            if (!Opened.TryGetValue(name, out var device))
            {
                device = name switch
                {
                    "cpu" => Device.Cpu,
                    "cuda" => Device.For(CudaBackend.Open()),
                    _ => throw new ArgumentException($"Unknown benchmark device \"{name}\"; use cpu or cuda."),
                };
                Opened[name] = device;
            }
            return device;
        }
    }

    /// <summary>Waits for the device's queued work, so that a benchmark's time covers what it launched.</summary>
    public static void Synchronize(Device device)
    {
        if (device.Backend is CudaBackend cuda) cuda.Synchronize();
    }

    private static IReadOnlyList<string> FindDevices()
    {
        var requested = Environment.GetEnvironmentVariable("RAWGAN_BENCH_DEVICES");
        var names = string.IsNullOrWhiteSpace(requested)
            ? ["cpu", "cuda"]
            : requested.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => s.ToLowerInvariant()).ToList();
        var devices = new List<string>();
        foreach (var name in names)
        {
            if (name == "cuda" && !CudaProbe.Availability.IsAvailable)
            {
                if (!string.IsNullOrWhiteSpace(requested))
                    throw new InvalidOperationException($"RAWGAN_BENCH_DEVICES asks for cuda, but {CudaProbe.Availability.Message} " +
                                                        "Run on a machine with a GPU, or set RAWGAN_BENCH_DEVICES=cpu (or leave it unset).");
                Console.WriteLine($"Benchmarks: skipping the CUDA cases ({CudaProbe.Availability.Message})");
                continue;
            }
            if (name is not ("cpu" or "cuda")) throw new ArgumentException($"RAWGAN_BENCH_DEVICES: unknown device \"{name}\"; use cpu and/or cuda.");
            devices.Add(name);
        }
        return devices;
    }
}
