using RawGan.Engine.Autograd;
using RawGan.Engine.Profiling;
using RawGan.Engine.Distributed;

namespace RawGan.Engine;

public static partial class Ops
{
    /// <summary>
    /// Conditional batch norm fused with the ReLU that follows it in BigGAN's generator blocks:
    /// <c>relu(x̂·(1 + gain[n, c]) + bias[n, c])</c>, where x̂ is x (N, C, …) normalised per channel without an
    /// affine of its own, exactly as <see cref="BatchNorm"/> normalises it (batch statistics and a running-statistics
    /// update in training, running statistics in eval), and gain and bias (N, C) are per sample. One kernel pass
    /// replaces four (normalise, scale, shift, ReLU) and their intermediate tensors; the gradients reach x, gain
    /// and bias. BFloat16 x is normalised with Float32 statistics and a Float32 gain and bias (cast when given in
    /// BFloat16), and y is BFloat16.
    /// and bias. With <paramref name="crossReplica"/>, training statistics (and their gradients) are taken over the
    /// batches of every replica of that data-parallel group (CrossReplicaBatchNorm.cs).
    /// </summary>
    public static Tensor ConditionalBatchNormRelu(Tensor x, Tensor? runningMean, Tensor? runningVar, Tensor gain, Tensor bias,
                                                  bool training, double momentum = 0.1, double eps = 1e-5, ICommunicator? crossReplica = null)
    {
        const string op = nameof(ConditionalBatchNormRelu);
        CheckSame(op, x);
        if (x.DType == DType.BFloat16) (gain, bias) = (ToDType(gain, DType.Float32), ToDType(bias, DType.Float32));
        if (x.Rank < 2) throw new ArgumentException($"{op} needs x of shape (N, C, ...), got {x.Shape}.", nameof(x));
        int n = x.Shape[0], c = x.Shape[1];
        int spatial = (int)(x.Numel / Math.Max(1, (long)n * c));
        foreach (var (t, name) in new[] { (gain, nameof(gain)), (bias, nameof(bias)) })
        {
            CheckStatisticsDType(op, x, t, name);
            if (t.Rank != 2 || t.Shape[0] != n || t.Shape[1] != c)
                throw new ArgumentException($"{op}: {name} must be (N, C) = ({n}, {c}), got {t.Shape}.", name);
        }
        foreach (var (t, name) in new[] { (runningMean, nameof(runningMean)), (runningVar, nameof(runningVar)) })
        {
            if (t is not null && t.Numel != c) throw new ArgumentException($"{op}: {name} has {t.Numel} elements, x has {c} channels.", name);
            CheckStatisticsDType(op, x, t, name);
        }
        // Compulsory traffic: x, gain and bias read, y written (backward: x, y and dy read, dx, dgain and dbias written).
        using var _ = Profiler.Scope(op, cost: OpCost.Memory(x.DType, x.Numel + 2L * n * c, x.Numel), shape: x.Shape);
        var (mean, variance) = NormalizingStatistics(op, x, runningMean, runningVar, training, momentum, n, c, spatial, crossReplica);

        var y = Empty(x, x.Shape);
        x.Backend.ConditionalBatchNormReluForward(x.Storage, mean.Storage, variance.Storage, gain.Storage, bias.Storage, eps, y.Storage, n, c, spatial);
        return Tape.Record(op, y, [x, gain, bias], dy =>
        {
            var dx = Empty(x, x.Shape);
            var dgain = Empty(gain, gain.Shape);
            var dbias = Empty(bias, bias.Shape);
            bool crossReplicaStatistics = training && crossReplica is not null;
            x.Backend.ConditionalBatchNormReluBackward(x.Storage, y.Storage, dy.Storage, mean.Storage, variance.Storage, gain.Storage, eps,
                                                      training && !crossReplicaStatistics, dx.Storage, dgain.Storage, dbias.Storage, n, c, spatial);
            if (crossReplicaStatistics)
                dx = CrossReplicaConditionalBackward(x, dx, mean, variance, gain, eps, crossReplica!, dgain, dbias, n, c, spatial);
            return [dx, dgain, dbias];
        }, OpCost.Memory(x.DType, 3 * x.Numel, x.Numel + 2L * n * c));
    }
}
