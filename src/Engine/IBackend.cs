namespace RawGan.Engine;

/// <summary>Elementwise binary operations; operands broadcast through zero strides.</summary>
public enum BinaryOp
{
    Add,
    Sub,
    Mul,
    Div,
}

/// <summary>Elementwise unary operations with a backward rule each.</summary>
public enum UnaryOp
{
    /// <summary>max(x, 0); backward reads x.</summary>
    Relu,
    /// <summary>tanh(x); backward reads y.</summary>
    Tanh,
    /// <summary>exp(x); backward reads y.</summary>
    Exp,
    /// <summary>ln(x); backward reads x.</summary>
    Log,
}

/// <summary>Pooling kinds, for the 2x2 fast path (stride 2, no padding; odd trailing rows/columns are dropped, as in PyTorch) and general windows.</summary>
public enum PoolKind
{
    Average,
    Max,
}

/// <summary>
/// Geometry of a general 2-D pooling window over NCHW input, as PyTorch's max_pool2d/avg_pool2d with
/// ceil_mode=False: a KernelH×KernelW window moved by (StrideH, StrideW) over the input padded by (PadH, PadW).
/// Max pooling ignores the padding; average pooling divides by KernelH·KernelW when
/// <paramref name="CountIncludePad"/> is true, else by the number of window elements inside the input.
/// </summary>
public readonly record struct Pool2dGeometry(
    int N, int C, int H, int W, int KernelH, int KernelW, int StrideH, int StrideW, int PadH, int PadW, bool CountIncludePad)
{
    /// <summary>Output height.</summary>
    public int OutH => (H + 2 * PadH - KernelH) / StrideH + 1;

    /// <summary>Output width.</summary>
    public int OutW => (W + 2 * PadW - KernelW) / StrideW + 1;
}

/// <summary>
/// Geometry of a 2-D convolution over NCHW input with KCRS weights (no dilation, no groups).
/// </summary>
public readonly record struct Conv2dGeometry(
    int N, int C, int H, int W, int K, int R, int S, int StrideH, int StrideW, int PadH, int PadW)
{
    /// <summary>Output height.</summary>
    public int OutH => (H + 2 * PadH - R) / StrideH + 1;

    /// <summary>Output width.</summary>
    public int OutW => (W + 2 * PadW - S) / StrideW + 1;

    /// <summary>Multiply-adds of the forward pass (each of the three passes costs the same).</summary>
    public long MacCount => (long)N * K * OutH * OutW * C * R * S;
}

/// <summary>
/// The kernel-level contract every backend implements (CPU now, CUDA next). Every buffer is a
/// <see cref="Storage"/> of that backend, never host memory; sizes are in elements. Tensors are
/// contiguous row-major unless strides are passed. Every element of an output is written (outputs come from
/// <see cref="Allocate"/> with unspecified contents) unless a method says it accumulates. Floating-point methods
/// accept Float32 and Float64; all operands share one dtype, except where a method says it takes BFloat16 (the
/// products, casts and copies; the precision policy's other ops follow).
/// BFloat16 (the precision policy, <see cref="Autocast"/>): the binary, unary, affine, 2x2 pooling and upsampling
/// methods take BFloat16 operands (computed in Float32 from the exact values, each output rounded once);
/// <see cref="ReduceSum"/> sums a BFloat16 x into a Float32 y; the batch-norm methods take BFloat16 x, y, dy and dx
/// with Float32 statistics, parameters and parameter gradients.
/// </summary>
public interface IBackend
{
    /// <summary>Short name, e.g. "cpu".</summary>
    string Name { get; }

    // ---- memory ----------------------------------------------------------------------------

    /// <summary>
    /// New storage with unspecified contents: for outputs a kernel overwrites completely. Where zeros are needed
    /// (an accumulation, a partly written output) the caller fills them (<see cref="Fill"/>, <see cref="Tensor.Zeros"/>).
    /// With <see cref="UninitializedMemory.Poison"/> on, every byte is 0xFF (NaN; −1 for Int32).
    /// </summary>
    Storage Allocate(DType dtype, long length);

    /// <summary>Allocator statistics of this backend: bytes held now, the peak, allocation counts.</summary>
    MemoryStatistics Memory { get; }

