using BenchmarkDotNet.Running;

// Kernel benchmarks: `dotnet run -c Release --project bench/RawGan.Bench -- --filter '*'`.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
