using RawGan.Bench;

// Kernel benchmarks: `dotnet run -c Release --project bench/RawGan.Bench -- --filter '*'` (BenchmarkDotNet's
// options); RAWGAN_BENCH_DEVICES=cpu,cuda picks the devices. Exits non-zero when no benchmark produced a result or
// any failed; writes rawgan-results.json (one record per case: fastest and mean time, FLOPs, bytes) beside the reports.
// `-- --step-memory [case...]` only measures the training step's memory (TrainStepBench's cases, a few steps each).
return args.FirstOrDefault() == "--step-memory" ? StepMemory.Report(args[1..]) : BenchRun.Run(args);