    /// <summary>Copies host elements into <paramref name="dst"/> at <paramref name="dstOffset"/>.</summary>
    void CopyFromHost<T>(ReadOnlySpan<T> src, Storage dst, long dstOffset) where T : unmanaged;

    /// <summary>Copies elements from <paramref name="src"/> at <paramref name="srcOffset"/> to the host.</summary>
    void CopyToHost<T>(Storage src, long srcOffset, Span<T> dst) where T : unmanaged;

    /// <summary>Sets every element to <paramref name="value"/>.</summary>
    void Fill(Storage dst, double value);

    /// <summary>
    /// Converts n elements to the destination's dtype: to Float32 and BFloat16 rounding to nearest even (Float64 to
    /// BFloat16 through Float32, <see cref="BFloat16"/>), to Int32 truncating.
    /// </summary>
    void Cast(Storage src, Storage dst, long n);

    /// <summary>
    /// For every index i over <paramref name="shape"/>: dst[dstOffset + i·dstStrides] = src[srcOffset + i·srcStrides].
    /// Serves permute, narrow, cat, split and broadcast expansion.
    /// </summary>
    void StridedCopy(Storage src, long srcOffset, ReadOnlySpan<long> srcStrides,
                     Storage dst, long dstOffset, ReadOnlySpan<long> dstStrides, ReadOnlySpan<int> shape);

    // ---- asynchronous transfers: the host queues them and goes on -----------------------------

    /// <summary>Host memory this backend copies from and to asynchronously (page-locked on CUDA).</summary>
    HostBuffer AllocateHost(long bytes);

    /// <summary>
    /// Queues a copy of <paramref name="count"/> elements of <paramref name="dst"/>'s dtype from <paramref name="src"/>
    /// (viewed as an array of that type, from element <paramref name="srcOffset"/>) into <paramref name="dst"/> at
    /// <paramref name="dstOffset"/>, in order with the backend's other work, and returns at once. Leave the source bytes
    /// alone until an event recorded after the copy has completed.
    /// </summary>
    void CopyFromHostAsync(HostBuffer src, long srcOffset, Storage dst, long dstOffset, long count);

    /// <summary>
    /// Queues a copy of <paramref name="count"/> elements of <paramref name="src"/> from <paramref name="srcOffset"/> into
    /// <paramref name="dst"/> (from element <paramref name="dstOffset"/>) and returns at once; the values are there once an
    /// event recorded after the copy has completed.
    /// </summary>
    void CopyToHostAsync(Storage src, long srcOffset, HostBuffer dst, long dstOffset, long count);

    /// <summary>An event that completes when all work queued so far has run.</summary>
    DeviceEvent RecordEvent();

    // ---- elementwise -----------------------------------------------------------------------

    /// <summary>
    /// y = a op b over <paramref name="shape"/>, y contiguous; a and b read through strides (0 where broadcast). y may
    /// be a itself, read with y's own contiguous strides (an in-place update, as a convolution's bias).
    /// </summary>
    void Binary(BinaryOp op, Storage a, ReadOnlySpan<long> aStrides, Storage b, ReadOnlySpan<long> bStrides,
                Storage y, ReadOnlySpan<int> shape);

    /// <summary>y = f(x) over n elements.</summary>
    void Unary(UnaryOp op, Storage x, Storage y, long n);

    /// <summary>dx = dy · f'(·), where the argument is x or y as <see cref="UnaryOp"/> documents.</summary>
    void UnaryBackward(UnaryOp op, Storage xOrY, Storage dy, Storage dx, long n);

    /// <summary>y = scale·x + shift over n elements (x and y may be the same storage).</summary>
    void Affine(Storage x, Storage y, long n, double scale, double shift);

    /// <summary>y = a·x + b·y over n elements (gradient accumulation, running statistics, EMA).</summary>
    void Axpby(double a, Storage x, double b, Storage y, long n);

    // ---- reductions ------------------------------------------------------------------------

    /// <summary>
    /// y = scale · sum of x over the axes where <paramref name="yShape"/> is 1 and <paramref name="xShape"/> is not.
    /// Both shapes have the same rank. Serves sum, mean and the backward of broadcasting.
    /// </summary>
    void ReduceSum(Storage x, ReadOnlySpan<int> xShape, Storage y, ReadOnlySpan<int> yShape, double scale);

    /// <summary>Row softmax of a (rows, cols) matrix.</summary>
    void SoftmaxForward(Storage x, Storage y, int rows, int cols);

