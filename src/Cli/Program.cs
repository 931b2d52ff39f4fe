using System.CommandLine;
using RawGan.Cli.Commands;

// rawgan: BigGAN on a from-scratch .NET engine. Each subcommand lives in Commands/.
var root = new RootCommand("rawgan: BigGAN (Brock, Donahue, Simonyan) trained on RawGan's own tensor engine, CPU or CUDA.")
{
    TrainCommand.Create(),
    SampleCommand.Create(),
    InfoCommand.Create(),
    SvTraceCommand.Create(),
    ClassifierCommand.Create(),
    EvalCommand.Create(),
    ProfileCommand.Create(),
    CommBenchCommand.Create(),
    SweepCommand.Create(),
};
return CliInvocation.Invoke(root, args);
