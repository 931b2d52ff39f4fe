using System.Collections.Concurrent;
using System.Diagnostics;

namespace RawGan.Engine.Distributed;

/// <summary>
/// Runs a communicator's collectives one at a time on a thread of their own, in the order they are submitted.
/// Data-parallel training submits gradient buckets while the backward pass goes on (<see cref="AllReduceSumAsync"/>)
/// and batch-norm statistics from inside it (the blocking calls): one queue keeps all of them in program order,
/// which is the same on every rank, as collectives require, and lets a blocking transport (MPI) overlap with the
/// computation. The wrapped communicator stays its creator's to dispose. Counts the time the thread spends in
/// collectives and the bytes moved.
/// </summary>
public sealed class CommunicationQueue : ICommunicator
{
    private readonly ICommunicator _inner;
    private readonly BlockingCollection<(Action Work, TaskCompletionSource Done)> _work = [];
    private readonly Thread _thread;
    private readonly Stopwatch _busy = new();
    private Exception? _failed;
    private bool _disposed;

    /// <summary>Starts the queue's thread; <paramref name="onThreadStart"/> runs on it first (a device context to make current).</summary>
    public CommunicationQueue(ICommunicator inner, Action? onThreadStart = null)
    {
        _inner = inner;
        _thread = new Thread(() =>
        {
            onThreadStart?.Invoke();
            Drain();
        }) { Name = $"collectives (rank {inner.Rank})", IsBackground = true };
        _thread.Start();
    }

    /// <inheritdoc/>
    public int Rank => _inner.Rank;

    /// <inheritdoc/>
    public int Size => _inner.Size;

    /// <inheritdoc/>
    public int LocalRank => _inner.LocalRank;

    /// <inheritdoc/>
    public string Transport => _inner.Transport;

    /// <summary>Collectives run so far.</summary>
    public long Calls { get; private set; }

    /// <summary>Bytes of the tensors they moved (each counted once per rank).</summary>
    public long Bytes { get; private set; }

    /// <summary>Time the queue's thread spent inside collectives.</summary>
    public TimeSpan Busy => _busy.Elapsed;

    /// <summary>Queues an in-place all-reduce (sum); the task ends when the sum is in <paramref name="tensor"/>.</summary>
    public Task AllReduceSumAsync(Tensor tensor) => Submit(() => _inner.AllReduceSum(tensor), tensor);

    /// <inheritdoc/>
    public void AllReduceSum(Tensor tensor) => Wait(AllReduceSumAsync(tensor));

    /// <inheritdoc/>
    public void Broadcast(Tensor tensor, int root = 0) => Wait(Submit(() => _inner.Broadcast(tensor, root), tensor));

    /// <inheritdoc/>
    public void AllGather(Tensor send, Tensor receive) => Wait(Submit(() => _inner.AllGather(send, receive), receive));

    /// <inheritdoc/>
    public void Barrier() => Wait(Submit(_inner.Barrier, null));

    /// <summary>Finishes the queued collectives and ends the thread (the wrapped communicator stays open).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _work.CompleteAdding();
        _thread.Join();
        _work.Dispose();
    }

    private static void Wait(Task task) => task.GetAwaiter().GetResult();

    private Task Submit(Action work, Tensor? moved)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Calls++;
        if (moved is not null) Bytes += moved.Numel * moved.DType.SizeInBytes();
        _work.Add((work, done));
        return done.Task;
    }

    private void Drain()
    {
        foreach (var (work, done) in _work.GetConsumingEnumerable())
        {
            // After a failure the group is out of step: every later collective fails with the first cause.
            if (_failed is not null)
            {
                done.SetException(_failed);
                continue;
            }
            try
            {
                _busy.Start();
                work();
                done.SetResult();
            }
            catch (Exception e)
            {
                _failed = e;
                done.SetException(e);
            }
            finally
            {
                _busy.Stop();
            }
        }
    }
}