    /// <summary>dx = y ⊙ (dy − rowsum(dy ⊙ y)).</summary>
    void SoftmaxBackward(Storage y, Storage dy, Storage dx, int rows, int cols);

    // ---- matrix products ---------------------------------------------------------------------

    /// <summary>
    /// Row-major strided-batched GEMM: for b in [0, batch): C_b = alpha·op(A_b)·op(B_b) + beta·C_b, with
    /// op(A_b) m×k, op(B_b) k×n, C_b m×n, leading dimensions in elements and batch strides in elements
    /// (batch 1 for a plain product). beta = 0 ignores what C held. A and B share a dtype; C has it too, or is
    /// Float32 when A and B are BFloat16 (float32 accumulation either way, rounded once when C is BFloat16).
    /// <paramref name="math"/> says how Float32 inputs are multiplied (<see cref="MathMode"/>).
    /// </summary>
    void Gemm(bool transA, bool transB, int m, int n, int k, double alpha,
              Storage a, long aOffset, int lda, long strideA,
              Storage b, long bOffset, int ldb, long strideB,
              double beta, Storage c, long cOffset, int ldc, long strideC, int batch, MathMode math);

    // ---- convolution and resampling ----------------------------------------------------------
    // The three passes follow Gemm's dtype rule: the two inputs share a dtype, and the output has it too or is
    // Float32 when the inputs are BFloat16; math applies to Float32 inputs.

    /// <summary>y (N,K,OH,OW) = conv(x (N,C,H,W), w (K,C,R,S)); no bias.</summary>
    void Conv2dForward(Storage x, Storage w, Storage y, in Conv2dGeometry g, MathMode math);

    /// <summary>
    /// y = conv(x, w) + bias[k] on output channel k, bias (K). By default the convolution, then the broadcast add in
    /// place; a backend may fuse the add into the convolution's output (the CPU's GEMM does).
    /// </summary>
    void Conv2dForwardWithBias(Storage x, Storage w, Storage bias, Storage y, in Conv2dGeometry g, MathMode math)
    {
        Conv2dForward(x, w, y, g, math);
        AddChannelBias(this, y, bias, g);
    }

    /// <summary>y (N,K,OH,OW) += bias[k] on output channel k, in place.</summary>
    static void AddChannelBias(IBackend backend, Storage y, Storage bias, in Conv2dGeometry g)
    {
        ReadOnlySpan<int> shape = [g.N, g.K, g.OutH, g.OutW];
        long[] yStrides = [(long)g.K * g.OutH * g.OutW, (long)g.OutH * g.OutW, g.OutW, 1];
        backend.Binary(BinaryOp.Add, y, yStrides, bias, [0, 1, 0, 0], y, shape);
    }

    /// <summary>dx (N,C,H,W) from dy (N,K,OH,OW) and w.</summary>
    void Conv2dBackwardData(Storage dy, Storage w, Storage dx, in Conv2dGeometry g, MathMode math);

    /// <summary>dw (K,C,R,S) from x and dy.</summary>
    void Conv2dBackwardWeight(Storage x, Storage dy, Storage dw, in Conv2dGeometry g, MathMode math);

    /// <summary>y (N,C,H/2,W/2) = 2x2 pool of x (N,C,H,W).</summary>
    void Pool2x2Forward(PoolKind kind, Storage x, Storage y, int n, int c, int h, int w);

    /// <summary>dx (N,C,H,W) from dy (N,C,H/2,W/2); max pooling routes to the first maximum of each window.</summary>
    void Pool2x2Backward(PoolKind kind, Storage x, Storage dy, Storage dx, int n, int c, int h, int w);

    /// <summary>y (N,C,OH,OW) = general pooling of x (N,C,H,W) with the window of <paramref name="g"/>.</summary>
    void Pool2dForward(PoolKind kind, Storage x, Storage y, in Pool2dGeometry g);

    /// <summary>
    /// dx (N,C,H,W) from dy (N,C,OH,OW), overwritten; each dx element sums the windows that cover it, in window
    /// order. Max pooling routes each window's gradient to its first maximum in row-major window order.
    /// </summary>
    void Pool2dBackward(PoolKind kind, Storage x, Storage dy, Storage dx, in Pool2dGeometry g);

