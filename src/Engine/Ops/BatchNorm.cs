using RawGan.Engine.Autograd;
using RawGan.Engine.Profiling;
using RawGan.Engine.Distributed;

namespace RawGan.Engine;

public static partial class Ops
{
    /// <summary>
    /// Batch normalisation of x (N,C,…) per channel. Training: normalise with the batch mean and biased
    /// variance, and update the running statistics (when given) as r ← (1−momentum)·r + momentum·batch, with
    /// the unbiased variance. Eval: normalise with the running statistics. gamma and beta (C) are optional.
    /// BFloat16 x is normalised with Float32 statistics, gamma and beta (and running statistics), and y is BFloat16.
    /// With <paramref name="crossReplica"/>, training statistics (and their gradients) are taken over the batches
    /// of every replica of that data-parallel group (CrossReplicaBatchNorm.cs).
    /// </summary>
    public static Tensor BatchNorm(Tensor x, Tensor? runningMean, Tensor? runningVar, Tensor? gamma, Tensor? beta,
                                   bool training, double momentum = 0.1, double eps = 1e-5, ICommunicator? crossReplica = null)
    {
        CheckSame(nameof(BatchNorm), x);
        if (x.Rank < 2) throw new ArgumentException($"BatchNorm needs (N, C, ...), got {x.Shape}.", nameof(x));
        int n = x.Shape[0], c = x.Shape[1];
        int spatial = (int)(x.Numel / Math.Max(1, (long)n * c));
        foreach (var (t, nm) in new[] { (runningMean, "runningMean"), (runningVar, "runningVar"), (gamma, "gamma"), (beta, "beta") })
        {
            if (t is not null && t.Numel != c) throw new ArgumentException($"BatchNorm: {nm} has {t.Numel} elements, x has {c} channels.");
            CheckStatisticsDType(nameof(BatchNorm), x, t, nm);
        }
        // Compulsory traffic: x read and y written (backward: x and dy read, dx written); per-channel vectors not counted.
        using var _ = Profiler.Scope(nameof(BatchNorm), cost: OpCost.Memory(x.DType, x.Numel, x.Numel), shape: x.Shape);
        var (mean, variance) = NormalizingStatistics(nameof(BatchNorm), x, runningMean, runningVar, training, momentum, n, c, spatial, crossReplica);

        var y = Empty(x, x.Shape);
        x.Backend.BatchNormForward(x.Storage, mean.Storage, variance.Storage, gamma?.Storage, beta?.Storage, eps, y.Storage, n, c, spatial);
        var inputs = new List<Tensor> { x };
        if (gamma is not null) inputs.Add(gamma);
        if (beta is not null) inputs.Add(beta);
        return Tape.Record(nameof(BatchNorm), y, [.. inputs], dy =>
        {
            var dgamma = gamma is null ? null : Empty(gamma, gamma.Shape);
            var dbeta = beta is null ? null : Empty(beta, beta.Shape);
            Tensor dx;
            if (training && crossReplica is not null)
            {
                dx = CrossReplicaBatchNormBackward(x, dy, mean, variance, gamma, eps, crossReplica, dgamma, dbeta, n, c, spatial);
            }
            else
            {
                dx = Empty(x, x.Shape);
                x.Backend.BatchNormBackward(x.Storage, dy.Storage, mean.Storage, variance.Storage, gamma?.Storage, eps, training,
                                            dx.Storage, dgamma?.Storage, dbeta?.Storage, n, c, spatial);
            }
            var grads = new List<Tensor?> { dx };
            if (gamma is not null) grads.Add(dgamma);
            if (beta is not null) grads.Add(dbeta);
            return [.. grads];
        }, OpCost.Memory(x.DType, 2 * x.Numel, x.Numel));
    }

    /// <summary>
    /// The mean and biased variance x is normalised with: in training the batch's (over every replica's batch with
    /// <paramref name="crossReplica"/>; the running statistics, when given, are updated with the unbiased variance),
    /// in eval copies of the running statistics.
    /// </summary>
    private static (Tensor Mean, Tensor Variance) NormalizingStatistics(string op, Tensor x, Tensor? runningMean, Tensor? runningVar,
                                                                        bool training, double momentum, int n, int c, int spatial, ICommunicator? crossReplica)
    {
        if (!training)
        {
            if (runningMean is null || runningVar is null) throw new ArgumentException($"{op} in eval mode needs running statistics.");
            // Copies: the buffers may be updated by a training step before this graph's backward runs.
            return (runningMean.Clone(), runningVar.Clone());
        }
        long count = (long)n * spatial * (crossReplica?.Size ?? 1);
        if (count < 2) throw new ArgumentException($"{op} in training needs more than one value per channel, got {x.Shape}.");
        var mean = Empty(x, new Shape(c), StatisticsDType(x.DType));
        var variance = Empty(x, new Shape(c), StatisticsDType(x.DType));
        x.Backend.BatchNormStatistics(x.Storage, n, c, spatial, mean.Storage, variance.Storage);
        if (crossReplica is not null) (mean, variance) = CombineReplicaStatistics(mean, variance, crossReplica);
        if (runningMean is not null && runningVar is not null)
        {
            x.Backend.Axpby(momentum, mean.Storage, 1 - momentum, runningMean.Storage, c);
            x.Backend.Axpby(momentum * count / (count - 1.0), variance.Storage, 1 - momentum, runningVar.Storage, c);
        }
        return (mean, variance);
    }

    /// <summary>Throws unless a statistic or parameter of the normalisation has x's <see cref="StatisticsDType"/> and device.</summary>
    private static void CheckStatisticsDType(string op, Tensor x, Tensor? t, string name)
    {
        if (t is null) return;
        var want = StatisticsDType(x.DType);
        if (t.DType != want) throw new ArgumentException($"{op}: {name} must be {want} for {x.DType} x, got {t.DType}.", name);
        if (!ReferenceEquals(t.Backend, x.Backend)) throw new ArgumentException($"{op}: {name} is on {t.Backend.Name}, x on {x.Backend.Name}.", name);
    }
}
