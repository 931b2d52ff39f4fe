using System.Numerics;

namespace RawGan.Engine.Distributed;

/// <summary>
/// N ranks as threads of one process, for unit tests of everything above the transport. Each collective copies
/// every rank's tensor to the host, meets the other ranks at a barrier and combines in rank order (sums in the
/// tensor's dtype), so all ranks get the same bits. A rank that fails breaks the group: the others stop waiting and
/// fail too, naming it, instead of hanging.
/// </summary>
public sealed class InProcessCommunicator : ICommunicator
{
    private readonly Group _group;

    private InProcessCommunicator(Group group, int rank)
    {
        _group = group;
        Rank = rank;
    }

    /// <inheritdoc/>
    public int Rank { get; }

    /// <inheritdoc/>
    public int Size => _group.Size;

    /// <inheritdoc/>
    public int LocalRank => Rank;

    /// <inheritdoc/>
    public string Transport => "in-process";

    /// <summary>Creates the communicators of a group of <paramref name="size"/> ranks, one per thread that will use it.</summary>
    public static InProcessCommunicator[] CreateGroup(int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        var group = new Group(size);
        return Enumerable.Range(0, size).Select(r => new InProcessCommunicator(group, r)).ToArray();
    }

    /// <summary>
    /// Runs <paramref name="body"/> once per rank, each on its own thread with its own communicator, and returns
    /// the ranks' results in rank order; the first rank failure is rethrown after every thread has ended.
    /// </summary>
    public static T[] Run<T>(int size, Func<ICommunicator, T> body)
    {
        var communicators = CreateGroup(size);
        var results = new T[size];
        var failures = new Exception?[size];
        var threads = communicators.Select(c => new Thread(() =>
        {
            try
            {
                results[c.Rank] = body(c);
            }
            catch (Exception e)
            {
                failures[c.Rank] = e;
                c._group.Break(c.Rank);
            }
        }) { Name = $"rank {c.Rank}", IsBackground = true }).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        // The rank that broke the group is the cause; the others only report that it failed.
        if (failures.FirstOrDefault(f => f is not null and not RankLostException) is { } cause) throw new AggregateException(cause);
        if (failures.FirstOrDefault(f => f is not null) is { } lost) throw new AggregateException(lost);
        return results;
    }

    /// <inheritdoc/>
    public void AllReduceSum(Tensor tensor)
    {
        Collectives.CheckDense(tensor, nameof(tensor));
        switch (tensor.DType)
        {
            case DType.Float32: AllReduceSum<float>(tensor); break;
            case DType.Float64: AllReduceSum<double>(tensor); break;
            default: AllReduceSum<int>(tensor); break;
        }
    }

    /// <inheritdoc/>
    public void Broadcast(Tensor tensor, int root = 0)
    {
        Collectives.CheckRoot(root, Size);
        var all = _group.Exchange(Rank, Rank == root ? Collectives.ToHost(tensor) : null);
        if (Rank != root) Collectives.FromHost(all[root]!, tensor);
    }

    /// <inheritdoc/>
    public void AllGather(Tensor send, Tensor receive)
    {
        Collectives.CheckGather(send, receive, Size);
        var all = _group.Exchange(Rank, Collectives.ToHost(send));
        var joined = Array.CreateInstance(all[0]!.GetType().GetElementType()!, receive.Numel);
        for (int r = 0; r < Size; r++) Array.Copy(all[r]!, 0, joined, r * send.Numel, send.Numel);
        Collectives.FromHost(joined, receive);
    }

    /// <inheritdoc/>
    public void Barrier() => _group.Exchange(Rank, null);

    /// <summary>Nothing to release: the group lives as long as its ranks use it.</summary>
    public void Dispose()
    {
    }

    private void AllReduceSum<T>(Tensor tensor) where T : unmanaged, INumber<T>
    {
        var all = _group.Exchange(Rank, tensor.ToArray<T>());
        var sum = new T[tensor.Numel];
        foreach (var part in all)
        {
            var values = (T[])part!;
            for (int i = 0; i < sum.Length; i++) sum[i] += values[i];
        }
        tensor.Backend.CopyFromHost<T>(sum, tensor.Storage, 0);
    }

    /// <summary>The ranks' meeting point: a slot per rank and a barrier that a failing rank can break.</summary>
    private sealed class Group(int size)
    {
        private static readonly TimeSpan Patience = TimeSpan.FromMinutes(5);
        private readonly Barrier _barrier = new(size);
        private readonly Array?[] _slots = new Array?[size];
        private readonly CancellationTokenSource _broken = new();
        private int _brokenBy = -1;

        public int Size => size;

        /// <summary>Deposits this rank's value, waits for all, returns a copy of every rank's value.</summary>
        public Array?[] Exchange(int rank, Array? value)
        {
            _slots[rank] = value;
            Meet(rank);
            var all = (Array?[])_slots.Clone();
            Meet(rank); // nobody overwrites a slot before every rank has read them all
            return all;
        }

        public void Break(int rank)
        {
            Interlocked.CompareExchange(ref _brokenBy, rank, -1);
            _broken.Cancel();
        }

        private void Meet(int rank)
        {
            try
            {
                if (!_barrier.SignalAndWait(Patience, _broken.Token))
                    throw new TimeoutException($"In-process rank {rank} waited {Patience.TotalMinutes} minutes for the others at a collective.");
            }
            catch (OperationCanceledException)
            {
                throw new RankLostException(_brokenBy, $"rank {_brokenBy} failed");
            }
        }
    }
}
