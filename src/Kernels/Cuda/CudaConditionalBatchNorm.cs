using RawGan.Engine;
using static RawGan.Kernels.Ops.BatchNormKernels;

namespace RawGan.Kernels.Cuda;

// Conditional batch norm fused with ReLU (kernels-cu/batchnorm.cu, cbn_relu_*): the forward is one elementwise pass
// with each plane's coefficients computed where they are used; the backward reduces plane segments, combines each
// channel's planes (writing dgain and dbias per plane and dx's coefficients) and applies dx in one pass.
public sealed partial class CudaBackend
{
    /// <inheritdoc/>
    public void ConditionalBatchNormReluForward(Storage x, Storage mean, Storage variance, Storage gain, Storage bias, double eps,
                                                Storage y, int n, int c, int spatial)
    {
        int planes = CheckPlanes(n, c, spatial);
        Launch(CbnReluForward.For(x.DType), ElementGrid((long)planes * spatial, x.DType), Block, 0, Ptr(x), Ptr(mean), Ptr(variance),
               Ptr(gain), Ptr(bias), eps, Ptr(y), planes, c, spatial);
    }

    /// <inheritdoc/>
    public void ConditionalBatchNormReluBackward(Storage x, Storage y, Storage dy, Storage mean, Storage variance, Storage gain, double eps,
                                                 bool batchStatistics, Storage dx, Storage dgain, Storage dbias, int n, int c, int spatial)
    {
        int planes = CheckPlanes(n, c, spatial);
        if (planes == 0) return;
        if (spatial == 0)
        {
            // Sums over no elements.
            Fill(dgain, 0);
            Fill(dbias, 0);
            return;
        }
        long segments = Segments(planes, spatial);
        var acc = AccumulationType(x.DType);
        using var sums = Allocate(acc, 2 * segments); // Σdz, then Σdz·(x − μ), per segment
        using var coefficients = Allocate(acc, 3L * planes); // a, b, q per plane
        Launch(CbnReluBackwardSegments.For(x.DType), SegmentGrid(segments, spatial, x.DType), Block, 0, Ptr(x), Ptr(y), Ptr(dy), Ptr(mean),
               Ptr(sums), Ptr(sums, segments), planes, c, spatial, SegmentElements);
        Launch(CbnReluBackwardCombine.For(x.DType), WarpGrid(c), Block, 0, Ptr(variance), Ptr(gain), Ptr(sums), Ptr(sums, segments), eps,
               batchStatistics ? 1 : 0, Ptr(dgain), Ptr(dbias), Ptr(coefficients), Ptr(coefficients, planes), Ptr(coefficients, 2L * planes),
               n, c, spatial, SegmentElements);
        Launch(CbnReluBackwardApply.For(x.DType), ElementGrid((long)planes * spatial, x.DType), Block, 0, Ptr(x), Ptr(y), Ptr(dy), Ptr(mean),
               Ptr(coefficients), Ptr(coefficients, planes), Ptr(coefficients, 2L * planes), Ptr(dx), planes, c, spatial);
    }
}
