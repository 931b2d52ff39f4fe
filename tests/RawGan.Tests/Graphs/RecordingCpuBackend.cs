using RawGan.Engine;
using RawGan.Engine.Backends.Cpu;

namespace RawGan.Tests.Graphs;

/// <summary>
/// The CPU backend with CUDA graph semantics, so that the host side of graph capture and replay is tested without a
/// GPU. Outside a capture every call runs at once on the CPU backend. Inside <see cref="Capture"/> calls are recorded,
/// not run, against the same storages: memory allocated there belongs to the graph (kept for every replay and
/// zero-filled at its point in each, as CUDA's memset node does), freeing memory from before the capture and every
/// host transfer or wait throws <see cref="GraphCaptureException"/>, and memory still alive at the end is a leak.
/// A launch replays the calls in order, with their original arguments: whatever a step reads from host variables
/// instead of device memory stays frozen at its captured value, exactly as on a GPU.
/// </summary>
internal sealed class RecordingCpuBackend : IBackend, IGraphCapture
{
    private static readonly CpuBackend Cpu = CpuBackend.Instance;
    private List<Action>? _recording;
    private HashSet<RecordedStorage>? _graphMemory;

    public string Name => "cpu-recording";

    /// <summary>Graph launches so far.</summary>
    public int Launches { get; private set; }

    public IDeviceGraph Capture(Action body)
    {
        if (_recording is not null) throw new InvalidOperationException("Captures do not nest.");
        _recording = [];
        _graphMemory = new(ReferenceEqualityComparer.Instance);
        try
        {
            body();
            var leaked = _graphMemory.Where(s => !s.IsReleased).ToList();
            if (leaked.Count > 0) throw GraphCaptureException.Leaked(leaked.Count, leaked.Sum(s => s.Length));
            return new Graph(this, [.. _recording]);
        }
        finally
        {
            _recording = null;
            _graphMemory = null;
        }
    }

    public MemoryStatistics Memory { get; } = new();

    public Storage Allocate(DType dtype, long length)
    {
        // Uninitialised, as IBackend.Allocate promises: a replay finds the graph's memory as the last replay left it.
        var s = new RecordedStorage(this, Cpu.Allocate(dtype, length));
        _graphMemory?.Add(s);
        return s;
    }

    internal void Free(RecordedStorage s)
    {
        if (_graphMemory is { } graph && !graph.Contains(s)) throw GraphCaptureException.ForeignFree(s.Length);
        if (_graphMemory is null) s.Inner.Dispose(); // graph memory stays: the recorded calls use it on every replay
    }

    public void CopyFromHost<T>(ReadOnlySpan<T> src, Storage dst, long dstOffset) where T : unmanaged
    {
        NotInCapture("CopyFromHost (a synchronous upload such as Tensor.FromArray)");
        Cpu.CopyFromHost(src, U(dst), dstOffset);
    }

    public void CopyToHost<T>(Storage src, long srcOffset, Span<T> dst) where T : unmanaged
    {
        NotInCapture("CopyToHost (a host read such as Tensor.ToArray or Item)");
        Cpu.CopyToHost(U(src), srcOffset, dst);
    }

    public HostBuffer AllocateHost(long bytes)
    {
        NotInCapture("AllocateHost");
        return Cpu.AllocateHost(bytes);
    }

    public void CopyFromHostAsync(HostBuffer src, long srcOffset, Storage dst, long dstOffset, long count)
    {
        NotInCapture("CopyFromHostAsync");
        Cpu.CopyFromHostAsync(src, srcOffset, U(dst), dstOffset, count);
    }

    public void CopyToHostAsync(Storage src, long srcOffset, HostBuffer dst, long dstOffset, long count)
    {
        NotInCapture("CopyToHostAsync");
        Cpu.CopyToHostAsync(U(src), srcOffset, dst, dstOffset, count);
    }

    public DeviceEvent RecordEvent()
    {
        NotInCapture("RecordEvent");
        return Cpu.RecordEvent();
    }

    public void Fill(Storage dst, double value) => Run(() => Cpu.Fill(U(dst), value));

    public void Cast(Storage src, Storage dst, long n) => Run(() => Cpu.Cast(U(src), U(dst), n));

    public void StridedCopy(Storage src, long srcOffset, ReadOnlySpan<long> srcStrides, Storage dst, long dstOffset, ReadOnlySpan<long> dstStrides, ReadOnlySpan<int> shape)
    {
        long[] ss = srcStrides.ToArray(), ds = dstStrides.ToArray();
        int[] sh = shape.ToArray();
        Run(() => Cpu.StridedCopy(U(src), srcOffset, ss, U(dst), dstOffset, ds, sh));
    }

    public void Binary(BinaryOp op, Storage a, ReadOnlySpan<long> aStrides, Storage b, ReadOnlySpan<long> bStrides, Storage y, ReadOnlySpan<int> shape)
    {
        long[] sa = aStrides.ToArray(), sb = bStrides.ToArray();
        int[] sh = shape.ToArray();
        Run(() => Cpu.Binary(op, U(a), sa, U(b), sb, U(y), sh));
    }