    /// <summary>y (N,C,2H,2W) = nearest-neighbour upsampling of x (N,C,H,W).</summary>
    void Upsample2xForward(Storage x, Storage y, int n, int c, int h, int w);

    /// <summary>dx (N,C,H,W) = sum of dy over each 2x2 block.</summary>
    void Upsample2xBackward(Storage dy, Storage dx, int n, int c, int h, int w);

    // ---- batch norm ----------------------------------------------------------------------------

    /// <summary>Per-channel mean and biased variance of x viewed as (n, c, spatial).</summary>
    void BatchNormStatistics(Storage x, int n, int c, int spatial, Storage mean, Storage variance);

    /// <summary>y = (x − mean)/sqrt(var + eps)·gamma + beta per channel; gamma and beta may be null (no affine).</summary>
    void BatchNormForward(Storage x, Storage mean, Storage variance, Storage? gamma, Storage? beta, double eps,
                          Storage y, int n, int c, int spatial);

    /// <summary>
    /// Backward of <see cref="BatchNormForward"/>. With <paramref name="batchStatistics"/> the mean and variance
    /// are functions of x (training); otherwise constants (eval). dgamma and dbeta, when given, are overwritten.
    /// </summary>
    void BatchNormBackward(Storage x, Storage dy, Storage mean, Storage variance, Storage? gamma, double eps,
                           bool batchStatistics, Storage dx, Storage? dgamma, Storage? dbeta, int n, int c, int spatial);

    /// <summary>
    /// Conditional batch norm fused with the ReLU after it: y = max(0, (x − mean[c])/sqrt(var[c] + eps)·(1 +
    /// gain[i, c]) + bias[i, c]) for x viewed as (n, c, spatial), with gain and bias (n, c) per sample.
    /// </summary>
    void ConditionalBatchNormReluForward(Storage x, Storage mean, Storage variance, Storage gain, Storage bias, double eps,
                                         Storage y, int n, int c, int spatial);

    /// <summary>
    /// Backward of <see cref="ConditionalBatchNormReluForward"/> given its output y (the ReLU mask is y &gt; 0).
    /// With <paramref name="batchStatistics"/> the mean and variance are functions of x (training); otherwise
    /// constants (eval). dx, dgain and dbias (n, c) are overwritten.
    /// </summary>
    void ConditionalBatchNormReluBackward(Storage x, Storage y, Storage dy, Storage mean, Storage variance, Storage gain, double eps,
                                          bool batchStatistics, Storage dx, Storage dgain, Storage dbias, int n, int c, int spatial);

    // ---- embedding ---------------------------------------------------------------------------

    /// <summary>y (count, dim) = weight[indices]; indices are Int32 in [0, rows).</summary>
    void EmbeddingForward(Storage weight, Storage indices, Storage y, int count, int dim, int rows);

    /// <summary>dweight (rows, dim) += scatter of dy by indices (repeated indices add up).</summary>
    void EmbeddingBackward(Storage dy, Storage indices, Storage dweight, int count, int dim, int rows);

    // ---- spectral norm ------------------------------------------------------------------------

    /// <summary>
    /// One power iteration on W viewed as (rows, cols): v = normalize(Wᵀu), u' = normalize(W v),
    /// σ = u'ᵀ W v, with normalize(a) = a / max(|a|, eps). Writes u' to <paramref name="uOut"/> (may be
    /// <paramref name="u"/> itself), v to <paramref name="vOut"/> and σ to <paramref name="sigma"/> (length 1).
    /// </summary>
    void SpectralNormPowerIteration(Storage w, int rows, int cols, Storage u, Storage uOut, Storage vOut,
                                    Storage sigma, double eps);

    // ---- optimisers ----------------------------------------------------------------------------

    /// <summary>
    /// Advances the Adam step count t held in <paramref name="step"/> (a <see cref="DeviceCounter"/>'s words) by one
    /// and writes that step's scalars to <paramref name="scalars"/> (Float64, 2 elements): the step size
    /// lr / (1 − β1^t) and √(1 − β2^t), in double, as torch.optim.Adam computes them before its tensor ops. Reading
    /// t on the device lets a replayed graph take step after step with the same arguments.
    /// </summary>
    void AdamStepScalars(Storage step, Storage scalars, double lr, double beta1, double beta2);

