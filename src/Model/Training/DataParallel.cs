using System.Globalization;
using System.Text;
using RawGan.Engine;
using RawGan.Engine.Distributed;
using RawGan.Engine.Nn;
using RawGan.Model.Data;

namespace RawGan.Model.Training;

/// <summary>What one network's gradient all-reduce has done: its buckets, how many went out while the backward pass still ran, and the waiting it did not hide.</summary>
public sealed record GradientReductionStatistics(int Buckets, long Launched, long LaunchedDuringBackward, TimeSpan Waited);

/// <summary>How a data-parallel run communicates.</summary>
public sealed record DataParallelOptions
{
    /// <summary>Cross-replica batch norm: G's batch statistics over the global batch (on by default, as BigGAN on TPUs).</summary>
    public bool SyncBatchNorm { get; init; } = true;

    /// <summary>Gradient bytes per all-reduce bucket (PyTorch DDP's default, 25 MiB).</summary>
    public long BucketBytes { get; init; } = 25L << 20;
}

/// <summary>
/// One rank of data-parallel training (BigGAN on several GPUs or processes): every rank holds the whole G and D,
/// trains on its slice of each global batch (<see cref="Slice"/>) and all-reduces the gradients, so that N ranks at
/// global batch B follow the same trajectory as one process at batch B, up to float rounding. What it does:
/// <list type="bullet">
/// <item>rank 0's weights, buffers and optimiser state are broadcast to every rank at the start (<see cref="Attach"/>);</item>
/// <item>gradients are all-reduced in buckets overlapped with the backward pass (<see cref="DataParallelGradients"/>);</item>
/// <item>G's batch norms take their statistics over the global batch (cross-replica BN, <see cref="DataParallelOptions.SyncBatchNorm"/>);</item>
/// <item>losses are averaged over the ranks, so every rank sees the same numbers and takes the same decisions (NaN);</item>
/// <item>decisions only one rank can take (a stop request, rank 0's collapse check) are agreed on through the communicator.</item>
/// </list>
/// Latents and fake labels: each rank draws only its rows of the global batch's draw, from the shared Philox stream
/// (<see cref="BatchSlice.Normal"/>); nothing in BigGAN's step needs randomness that differs per rank. All collectives
/// go through one <see cref="CommunicationQueue"/>; the communicator stays its creator's to dispose.
/// </summary>
public sealed class DataParallel : IDisposable
{
    private readonly CommunicationQueue _queue;
    private readonly Device _device;
    private readonly Dictionary<Module, DataParallelGradients> _gradients = new(ReferenceEqualityComparer.Instance);
    private (long Calls, long Bytes, TimeSpan Busy) _afterAttach;

    /// <summary>
    /// Data parallelism over <paramref name="communicator"/> for training on <paramref name="device"/>, where
    /// its small exchanges (losses, flags) live; <paramref name="onCommunicationThread"/> runs first on the
    /// communication thread (a device context to make current).
    /// </summary>
    public DataParallel(ICommunicator communicator, Device device, DataParallelOptions? options = null, Action? onCommunicationThread = null)
    {
        _device = device;
        _queue = new CommunicationQueue(communicator, onCommunicationThread);
        Options = options ?? new DataParallelOptions();
    }

    /// <summary>The settings.</summary>
    public DataParallelOptions Options { get; }

    /// <summary>The group (its calls go through the communication queue).</summary>
    public ICommunicator Communicator => _queue;

    /// <summary>This rank.</summary>
    public int Rank => _queue.Rank;

    /// <summary>Number of ranks.</summary>
    public int Size => _queue.Size;

    /// <summary>Rank 0 owns the run folder: logs, checkpoints, samples and the σ trace.</summary>
    public bool IsRoot => Rank == 0;

    /// <summary>This rank's rows of a global batch of <paramref name="globalBatch"/>.</summary>
    public BatchSlice Slice(int globalBatch) => BatchSlice.Of(globalBatch, Rank, Size);

    /// <summary>
    /// Joins G and D to the group: broadcasts rank 0's state (<paramref name="state"/>: parameters, buffers, optimiser
    /// moments) to every rank, switches cross-replica batch norm on in both networks (when enabled) and prepares their
    /// gradient buckets.
    /// </summary>
    public void Attach(Module g, Module d, IEnumerable<Tensor> state)
    {
        foreach (var t in state) _queue.Broadcast(t, 0);
        foreach (var network in new[] { g, d })
        {
            if (Options.SyncBatchNorm) CrossReplicaNorm.Apply(network, Communicator);
            _gradients[network] = new DataParallelGradients(network.NamedParameters().ToList(), _queue, Options.BucketBytes);
        }
        _afterAttach = (_queue.Calls, _queue.Bytes, _queue.Busy);
    }