    public void Unary(UnaryOp op, Storage x, Storage y, long n) => Run(() => Cpu.Unary(op, U(x), U(y), n));

    public void UnaryBackward(UnaryOp op, Storage xOrY, Storage dy, Storage dx, long n) => Run(() => Cpu.UnaryBackward(op, U(xOrY), U(dy), U(dx), n));

    public void Affine(Storage x, Storage y, long n, double scale, double shift) => Run(() => Cpu.Affine(U(x), U(y), n, scale, shift));

    public void Axpby(double a, Storage x, double b, Storage y, long n) => Run(() => Cpu.Axpby(a, U(x), b, U(y), n));

    public void ReduceSum(Storage x, ReadOnlySpan<int> xShape, Storage y, ReadOnlySpan<int> yShape, double scale)
    {
        int[] xs = xShape.ToArray(), ys = yShape.ToArray();
        Run(() => Cpu.ReduceSum(U(x), xs, U(y), ys, scale));
    }

    public void SoftmaxForward(Storage x, Storage y, int rows, int cols) => Run(() => Cpu.SoftmaxForward(U(x), U(y), rows, cols));

    public void SoftmaxBackward(Storage y, Storage dy, Storage dx, int rows, int cols) => Run(() => Cpu.SoftmaxBackward(U(y), U(dy), U(dx), rows, cols));

    public void Gemm(bool transA, bool transB, int m, int n, int k, double alpha, Storage a, long aOffset, int lda, long strideA,
                     Storage b, long bOffset, int ldb, long strideB, double beta, Storage c, long cOffset, int ldc, long strideC, int batch, MathMode math) =>
        Run(() => Cpu.Gemm(transA, transB, m, n, k, alpha, U(a), aOffset, lda, strideA, U(b), bOffset, ldb, strideB, beta, U(c), cOffset, ldc, strideC, batch, math));

    public void Conv2dForward(Storage x, Storage w, Storage y, in Conv2dGeometry g, MathMode math)
    {
        var geometry = g;
        Run(() => Cpu.Conv2dForward(U(x), U(w), U(y), geometry, math));
    }

    public void Conv2dBackwardData(Storage dy, Storage w, Storage dx, in Conv2dGeometry g, MathMode math)
    {
        var geometry = g;
        Run(() => Cpu.Conv2dBackwardData(U(dy), U(w), U(dx), geometry, math));
    }

    public void Conv2dBackwardWeight(Storage x, Storage dy, Storage dw, in Conv2dGeometry g, MathMode math)
    {
        var geometry = g;
        Run(() => Cpu.Conv2dBackwardWeight(U(x), U(dy), U(dw), geometry, math));
    }

    public void SubspaceProduct(SubspaceBatch batch, bool transpose, Storage x, Storage y, Storage state) =>
        Run(() => Cpu.SubspaceProduct(batch, transpose, U(x), U(y), U(state)));

    public void SubspaceOrthonormalize(SubspaceBatch batch, bool columnSide, Storage x, Storage state, ulong seed) =>
        Run(() => Cpu.SubspaceOrthonormalize(batch, columnSide, U(x), U(state), seed));

    public void SubspaceRayleighRitz(SubspaceBatch batch, Storage q, Storage z, Storage u, Storage v, Storage state, int iteration, double settle) =>
        Run(() => Cpu.SubspaceRayleighRitz(batch, U(q), U(z), U(u), U(v), U(state), iteration, settle));

    public void SubspaceResidual(SubspaceBatch batch, Storage y, Storage u, Storage state, int iteration, double tolerance) =>
        Run(() => Cpu.SubspaceResidual(batch, U(y), U(u), U(state), iteration, tolerance));

    public void Pool2x2Forward(PoolKind kind, Storage x, Storage y, int n, int c, int h, int w) => Run(() => Cpu.Pool2x2Forward(kind, U(x), U(y), n, c, h, w));

    public void Pool2x2Backward(PoolKind kind, Storage x, Storage dy, Storage dx, int n, int c, int h, int w) =>
        Run(() => Cpu.Pool2x2Backward(kind, U(x), U(dy), U(dx), n, c, h, w));

    public void Pool2dForward(PoolKind kind, Storage x, Storage y, in Pool2dGeometry g)
    {
        var geometry = g;
        Run(() => Cpu.Pool2dForward(kind, U(x), U(y), geometry));
    }

    public void Pool2dBackward(PoolKind kind, Storage x, Storage dy, Storage dx, in Pool2dGeometry g)
    {
        var geometry = g;
        Run(() => Cpu.Pool2dBackward(kind, U(x), U(dy), U(dx), geometry));
    }

    public void Upsample2xForward(Storage x, Storage y, int n, int c, int h, int w) => Run(() => Cpu.Upsample2xForward(U(x), U(y), n, c, h, w));

    public void Upsample2xBackward(Storage dy, Storage dx, int n, int c, int h, int w) => Run(() => Cpu.Upsample2xBackward(U(dy), U(dx), n, c, h, w));

