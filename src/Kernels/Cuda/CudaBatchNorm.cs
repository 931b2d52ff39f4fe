using RawGan.Engine;
using static RawGan.Kernels.Ops.BatchNormKernels;

namespace RawGan.Kernels.Cuda;

// Batch norm (kernels-cu/batchnorm.cu): the per-channel reductions run one block per channel; the forward is
// a per-channel scale and shift computed once, then applied elementwise.
public sealed partial class CudaBackend
{
    // Threads per channel block: enough loads in flight to stream a channel of millions of elements.
    private const uint ChannelBlock = 512;

    /// <inheritdoc/>
    public void BatchNormStatistics(Storage x, int n, int c, int spatial, Storage mean, Storage variance)
    {
        if ((long)n * spatial == 0)
        {
            // The mean of nothing, as the CPU computes it (0/0).
            Fill(mean, double.NaN);
            Fill(variance, double.NaN);
            return;
        }
        Launch(Statistics.For(x.DType), (uint)c, ChannelBlock, 0, Ptr(x), Ptr(mean), Ptr(variance), n, c, spatial);
    }

    /// <inheritdoc/>
    public void BatchNormForward(Storage x, Storage mean, Storage variance, Storage? gamma, Storage? beta, double eps,
                                 Storage y, int n, int c, int spatial)
    {
        long total = (long)n * c * spatial;
        if (total == 0) return;
        using var coefficients = Allocate(x.DType, 2L * c); // scale, then shift
        Launch(ScaleShift.For(x.DType), GridFor(c), Block, 0, Ptr(mean), Ptr(variance), PtrOrZero(gamma), PtrOrZero(beta), eps,
               Ptr(coefficients), Ptr(coefficients, c), c);
        Launch(Forward.For(x.DType), GridFor(total), Block, 0, Ptr(x), Ptr(coefficients), Ptr(coefficients, c), Ptr(y), total, c, spatial);
    }

    /// <inheritdoc/>
    public void BatchNormBackward(Storage x, Storage dy, Storage mean, Storage variance, Storage? gamma, double eps,
                                  bool batchStatistics, Storage dx, Storage? dgamma, Storage? dbeta, int n, int c, int spatial)
    {
        if ((long)n * spatial == 0)
        {
            // Sums over no elements.
            if (dgamma is not null) Fill(dgamma, 0);
            if (dbeta is not null) Fill(dbeta, 0);
            return;
        }
        Launch(Backward.For(x.DType), (uint)c, ChannelBlock, 0, Ptr(x), Ptr(dy), Ptr(mean), Ptr(variance), PtrOrZero(gamma), eps,
               batchStatistics ? 1 : 0, Ptr(dx), PtrOrZero(dgamma), PtrOrZero(dbeta), n, c, spatial);
    }
}
