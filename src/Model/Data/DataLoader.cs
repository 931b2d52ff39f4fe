using RawGan.Engine;
using RawGan.Engine.Profiling;

namespace RawGan.Model.Data;

/// <summary>
/// Hands out batches of a data set forever, epoch after epoch: each epoch visits the samples in the order of
/// <see cref="EpochPermutation"/> (or in index order without shuffling) and drops the last, incomplete batch.
/// While the caller trains on one batch, the next is assembled in host memory on a background task, in page-locked
/// buffers the device copies from asynchronously: handing out a batch queues its upload and returns at once (on the
/// calling thread, whose device context it is), and a buffer is refilled only once its last upload has completed.
/// <see cref="State"/> is the position of the next batch: a loader created from a saved state continues with exactly
/// the batches the original would have produced.
/// A rank of a data-parallel group reads only its <see cref="BatchSlice"/> of each batch: every rank walks the same
/// permutation, so the ranks' slices together are the single-process batch.
/// </summary>
public sealed class DataLoader : IDisposable
{
    private readonly IImageDataset _dataset;
    private readonly int _sampleSize;
    private readonly bool _shuffle;
    private readonly bool _prefetch;
    private readonly IBackend _backend;
    private readonly BatchSlice _slice;
    private readonly HostBatch[] _buffers;
    private readonly CancellationTokenSource _cancel = new();

    // The permutation of the epoch last assembled; touched only by the fill in progress (fills never overlap).
    private int[]? _order;
    private long _orderEpoch = -1;

    private Task<HostBatch>? _pending;
    private int _nextBuffer;
    private bool _disposed;

    /// <summary>
    /// A loader over <paramref name="dataset"/> producing batches of <paramref name="batchSize"/> on
    /// <paramref name="device"/> (default: <see cref="Device.Default"/>), starting at <paramref name="start"/>; with
    /// <paramref name="slice"/>, only those rows of each batch.
    /// </summary>
    public DataLoader(IImageDataset dataset, int batchSize, ulong seed, Device? device = null, bool shuffle = true,
                      bool prefetch = true, LoaderState start = default, BatchSlice? slice = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (dataset.Count < batchSize)
            throw new ArgumentException($"The data set has {dataset.Count} samples, fewer than one batch of {batchSize}.", nameof(batchSize));
        _dataset = dataset;
        _sampleSize = dataset.SampleSize();
        BatchSize = batchSize;
        Seed = seed;
        Device = device ?? Device.Default;
        _shuffle = shuffle;
        _prefetch = prefetch;
        _slice = slice ?? BatchSlice.Whole(batchSize);
        if (_slice.Total != batchSize) throw new ArgumentException($"A slice of a {_slice.Total}-sample batch does not fit batches of {batchSize}.", nameof(slice));
        BatchesPerEpoch = dataset.Count / batchSize;
        CheckState(start);
        State = start;
        _backend = Device.Backend;
        // Three buffers: one being uploaded, one being filled, and one of slack so a fill seldom waits for an upload.
        _buffers = [.. Enumerable.Range(0, 3).Select(_ => new HostBatch(_backend, _slice.Count, _sampleSize))];
    }

    /// <summary>The data set read.</summary>
    public IImageDataset Dataset => _dataset;

    /// <summary>Samples per batch.</summary>
    public int BatchSize { get; }

    /// <summary>The seed of the per-epoch shuffles.</summary>
    public ulong Seed { get; }

    /// <summary>Where the batches' tensors are created.</summary>
    public Device Device { get; }

    /// <summary>Complete batches per epoch (the remainder of each epoch is dropped).</summary>
    public int BatchesPerEpoch { get; }

    /// <summary>The position of the batch <see cref="Next"/> returns next; save it to resume.</summary>
    public LoaderState State { get; private set; }

