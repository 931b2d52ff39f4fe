using System.CommandLine;
using RawGan.Engine;

namespace RawGan.Cli.Commands;

/// <summary>The --precision option of train, sample and eval: fp32, tf32 or bf16; by default tf32 on CUDA and fp32 on the CPU.</summary>
internal static class PrecisionChoice
{
    public static Option<Precision?> Option()
    {
        var option = new Option<Precision?>("--precision")
        {
            Description = "How convolutions and matrix products compute: fp32 (exact float32), tf32 (tensor-core TF32 inputs, float32 accumulation) " +
                          "or bf16 (mixed precision: bfloat16 activations and product inputs; float32 weights, optimiser state, batch-norm statistics " +
                          "and losses). Default: tf32 on CUDA, fp32 on the CPU (which emulates tf32 and bf16 exactly, slower).",
        };
        option.AcceptOnlyFromAmong("fp32", "tf32", "bf16");
        return option;
    }

    /// <summary>The precision a device gets when none is asked for.</summary>
    public static Precision DefaultFor(Device device) => ReferenceEquals(device, Device.Cpu) ? Precision.Fp32 : Precision.Tf32;

    /// <summary>
    /// The precision given, else the resumed run's (<paramref name="run"/>), else the device's default; says in one line
    /// which it is and why.
    /// </summary>
    public static Precision Resolve(Precision? given, Precision? run, Device device, Action<string> say)
    {
        var precision = given ?? run ?? DefaultFor(device);
        string why = given is not null ? "" : run is not null ? " (the run's)" : " (the default on this device)";
        say($"Precision: {Describe(precision, device)}{why}.");
        return precision;
    }

    /// <summary>"bf16 (emulated on the CPU)" and the like.</summary>
    public static string Describe(Precision precision, Device device) =>
        precision.ToString().ToLowerInvariant() + (precision != Precision.Fp32 && ReferenceEquals(device, Device.Cpu) ? " (emulated on the CPU)" : "");
}
