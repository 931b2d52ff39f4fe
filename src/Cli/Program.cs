using RawGan.Engine;

// The `rawgan` command. Training, sampling and the analysis tools arrive with the BigGAN issue; until then
// this reports what the engine can see.
if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    Console.WriteLine("""
        rawgan: BigGAN on a from-scratch .NET engine.

        Usage:
          rawgan info       show the engine's devices
          rawgan --help     this text

        `rawgan train`, `rawgan sample` and `rawgan sv-trace` are not implemented yet
        (they arrive with the BigGAN model); the engine and its tests are usable now.
        """);
    return 0;
}
if (args[0] == "info")
{
    Console.WriteLine($"RawGan engine; default device: {Device.Default.Name}");
    Console.WriteLine(RawGan.Kernels.Cuda.CudaProbe.Availability.Message);
    return 0;
}
Console.Error.WriteLine($"rawgan: '{args[0]}' is not available yet. Run 'rawgan --help' for what is.");
return 2;
