using RawGan.Engine;
using static RawGan.Kernels.Ops.BatchNormKernels;

namespace RawGan.Kernels.Cuda;

// Conditional batch norm fused with ReLU (kernels-cu/batchnorm.cu, cbn_relu_*): per-plane coefficients computed
// once in double, then one elementwise pass; the backward reduces each (sample, channel) plane in its own block,
// folds the planes into per-channel sums, and applies dx elementwise.
public sealed partial class CudaBackend
{
    // Threads per plane block: BigGAN's planes run from 4x4 to 128x128 elements.
    private const uint PlaneBlock = 256;

    /// <inheritdoc/>
    public void ConditionalBatchNormReluForward(Storage x, Storage mean, Storage variance, Storage gain, Storage bias, double eps,
                                                Storage y, int n, int c, int spatial)
    {
        long planes = CheckPlanes(n, c), total = planes * spatial;
        if (total == 0) return;
        using var coefficients = Allocate(x.DType, 2 * planes); // scale, then shift
        Launch(CbnReluScaleShift.For(x.DType), GridFor(planes), Block, 0, Ptr(mean), Ptr(variance), Ptr(gain), Ptr(bias), eps,
               Ptr(coefficients), Ptr(coefficients, planes), n, c);
        Launch(CbnReluForward.For(x.DType), GridFor(total), Block, 0, Ptr(x), Ptr(coefficients), Ptr(coefficients, planes), Ptr(y), total, c, spatial);
    }

    /// <inheritdoc/>
    public void ConditionalBatchNormReluBackward(Storage x, Storage y, Storage dy, Storage mean, Storage variance, Storage gain, double eps,
                                                 bool batchStatistics, Storage dx, Storage dgain, Storage dbias, int n, int c, int spatial)
    {
        long planes = CheckPlanes(n, c), total = planes * spatial;
        if (planes == 0) return;
        if (spatial == 0)
        {
            // Sums over no elements.
            Fill(dgain, 0);
            Fill(dbias, 0);
            return;
        }
        using var sums = Allocate(DType.Float64, 2 * planes); // Σdz, then Σdz·x̂, per plane
        using var coefficients = Allocate(x.DType, 3 * planes); // a, b, q per plane
        Launch(CbnReluPlaneSums.For(x.DType), (uint)planes, PlaneBlock, 0, Ptr(x), Ptr(y), Ptr(dy), Ptr(mean), Ptr(variance), eps,
               Ptr(dgain), Ptr(dbias), Ptr(sums), Ptr(sums, planes), c, spatial);
        Launch(CbnReluDxCoefficients.For(x.DType), GridFor(c), Block, 0, Ptr(variance), Ptr(gain), Ptr(sums), Ptr(sums, planes), eps,
               batchStatistics ? 1 : 0, Ptr(coefficients), Ptr(coefficients, planes), Ptr(coefficients, 2 * planes), n, c, spatial);
        Launch(CbnReluBackward.For(x.DType), GridFor(total), Block, 0, Ptr(x), Ptr(y), Ptr(dy), Ptr(mean), Ptr(coefficients),
               Ptr(coefficients, planes), Ptr(coefficients, 2 * planes), Ptr(dx), total, c, spatial);
    }

    // The kernels index planes (sample, channel) in 32 bits and launch one block per plane.
    private static long CheckPlanes(int n, int c)
    {
        long planes = (long)n * c;
        if (planes > int.MaxValue)
            throw new NotSupportedException($"ConditionalBatchNormRelu: {n}·{c} (sample, channel) planes exceed 2^31 − 1.");
        return planes;
    }
}
