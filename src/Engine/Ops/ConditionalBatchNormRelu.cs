using RawGan.Engine.Autograd;
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
    /// and bias. With <paramref name="crossReplica"/>, training statistics (and their gradients) are taken over the
    /// batches of every replica of that data-parallel group (CrossReplicaBatchNorm.cs).
    /// </summary>
    public static Tensor ConditionalBatchNormRelu(Tensor x, Tensor? runningMean, Tensor? runningVar, Tensor gain, Tensor bias,
                                                  bool training, double momentum = 0.1, double eps = 1e-5, ICommunicator? crossReplica = null)
    {
        const string op = nameof(ConditionalBatchNormRelu);
        CheckSame(op, x, gain, bias);
        if (x.Rank < 2) throw new ArgumentException($"{op} needs x of shape (N, C, ...), got {x.Shape}.", nameof(x));
        int n = x.Shape[0], c = x.Shape[1];
        int spatial = (int)(x.Numel / Math.Max(1, (long)n * c));
        foreach (var (t, name) in new[] { (gain, nameof(gain)), (bias, nameof(bias)) })
        {
            if (t.Rank != 2 || t.Shape[0] != n || t.Shape[1] != c)
                throw new ArgumentException($"{op}: {name} must be (N, C) = ({n}, {c}), got {t.Shape}.", name);
        }
        foreach (var (t, name) in new[] { (runningMean, nameof(runningMean)), (runningVar, nameof(runningVar)) })
        {
            if (t is not null && t.Numel != c) throw new ArgumentException($"{op}: {name} has {t.Numel} elements, x has {c} channels.", name);
        }
        var (mean, variance) = NormalizingStatistics(op, x, runningMean, runningVar, training, momentum, n, c, spatial, crossReplica);

        var y = Empty(x, x.Shape);
        x.Backend.ConditionalBatchNormReluForward(x.Storage, mean.Storage, variance.Storage, gain.Storage, bias.Storage, eps, y.Storage, n, c, spatial);
        return Tape.Record(op, y, [x, gain, bias], dy =>
        {
            var dx = Empty(x, x.Shape);
            var dgain = Empty(x, gain.Shape);
            var dbias = Empty(x, bias.Shape);
            bool crossReplicaStatistics = training && crossReplica is not null;
            x.Backend.ConditionalBatchNormReluBackward(x.Storage, y.Storage, dy.Storage, mean.Storage, variance.Storage, gain.Storage, eps,
                                                      training && !crossReplicaStatistics, dx.Storage, dgain.Storage, dbias.Storage, n, c, spatial);
            if (crossReplicaStatistics)
                dx = CrossReplicaConditionalBackward(x, dx, mean, variance, gain, eps, crossReplica!, dgain, dbias, n, c, spatial);
            return [dx, dgain, dbias];
        });
    }
}