    /// <summary>Call before the last backward pass of an update of <paramref name="network"/>: its gradients are all-reduced as they finish.</summary>
    public void StartGradientReduction(Module network) => Gradients(network).Start();

    /// <summary>Call after it: waits for the all-reduces and leaves the mean over ranks in every gradient.</summary>
    public void FinishGradientReduction(Module network) => Gradients(network).Finish();

    /// <summary>What the gradient all-reduce of <paramref name="network"/> has done so far.</summary>
    public GradientReductionStatistics GradientReduction(Module network)
    {
        var g = Gradients(network);
        return new GradientReductionStatistics(g.BucketCount, g.Launched, g.LaunchedDuringBackward, g.Waited);
    }

    /// <summary>Replaces <paramref name="tensor"/> by its mean over the ranks, on the device (a step's losses: the same on every rank afterwards).</summary>
    public void AverageInPlace(Tensor tensor)
    {
        _queue.AllReduceSum(tensor);
        tensor.Backend.Axpby(0, tensor.Storage, 1.0 / Size, tensor.Storage, tensor.Numel);
    }

    /// <summary>True on every rank when <paramref name="flag"/> is true on any (a stop request).</summary>
    public bool Any(bool flag)
    {
        using var t = Tensor.FromArray([flag ? 1 : 0], _device);
        _queue.AllReduceSum(t);
        return t.ToArray<int>()[0] > 0;
    }

    /// <summary>Rank 0's <paramref name="flag"/> on every rank (a decision only rank 0 can take).</summary>
    public bool FromRoot(bool flag)
    {
        using var t = Tensor.FromArray([flag ? 1 : 0], _device);
        _queue.Broadcast(t, 0);
        return t.ToArray<int>()[0] > 0;
    }

    /// <summary>Rank 0's <paramref name="text"/> on every rank (the run folder rank 0 created).</summary>
    public string FromRoot(string? text) => Share(_queue, text, _device);

    /// <summary>Rank 0's string on every rank of <paramref name="communicator"/> (CPU tensors: a host transport such as MPI).</summary>
    public static string Share(ICommunicator communicator, string? text) => Share(communicator, text, Device.Cpu);

    private static string Share(ICommunicator communicator, string? text, Device device)
    {
        var bytes = communicator.Rank == 0 ? Encoding.UTF8.GetBytes(text ?? throw new ArgumentNullException(nameof(text))) : [];
        using var length = Tensor.FromArray([bytes.Length], device);
        communicator.Broadcast(length, 0);
        var values = new int[length.ToArray<int>()[0]];
        if (values.Length == 0) return "";
        for (int i = 0; i < bytes.Length; i++) values[i] = bytes[i];
        using var data = Tensor.FromArray(values, device);
        communicator.Broadcast(data, 0);
        return Encoding.UTF8.GetString(data.ToArray<int>().Select(v => (byte)v).ToArray());
    }

    /// <summary>
    /// The communication since <see cref="Attach"/> per training step, for the end of a run: time the communication
    /// thread spent in collectives (including waiting there for slower ranks), their number and bytes, and how much
    /// of the gradient all-reduce the backward pass hid.
    /// </summary>
    public string Summary(long steps)
    {
        double perStep = steps > 0 ? 1.0 / steps : 0;
        var g = _gradients.Values;
        return string.Create(CultureInfo.InvariantCulture,
            $"communication: {Size} rank(s) over {_queue.Transport}, per step {(_queue.Busy - _afterAttach.Busy).TotalMilliseconds * perStep:F1} ms in " +
            $"{(_queue.Calls - _afterAttach.Calls) * perStep:F0} collectives ({(_queue.Bytes - _afterAttach.Bytes) * perStep / 1e6:F2} MB); gradient buckets: " +
            $"{g.Sum(x => x.LaunchedDuringBackward)} of {g.Sum(x => x.Launched)} sent during the backward pass, {g.Sum(x => x.Waited.TotalMilliseconds) * perStep:F1} ms per step waited after it");
    }

    /// <summary>Finishes queued collectives and frees the gradient buckets (the communicator stays open).</summary>
    public void Dispose()
    {
        foreach (var g in _gradients.Values) g.Dispose();
        _queue.Dispose();
    }

    private DataParallelGradients Gradients(Module network) =>
        _gradients.TryGetValue(network, out var g) ? g : throw new InvalidOperationException($"{network.GetType().Name} is not attached to this data-parallel group (Attach).");
}
