using RawGan.Engine.Distributed;

namespace RawGan.Engine;

// Cross-replica (synchronised) batch norm: the statistics of BatchNorm and ConditionalBatchNormRelu taken over the
// batches of every replica of a data-parallel group, as BigGAN's TPU training and PyTorch's SyncBatchNorm do. Built
// from the ops' own backend kernels plus two small collectives; every replica's batch has the same size (the equal
// slices of data-parallel training), so the global count is the local one times the group size.
//
// Forward: each replica's mean and biased variance (BatchNormStatistics, two passes) are all-gathered and combined
// as Chan et al.'s parallel variance does: μ = mean of the μ_r, σ² = mean of (σ_r² + (μ_r − μ)²), exact and free
// of the cancellation a sum-of-squares form has.
//
// Backward: with x̂ = (x − μ)·invstd and M the global count, batch statistics give
//     dx = γ·invstd·(dy − Σdy/M − x̂·Σ(dy·x̂)/M),
// whose two sums run over every replica. A fixed-statistics backward yields this replica's Σdy and Σdy·x̂ (as dβ and
// dγ), one all-reduce sums them, the correction Σdy/M + x̂·Σ(dy·x̂)/M is a batch-norm forward with γ = Σ(dy·x̂)/M and
// β = Σdy/M, and a fixed-statistics backward of dy − correction is dx. The parameter gradients each replica returns
// are its own share; the data-parallel gradient all-reduce adds them up.
public static partial class Ops
{
    /// <summary>The mean and biased variance over every replica's batch, from each replica's own (C each).</summary>
    private static (Tensor Mean, Tensor Variance) CombineReplicaStatistics(Tensor mean, Tensor variance, ICommunicator replicas)
    {
        int c = mean.Shape[0];
        var all = Empty(mean, new Shape(replicas.Size, 2, c));
        replicas.AllGather(Cat([mean, variance], 0), all);
        var means = Narrow(all, 1, 0, 1);
        var globalMean = Mean(means, [0], keepDim: true);
        var deviation = Sub(means, globalMean);
        var globalVariance = Mean(Add(Narrow(all, 1, 1, 1), Mul(deviation, deviation)), [0]);
        return (Reshape(globalMean, c), Reshape(globalVariance, c));
    }

    /// <summary>BatchNorm's dx with batch statistics over every replica; dgamma and dbeta (when given) get this replica's share.</summary>
    private static Tensor CrossReplicaBatchNormBackward(Tensor x, Tensor dy, Tensor mean, Tensor variance, Tensor? gamma, double eps, ICommunicator replicas,
                                                        Tensor? dgamma, Tensor? dbeta, int n, int c, int spatial)
    {
        var sumDyXhat = dgamma ?? Empty(x, new Shape(c));
        var sumDy = dbeta ?? Empty(x, new Shape(c));
        using (var unused = Empty(x, x.Shape))
            x.Backend.BatchNormBackward(x.Storage, dy.Storage, mean.Storage, variance.Storage, null, eps, false, unused.Storage, sumDyXhat.Storage, sumDy.Storage, n, c, spatial);
        return CrossReplicaCorrected(x, dy, mean, variance, gamma, eps, replicas, sumDy, sumDyXhat, n, c, spatial);
    }

    /// <summary>
    /// ConditionalBatchNormRelu's dx with batch statistics over every replica, given its fixed-statistics backward
    /// (<paramref name="dxFixed"/> = invstd·(1 + gain)·dz, and this replica's dgain and dbias): the channel sums
    /// Σdx̂ = Σ(1 + gain)·dbias and Σdx̂·x̂ = Σ(1 + gain)·dgain take the place of Σdy and Σdy·x̂.
    /// </summary>
    private static Tensor CrossReplicaConditionalBackward(Tensor x, Tensor dxFixed, Tensor mean, Tensor variance, Tensor gain, double eps, ICommunicator replicas,
                                                          Tensor dgain, Tensor dbias, int n, int c, int spatial)
    {
        var scale = AddScalar(gain, 1);
        var corrected = CrossReplicaCorrected(x, null, mean, variance, null, eps, replicas, Sum(Mul(scale, dbias), [0]), Sum(Mul(scale, dgain), [0]), n, c, spatial);
        return Sub(dxFixed, corrected);
    }

    // Sums the replicas' Σdy and Σdy·x̂, then returns γ·invstd·(dy − Σdy/M − x̂·Σ(dy·x̂)/M); without dy, the
    // correction alone: invstd·(Σdy/M + x̂·Σ(dy·x̂)/M).
    private static Tensor CrossReplicaCorrected(Tensor x, Tensor? dy, Tensor mean, Tensor variance, Tensor? gamma, double eps, ICommunicator replicas,
                                                Tensor sumDy, Tensor sumDyXhat, int n, int c, int spatial)
    {
        var sums = Cat([sumDy, sumDyXhat], 0);
        replicas.AllReduceSum(sums);
        double count = (double)n * spatial * replicas.Size;
        var meanDy = MulScalar(Narrow(sums, 0, 0, c), 1 / count);
        var meanDyXhat = MulScalar(Narrow(sums, 0, c, c), 1 / count);
        var correction = Empty(x, x.Shape);
        x.Backend.BatchNormForward(x.Storage, mean.Storage, variance.Storage, meanDyXhat.Storage, meanDy.Storage, eps, correction.Storage, n, c, spatial);
        var centred = dy is null ? correction : Sub(dy, correction);
        var dx = Empty(x, x.Shape);
        x.Backend.BatchNormBackward(x.Storage, centred.Storage, mean.Storage, variance.Storage, gamma?.Storage, eps, false, dx.Storage, null, null, n, c, spatial);
        return dx;
    }
}
