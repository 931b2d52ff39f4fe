using RawGan.Engine;
using static RawGan.Kernels.Ops.SpectralNormKernels;

namespace RawGan.Kernels.Cuda;

// Spectral-norm power iteration (kernels-cu/spectralnorm.cu): four stream-ordered launches, no host round-trip.
public sealed partial class CudaBackend
{
    private const uint SpectralReduceBlock = 1024; // the single-block norm kernels
    private const uint SpectralWtuBlock = 256;      // 32 columns × 8 warps (SN_WARPS in spectralnorm.cu)
    private const int MaxSlices = 32;

    /// <inheritdoc/>
    public void SpectralNormPowerIteration(Storage w, int rows, int cols, Storage u, Storage uOut, Storage vOut, Storage sigma, double eps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(cols, 1);
        var dtype = w.DType;
        // Wᵀu: blocks of 32 columns. When W has few columns (BigGAN's 24576×148 linear), the rows are split into
        // slices so that every multiprocessor gets a couple of blocks; each slice keeps at least 64 rows (8 per
        // warp), and at most 32 slices keep sn_v's per-column sum over the slices short.
        int colBlocks = (cols + 31) / 32;
        long wanted = (2L * Context.MultiprocessorCount + colBlocks - 1) / colBlocks;
        int slices = (int)Math.Clamp(wanted, 1, Math.Clamp((rows + 63) / 64, 1, MaxSlices));
        int rowsPerSlice = (rows + slices - 1) / slices;
        slices = (rows + rowsPerSlice - 1) / rowsPerSlice; // no empty trailing slice
        long wvOffset = (long)slices * cols;
        using var scratch = Allocate(dtype, wvOffset + rows); // partial column sums, then W v
        var epsT = Scalar(w, eps);
        Launch(WtU.For(dtype), checked((uint)(colBlocks * slices)), SpectralWtuBlock, 0, Ptr(w), Ptr(u), Ptr(scratch), rows, cols, colBlocks, rowsPerSlice);
        Launch(NormalizeV.For(dtype), 1, SpectralReduceBlock, 0, Ptr(scratch), Ptr(vOut), cols, slices, epsT);
        Launch(Wv.For(dtype), GridFor(32L * rows), Block, 0, Ptr(w), Ptr(vOut), Ptr(scratch, wvOffset), rows, cols);
        Launch(UpdateUAndSigma.For(dtype), 1, SpectralReduceBlock, 0, Ptr(scratch, wvOffset), Ptr(uOut), Ptr(sigma), rows, epsT);
    }
}
