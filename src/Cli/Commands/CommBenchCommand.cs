using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using RawGan.Engine;
using RawGan.Model.Training;

namespace RawGan.Cli.Commands;

/// <summary>
/// `rawgan comm-bench`: the all-reduce of a data-parallel group (`mpirun -n N rawgan comm-bench`, or --comm nccl on
/// one GPU) timed over message sizes, as nccl-tests reports it: time per all-reduce, algorithm bandwidth (bytes / time)
/// and bus bandwidth (algorithm bandwidth · 2(N − 1)/N, what each link carries in a ring). The figures behind the
/// README's scaling estimate; bench/allreduce.sh sets them beside PyTorch's on the same machine.
/// </summary>
internal static class CommBenchCommand
{
    public static Command Create()
    {
        var cmd = new Command("comm-bench", "Time the all-reduce between ranks (start with mpirun -n N, or --comm nccl on one GPU) over message sizes.");
        var sizes = new Option<string>("--sizes") { Description = "Message sizes in MB, comma-separated.", DefaultValueFactory = _ => "0.004,0.06,1,4,25" };
        var iterations = new Option<int>("--iterations") { Description = "All-reduces timed per size (after 3 warm-up ones).", DefaultValueFactory = _ => 20 };
        var transport = new Option<string>("--comm") { Description = "Transport: auto (NCCL between GPUs, MPI between CPU processes), mpi or nccl.", DefaultValueFactory = _ => "auto" };
        var json = new Option<string?>("--json") { Description = "Also write the results as JSON to this file." };
        var device = DeviceChoice.Option();
        foreach (var o in new Option[] { sizes, iterations, transport, json, device }) cmd.Options.Add(o);
        cmd.SetAction(r => DeviceChoice.Guard(() =>
        {
            var megabytes = r.GetValue(sizes)!.Split(',').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            int count = r.GetValue(iterations);
            if (count < 1 || megabytes.Any(m => !(m > 0))) throw new ArgumentException("--iterations and every --sizes entry must be positive.");
            using var launch = DistributedLaunch.Start(r.GetValue(transport)!, new DataParallelOptions());
            var dev = DeviceChoice.Open(r.GetValue(device)!, Console.WriteLine, launch.LocalRank);
            var group = launch.DataParallel(dev)
                        ?? throw new ArgumentException("comm-bench times a group of ranks: start it with mpirun -n N rawgan comm-bench, or use --comm nccl on one GPU.");
            var comm = group.Communicator;
            Console.WriteLine($"{comm.Size} rank(s) over {comm.Transport} on {dev.Name}, float32, {count} all-reduces per size");
            Console.WriteLine($"{"MB",10} {"µs per all-reduce",18} {"algbw GB/s",11} {"busbw GB/s",11}");
            var rows = new List<object>();
            foreach (double mb in megabytes)
            {
                using var t = Tensor.Zeros([Math.Max(1, (int)(mb * 1e6 / sizeof(float)))], DType.Float32, dev);
                for (int i = 0; i < 3; i++) comm.AllReduceSum(t);
                comm.Barrier();
                var clock = Stopwatch.StartNew();
                for (int i = 0; i < count; i++) comm.AllReduceSum(t);
                comm.Barrier(); // waits for the device too; its own all-reduce is counted in, as one more
                double seconds = clock.Elapsed.TotalSeconds / (count + 1);
                double bytes = t.Numel * sizeof(float), algbw = bytes / seconds / 1e9, busbw = algbw * 2 * (comm.Size - 1) / comm.Size;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e6,10:G4} {seconds * 1e6,18:F1} {algbw,11:F3} {busbw,11:F3}"));
                rows.Add(new { bytes, seconds, algbw_gbs = algbw, busbw_gbs = busbw });
            }
            if (r.GetValue(json) is { } path && comm.Rank == 0)
                File.WriteAllText(path, JsonSerializer.Serialize(new { ranks = comm.Size, transport = comm.Transport, device = dev.Name, iterations = count, results = rows }));
            launch.Completed();
            return 0;
        }));
        return cmd;
    }
}