    /// <summary>The next batch; the caller owns (and disposes) its tensors. Its upload is queued, not waited for.</summary>
    public DataBatch Next()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var host = TakeNext();
        var images = Tensor.Empty([_slice.Count, _dataset.Channels, _dataset.Height, _dataset.Width], DType.Float32, Device);
        var labels = Tensor.Empty([_slice.Count], DType.Int32, Device);
        Upload(host, images, labels);
        return new DataBatch(images, labels, host.State);
    }

    /// <summary>
    /// Queues the upload of the next batch into existing tensors (Float32 (B, C, H, W) and Int32 (B) on
    /// <see cref="Device"/>), such as a training step's staging buffers; returns the batch's position.
    /// </summary>
    public LoaderState NextInto(Tensor images, Tensor labels)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        var shape = new Shape(_slice.Count, _dataset.Channels, _dataset.Height, _dataset.Width);
        if (images.Shape != shape || images.DType != DType.Float32 || labels.Shape != new Shape(_slice.Count) || labels.DType != DType.Int32)
            throw new ArgumentException($"A batch goes into Float32 images {shape} and Int32 labels ({_slice.Count}); got {images} and {labels}.");
        if (!ReferenceEquals(images.Backend, _backend) || !ReferenceEquals(labels.Backend, _backend))
            throw new ArgumentException($"The loader uploads to {Device}; the tensors are on {images.Device} and {labels.Device}.");
        var host = TakeNext();
        Upload(host, images, labels);
        return host.State;
    }

    /// <summary>Stops the background preparation (waiting for it to notice) and releases the loader.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _cancel.Cancel();
        if (_pending is { } pending)
        {
            try
            {
                pending.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                // Expected: the fill saw the cancellation.
            }
            catch (Exception)
            {
                // Dispose must not throw: this was a read error of a batch nobody will take.
            }
        }
        _pending = null;
        _cancel.Dispose();
        foreach (var buffer in _buffers) buffer.Dispose();
    }

    // The batch at the current position, assembled in host memory; the prefetch of the one after it starts.
    private HostBatch TakeNext()
    {
        var position = State;
        // A prefetched batch is always the one for the current position: the state only moves here.
        var host = _pending is { } pending ? pending.GetAwaiter().GetResult() : Fill(position, TakeBuffer(), CancellationToken.None);
        _pending = null;
        State = Advance(position);
        if (_prefetch)
        {
            var next = State;
            var buffer = TakeBuffer();
            _pending = Task.Run(() => Fill(next, buffer, _cancel.Token));
        }
        return host;
    }

    private void Upload(HostBatch host, Tensor images, Tensor labels)
    {
        using var _ = Profiler.Scope("Upload", cost: new OpCost(0, 2 * (images.Numel * sizeof(float) + _slice.Count * sizeof(int))), shape: images.Shape);
        _backend.CopyFromHostAsync(host.Pixels, 0, images.Storage, 0, images.Numel);
        _backend.CopyFromHostAsync(host.Labels, 0, labels.Storage, 0, _slice.Count);
        host.Uploaded?.Dispose();
        host.Uploaded = _backend.RecordEvent();
    }

    private LoaderState Advance(LoaderState s) =>
        s.Batch + 1 < BatchesPerEpoch ? s with { Batch = s.Batch + 1 } : new LoaderState(s.Epoch + 1, 0);

    private HostBatch TakeBuffer()
    {
        var buffer = _buffers[_nextBuffer];
        _nextBuffer = (_nextBuffer + 1) % _buffers.Length;
        return buffer;
    }

    private void CheckState(LoaderState s)
    {
        if (s.Epoch < 0 || s.Batch < 0 || s.Batch >= BatchesPerEpoch)
            throw new ArgumentOutOfRangeException(nameof(s), s, $"A loader position needs epoch ≥ 0 and 0 ≤ batch < {BatchesPerEpoch} (batches per epoch).");
    }

    /// <summary>Assembles the batch at <paramref name="position"/> into <paramref name="buffer"/>.</summary>
    private HostBatch Fill(LoaderState position, HostBatch buffer, CancellationToken cancel)
    {
        var order = OrderOf(position.Epoch);
        int first = position.Batch * BatchSize + _slice.Start;
        buffer.WaitForUpload(); // the device may still be copying this buffer's previous batch
        var labels = buffer.Labels.AsSpan<int>(0, _slice.Count);
        for (int b = 0; b < _slice.Count; b++)
        {
            cancel.ThrowIfCancellationRequested();
            int index = order is null ? first + b : order[first + b];
            int label = _dataset.Read(index, buffer.Pixels.AsSpan<float>((long)b * _sampleSize, _sampleSize));
            if ((uint)label >= (uint)_dataset.NumClasses)
                throw new InvalidDataException($"Sample {index} has label {label}, outside [0, {_dataset.NumClasses}).");
            labels[b] = label;
        }
        buffer.State = position;
        return buffer;
    }

    private int[]? OrderOf(long epoch)
    {
        if (!_shuffle) return null;
        if (_orderEpoch != epoch)
        {
            _order = EpochPermutation.For(Seed, epoch, _dataset.Count);
            _orderEpoch = epoch;
        }
        return _order;
    }

    /// <summary>Page-locked host memory for one batch, and the event after its last upload.</summary>
    private sealed class HostBatch(IBackend backend, int batchSize, int sampleSize) : IDisposable
    {
        public HostBuffer Pixels { get; } = backend.AllocateHost((long)batchSize * sampleSize * sizeof(float));

        public HostBuffer Labels { get; } = backend.AllocateHost((long)batchSize * sizeof(int));

        public LoaderState State { get; set; }

        /// <summary>Completes when the device has copied this buffer's last batch (null before the first upload).</summary>
        public DeviceEvent? Uploaded { get; set; }

        public void WaitForUpload()
        {
            Uploaded?.Wait();
            Uploaded?.Dispose();
            Uploaded = null;
        }

        public void Dispose()
        {
            WaitForUpload();
            Pixels.Dispose();
            Labels.Dispose();
        }
    }
}
