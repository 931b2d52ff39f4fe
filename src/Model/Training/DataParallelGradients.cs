using System.Diagnostics;
using RawGan.Engine;
using RawGan.Engine.Autograd;
using RawGan.Engine.Distributed;

namespace RawGan.Model.Training;

/// <summary>
/// One network's gradient all-reduce in fixed-size buckets, overlapped with the backward pass, as PyTorch DDP's
/// reducer does it. Parameters are assigned to buckets once, in reverse registration order (the order a backward
/// pass finishes them: output layers first). While the last backward pass of an update runs, each finished gradient
/// is copied into its bucket's flat buffer; a full bucket is queued for an all-reduce on the communication thread
/// at once, in bucket order (the same on every rank, as collectives require), while the backward pass goes on.
/// <see cref="Finish"/> waits for the rest, divides by the number of ranks and copies the means back into the
/// gradients: each rank's loss is the mean over its slice, so the mean over ranks is the global batch's gradient.
/// </summary>
internal sealed class DataParallelGradients : IDisposable
{
    private readonly CommunicationQueue _queue;
    private readonly List<Bucket> _buckets = [];
    private readonly Dictionary<Tensor, (Bucket Bucket, int Member)> _where = new(ReferenceEqualityComparer.Instance);
    private readonly Stopwatch _waited = new();
    private GradientReady.Scope? _listening;
    private int _launched;

    /// <summary>Buckets of at most <paramref name="bucketBytes"/> (a larger parameter gets one of its own) over <paramref name="parameters"/>.</summary>
    public DataParallelGradients(IReadOnlyList<KeyValuePair<string, Tensor>> parameters, CommunicationQueue queue, long bucketBytes)
    {
        _queue = queue;
        var members = new List<(string, Tensor, long)>();
        long numel = 0;
        for (int i = parameters.Count - 1; i >= 0; i--)
        {
            var (name, p) = parameters[i];
            if (members.Count > 0 && (numel + p.Numel) * p.DType.SizeInBytes() > bucketBytes) Close();
            if (members.Count > 0 && (p.DType != members[0].Item2.DType || !ReferenceEquals(p.Backend, members[0].Item2.Backend))) Close();
            members.Add((name, p, numel));
            numel += p.Numel;
        }
        if (members.Count > 0) Close();

        void Close()
        {
            var bucket = new Bucket([.. members], Tensor.Zeros([checked((int)numel)], members[0].Item2.DType, members[0].Item2.Device));
            for (int m = 0; m < bucket.Members.Length; m++) _where[bucket.Members[m].Parameter] = (bucket, m);
            _buckets.Add(bucket);
            members.Clear();
            numel = 0;
        }
    }

    /// <summary>Number of buckets.</summary>
    public int BucketCount => _buckets.Count;

    /// <summary>Time the training thread spent waiting for all-reduces the backward pass did not hide.</summary>
    public TimeSpan Waited => _waited.Elapsed;

    /// <summary>Buckets queued so far.</summary>
    public long Launched { get; private set; }

    /// <summary>Of those, the ones queued while the backward pass was still running (the overlap).</summary>
    public long LaunchedDuringBackward { get; private set; }

    /// <summary>Starts reducing: the coming backward pass (the update's last) hands each finished gradient to its bucket.</summary>
    public void Start()
    {
        if (_listening is not null) throw new InvalidOperationException("The gradient reduction of this network has already started.");
        _listening = GradientReady.Listen(OnFinished);
    }

    /// <summary>Ends the backward pass's reduction: queues what is left, waits, and leaves the mean over ranks in every gradient.</summary>
    public void Finish()
    {
        _listening?.Dispose();
        _listening = null;
        for (int b = _launched; b < _buckets.Count; b++)
        {
            var bucket = _buckets[b];
            for (int m = 0; m < bucket.Members.Length; m++)
            {
                if (!bucket.Packed[m]) Pack(bucket, m);
            }
        }
        LaunchReady();
        _waited.Start();
        try
        {
            foreach (var b in _buckets) b.Pending!.GetAwaiter().GetResult();
        }
        finally
        {
            _waited.Stop();
        }
        foreach (var b in _buckets)
        {
            b.Unpack(_queue.Size);
            b.Reset();
        }
        _launched = 0;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _listening?.Dispose();
        foreach (var b in _buckets) b.Flat.Dispose();
    }

    private void OnFinished(Tensor leaf)
    {
        if (!_where.TryGetValue(leaf, out var at) || at.Bucket.Packed[at.Member]) return;
        Pack(at.Bucket, at.Member);
        LaunchedDuringBackward += LaunchReady();
    }

    private static void Pack(Bucket bucket, int member)
    {
        var (name, p, offset) = bucket.Members[member];
        var grad = p.Grad ?? throw new InvalidOperationException(
            $"Parameter {name} got no gradient in this backward pass: data-parallel training all-reduces every parameter, so each must take part in the loss.");
        p.Backend.StridedCopy(grad.Storage, 0, [1], bucket.Flat.Storage, offset, [1], [checked((int)p.Numel)]);
        bucket.Packed[member] = true;
        bucket.Ready++;
    }

    // Buckets go to the queue strictly in order, each once all its gradients are packed; returns how many went.
    private int LaunchReady()
    {
        int count = 0;
        while (_launched < _buckets.Count && _buckets[_launched].Ready == _buckets[_launched].Members.Length)
        {
            var bucket = _buckets[_launched++];
            bucket.Pending = _queue.AllReduceSumAsync(bucket.Flat);
            count++;
        }
        Launched += count;
        return count;
    }

    private sealed class Bucket((string Name, Tensor Parameter, long Offset)[] members, Tensor flat)
    {
        public (string Name, Tensor Parameter, long Offset)[] Members { get; } = members;

        public Tensor Flat { get; } = flat;

        public bool[] Packed { get; } = new bool[members.Length];

        public int Ready { get; set; }

        public Task? Pending { get; set; }

        public void Reset()
        {
            Array.Clear(Packed);
            Ready = 0;
            Pending = null;
        }

        // The sum over ranks becomes the mean, then goes back into each gradient.
        public void Unpack(int ranks)
        {
            if (ranks > 1) Flat.Backend.Affine(Flat.Storage, Flat.Storage, Flat.Numel, 1.0 / ranks, 0);
            foreach (var (_, p, offset) in Members)
                p.Backend.StridedCopy(Flat.Storage, offset, [1], p.Grad!.Storage, 0, [1], [checked((int)p.Numel)]);
        }
    }
}
