using System.CommandLine;
using RawGan.Engine;
using RawGan.Kernels.Cuda;
using RawGan.Kernels.Native;

namespace RawGan.Cli.Commands;

/// <summary>The --device option: auto (CUDA when a GPU is present, else the CPU), cpu, or cuda (an error without a GPU).</summary>
internal static class DeviceChoice
{
    public static Option<string> Option()
    {
        var option = new Option<string>("--device")
        {
            Description = "Where to run: auto (CUDA when a GPU is present, else the CPU), cpu, or cuda.",
            DefaultValueFactory = _ => "auto",
        };
        option.AcceptOnlyFromAmong("auto", "cpu", "cuda");
        return option;
    }

    /// <summary>Opens the chosen device (GPU <paramref name="ordinal"/> for CUDA), saying in one line what was picked and why.</summary>
    public static Device Open(string choice, Action<string> say, int ordinal = 0)
    {
        var availability = CudaProbe.Availability;
        switch (choice.ToLowerInvariant())
        {
            case "cpu":
                say($"Device: CPU ({Environment.ProcessorCount} threads).");
                return Device.Cpu;
            case "cuda":
                if (!availability.IsAvailable)
                    throw new ArgumentException($"--device cuda: {availability.Message} Use --device cpu (or auto, which falls back to the CPU).");
                var backend = CudaBackend.Open(ordinal);
                say($"Device: {backend.Name} ({backend.Context.Name}).");
                return Device.For(backend);
            case "auto":
                if (availability.IsAvailable) goto case "cuda";
                say($"{availability.Message.TrimEnd('.')}; running on the CPU ({Environment.ProcessorCount} threads).");
                return Device.Cpu;
            default:
                throw new ArgumentException($"Unknown device \"{choice}\"; use auto, cpu or cuda.");
        }
    }

    /// <summary>Turns expected failures into one line saying what is wrong and what to do, and exit code 2.</summary>
    public static int Guard(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or CudaException or KeyNotFoundException
                                     or UnauthorizedAccessException or RawGan.Model.Data.DataFormatException)
        {
            Console.Error.WriteLine($"rawgan: {UserMessage(e)}");
            return ExitCodes.UsageOrInput;
        }
    }

    /// <summary>An exception's message on one line, without the "(Parameter 'x')" and "Actual value was" that .NET appends.</summary>
    internal static string UserMessage(Exception e)
    {
        string text = e.Message;
        if (e is ArgumentOutOfRangeException { ActualValue: { } actual })
        {
            int lineEnd = text.IndexOf('\n', StringComparison.Ordinal);
            text = (lineEnd >= 0 ? text[..lineEnd] : text) + $" (got {actual})";
        }
        if (e is ArgumentException { ParamName: { } name }) text = text.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal);
        return CliInvocation.OneLine(text);
    }
}
