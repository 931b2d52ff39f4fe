using System.CommandLine;
using RawGan.Engine;
using RawGan.Kernels.Cuda;
using RawGan.Kernels.Native;

namespace RawGan.Cli.Commands;

/// <summary>The --device option: auto (CUDA when a GPU is present, else the CPU), cpu, or cuda (an error without a GPU).</summary>
internal static class DeviceChoice
{
    public static Option<string> Option() => new("--device")
    {
        Description = "Where to run: auto (CUDA when a GPU is present, else the CPU), cpu, or cuda.",
        DefaultValueFactory = _ => "auto",
    };

    /// <summary>Opens the chosen device (GPU <paramref name="ordinal"/> for CUDA), saying in one line what was picked and why.</summary>
    public static Device Open(string choice, Action<string> say, int ordinal = 0)
    {
        switch (choice.ToLowerInvariant())
        {
            case "cpu":
                say($"Device: CPU ({Environment.ProcessorCount} threads).");
                return Device.Cpu;
            case "cuda":
                var backend = CudaBackend.Open(ordinal); // throws CudaException with the reason when there is no GPU
                say($"Device: {backend.Name} ({backend.Context.Name}).");
                return Device.For(backend);
            case "auto":
                var availability = CudaProbe.Availability;
                if (!availability.IsAvailable)
                {
                    say(availability.Message);
                    return Device.Cpu;
                }
                goto case "cuda";
            default:
                throw new ArgumentException($"Unknown device \"{choice}\"; use auto, cpu or cuda.");
        }
    }

    /// <summary>Turns expected failures into one clear line and an exit code.</summary>
    public static int Guard(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or CudaException or KeyNotFoundException
                                     or UnauthorizedAccessException or RawGan.Model.Data.DataFormatException)
        {
            Console.Error.WriteLine($"rawgan: {e.Message}");
            return 2;
        }
    }
}