    /// <summary>
    /// One Adam step over n elements, in place, exactly as torch.optim.Adam (no weight decay):
    /// m = β1·m + (1−β1)·g;  v = β2·v + (1−β2)·g²;  p −= stepSize · m / (sqrt(v)/√bc2 + eps),
    /// with stepSize and √bc2 read from <paramref name="scalars"/> (<see cref="AdamStepScalars"/>).
    /// </summary>
    void AdamUpdate(Storage param, Storage grad, Storage m, Storage v, long n, double beta1, double beta2, double eps, Storage scalars);

    // ---- random numbers (Philox4x32-10, counter = offset + element index) ----------------------

    /// <summary>Uniform numbers in (0, 1).</summary>
    void FillUniform(Storage dst, ulong seed, ulong offset);

    /// <summary>Normal numbers (Box–Muller) with the given mean and standard deviation.</summary>
    void FillNormal(Storage dst, ulong seed, ulong offset, double mean, double std);

    /// <summary>Standard normal numbers, each resampled until |z| ≤ threshold.</summary>
    void FillTruncatedNormal(Storage dst, ulong seed, ulong offset, double threshold);

    /// <summary>
    /// <see cref="FillNormal(Storage, ulong, ulong, double, double)"/> at the offset held in <paramref name="counter"/>
    /// (a <see cref="DeviceCounter"/>'s words), then counter += dst.Length, both in order on the device.
    /// </summary>
    void FillNormal(Storage dst, ulong seed, Storage counter, double mean, double std);

    /// <summary>
    /// Int32 integers uniform in [0, bound): element i is (int)(u·bound) of the float64 uniform of element i (the uniform
    /// fill's recipe) at the offset held in <paramref name="counter"/>; then counter += dst.Length on the device.
    /// </summary>
    void FillUniformInt(Storage dst, ulong seed, Storage counter, int bound);

    /// <summary>
    /// counter += <paramref name="delta"/> (mod 2^64) on the device, in order with the other work: how a draw of part
    /// of a batch (a data-parallel rank's rows) moves a stream past the numbers the other parts use.
    /// </summary>
    void AdvanceCounter(Storage counter, ulong delta);

    // ---- subspace iteration (top singular values of many weights at once) -----------------------
    // Float64 thin blocks packed as SubspaceBatch describes; every call skips the matrices whose state says done.

    /// <summary>
    /// For each matrix: y = W·x (x column-side, y row-side) or, with <paramref name="transpose"/>, y = Wᵀ·x (x
    /// row-side, y column-side), accumulated in float64.
    /// </summary>
    void SubspaceProduct(SubspaceBatch batch, bool transpose, Storage x, Storage y, Storage state);

    /// <summary>
    /// Orthonormalises each matrix's block (row-side, or column-side with <paramref name="columnSide"/>) in place
    /// by classical Gram–Schmidt applied twice, column by column. A column left with at most 1e-12 of the block's
    /// largest norm (or of its own) is replaced by pseudo-random values from (seed, rows, cols, column, attempt,
    /// row), orthogonalised the same way, so the block stays full rank; an all-zero block becomes a random start.
    /// </summary>
    void SubspaceOrthonormalize(SubspaceBatch batch, bool columnSide, Storage x, Storage state, ulong seed);

    /// <summary>
    /// Rayleigh–Ritz from q (row-side, orthonormal) and z = Wᵀq (column-side): the eigenvectors P and eigenvalues
    /// λ (descending) of zᵀz by cyclic Jacobi; σ = √max(λ, 0) into the state, with settled = 1 when
    /// <paramref name="iteration"/> &gt; 0 and every wanted σ moved by at most <paramref name="settle"/>·σ0;
    /// u = q·P (row-side) and v = z·P (column-side: the next block once orthonormalised).
    /// </summary>
    void SubspaceRayleighRitz(SubspaceBatch batch, Storage q, Storage z, Storage u, Storage v, Storage state, int iteration, double settle);

    /// <summary>
    /// The residual of the last Ritz pairs from y = W·v: max over the wanted i of ‖yᵢ − σᵢuᵢ‖ / σ0 (absolute when
    /// σ0 = 0) into the state, with the iteration count; done = 1 when it is at most <paramref name="tolerance"/>
    /// or the values settled.
    /// </summary>
    void SubspaceResidual(SubspaceBatch batch, Storage y, Storage u, Storage state, int iteration, double tolerance);
}
