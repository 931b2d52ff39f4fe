using System.CommandLine;
using System.Globalization;
using RawGan.Engine;
using RawGan.Kernels.Cuda;
using RawGan.Model.BigGan;

namespace RawGan.Cli.Commands;

/// <summary>`rawgan info`: devices, and the parameter counts of G and D for a configuration with a per-module table.</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var cmd = new Command("info", "Show the devices and the parameter counts of G and D (per module) for a configuration.");
        var preset = new Option<string>("--preset") { Description = "Mnist32, Mnist32Small, Cifar32 or ImageNet128.", DefaultValueFactory = _ => "Mnist32" };
        var resolution = new Option<int?>("--resolution") { Description = "Override the image size." }.AtLeast(1);
        var ch = new Option<int?>("--ch") { Description = "Override the base channel width." }.AtLeast(1);
        var classes = new Option<int?>("--classes") { Description = "Override the number of classes." }.AtLeast(1);
        var depth = new Option<int>("--depth") { Description = "Module depth of the table.", DefaultValueFactory = _ => 2 }.AtLeast(1);
        foreach (var o in new Option[] { preset, resolution, ch, classes, depth }) cmd.Options.Add(o);
        cmd.SetAction(r => DeviceChoice.Guard(() =>
        {
            // What the machine offers; info runs nothing, so it chooses no device.
            Console.WriteLine($"Devices: CPU ({Environment.ProcessorCount} threads); {CudaProbe.Availability.Message}");
            var config = BigGanConfig.Preset(r.GetValue(preset)!);
            config = config with
            {
                Resolution = r.GetValue(resolution) ?? config.Resolution,
                Ch = r.GetValue(ch) ?? config.Ch,
                NumClasses = r.GetValue(classes) ?? config.NumClasses,
            };
            config.Validate();
            // Counting needs shapes only: build on the CPU.
            var g = new BigGanGenerator(config, 0, Device.Cpu, initialize: false);
            var d = new BigGanDiscriminator(config, 1, Device.Cpu, initialize: false);
            Console.WriteLine($"{r.GetValue(preset)}: {config.Resolution}x{config.Resolution}, ch {config.Ch}, dim_z {config.DimZ}, {config.NumClasses} classes");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"G: {g.ParameterCount:N0} parameters"));
            Console.WriteLine(ModelSummary.Format(ModelSummary.Rows(g, r.GetValue(depth))));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"D: {d.ParameterCount:N0} parameters"));
            Console.WriteLine(ModelSummary.Format(ModelSummary.Rows(d, r.GetValue(depth))));
            return 0;
        }));
        return cmd;
    }
}