    public void BatchNormStatistics(Storage x, int n, int c, int spatial, Storage mean, Storage variance) =>
        Run(() => Cpu.BatchNormStatistics(U(x), n, c, spatial, U(mean), U(variance)));

    public void BatchNormForward(Storage x, Storage mean, Storage variance, Storage? gamma, Storage? beta, double eps, Storage y, int n, int c, int spatial) =>
        Run(() => Cpu.BatchNormForward(U(x), U(mean), U(variance), UOrNull(gamma), UOrNull(beta), eps, U(y), n, c, spatial));

    public void BatchNormBackward(Storage x, Storage dy, Storage mean, Storage variance, Storage? gamma, double eps, bool batchStatistics,
                                  Storage dx, Storage? dgamma, Storage? dbeta, int n, int c, int spatial) =>
        Run(() => Cpu.BatchNormBackward(U(x), U(dy), U(mean), U(variance), UOrNull(gamma), eps, batchStatistics, U(dx), UOrNull(dgamma), UOrNull(dbeta), n, c, spatial));

    public void ConditionalBatchNormReluForward(Storage x, Storage mean, Storage variance, Storage gain, Storage bias, double eps, Storage y, int n, int c, int spatial) =>
        Run(() => Cpu.ConditionalBatchNormReluForward(U(x), U(mean), U(variance), U(gain), U(bias), eps, U(y), n, c, spatial));

    public void ConditionalBatchNormReluBackward(Storage x, Storage y, Storage dy, Storage mean, Storage variance, Storage gain, double eps, bool batchStatistics,
                                                 Storage dx, Storage dgain, Storage dbias, int n, int c, int spatial) =>
        Run(() => Cpu.ConditionalBatchNormReluBackward(U(x), U(y), U(dy), U(mean), U(variance), U(gain), eps, batchStatistics, U(dx), U(dgain), U(dbias), n, c, spatial));

    public void EmbeddingForward(Storage weight, Storage indices, Storage y, int count, int dim, int rows) =>
        Run(() => Cpu.EmbeddingForward(U(weight), U(indices), U(y), count, dim, rows));

    public void EmbeddingBackward(Storage dy, Storage indices, Storage dweight, int count, int dim, int rows) =>
        Run(() => Cpu.EmbeddingBackward(U(dy), U(indices), U(dweight), count, dim, rows));

    public void SpectralNormPowerIteration(Storage w, int rows, int cols, Storage u, Storage uOut, Storage vOut, Storage sigma, double eps) =>
        Run(() => Cpu.SpectralNormPowerIteration(U(w), rows, cols, U(u), U(uOut), U(vOut), U(sigma), eps));

    public void AdamStepScalars(Storage step, Storage scalars, double lr, double beta1, double beta2) =>
        Run(() => Cpu.AdamStepScalars(U(step), U(scalars), lr, beta1, beta2));

    public void AdamUpdate(Storage param, Storage grad, Storage m, Storage v, long n, double beta1, double beta2, double eps, Storage scalars) =>
        Run(() => Cpu.AdamUpdate(U(param), U(grad), U(m), U(v), n, beta1, beta2, eps, U(scalars)));

    public void FillUniform(Storage dst, ulong seed, ulong offset) => Run(() => Cpu.FillUniform(U(dst), seed, offset));

    public void FillNormal(Storage dst, ulong seed, ulong offset, double mean, double std) => Run(() => Cpu.FillNormal(U(dst), seed, offset, mean, std));

    public void FillTruncatedNormal(Storage dst, ulong seed, ulong offset, double threshold) => Run(() => Cpu.FillTruncatedNormal(U(dst), seed, offset, threshold));

    public void FillNormal(Storage dst, ulong seed, Storage counter, double mean, double std) => Run(() => Cpu.FillNormal(U(dst), seed, U(counter), mean, std));

    public void AdvanceCounter(Storage counter, ulong delta) => Run(() => Cpu.AdvanceCounter(U(counter), delta));

    public void FillUniformInt(Storage dst, ulong seed, Storage counter, int bound) => Run(() => Cpu.FillUniformInt(U(dst), seed, U(counter), bound));

    private void Run(Action call)
    {
        if (_recording is { } r) r.Add(call);
        else call();
    }

    private void NotInCapture(string operation)
    {
        if (_recording is not null) throw GraphCaptureException.NotCapturable(operation);
    }

    private static Storage U(Storage s) => ((RecordedStorage)s).Inner;

    private static Storage? UOrNull(Storage? s) => s is null ? null : U(s);

    private sealed class Graph(RecordingCpuBackend backend, Action[] calls) : IDeviceGraph
    {
        public void Launch()
        {
            backend.Launches++;
            foreach (var call in calls) call();
        }

        public void Dispose()
        {
        }
    }
}

/// <summary>A storage of <see cref="RecordingCpuBackend"/>: CPU memory behind it, freed through the backend's rules.</summary>
internal sealed class RecordedStorage(RecordingCpuBackend backend, Storage inner) : Storage(backend, inner.DType, inner.Length)
{
    public Storage Inner { get; } = inner;

    protected override void Free() => ((RecordingCpuBackend)Backend).Free(this);
}
