using RawGan.Engine;
using RawGan.Engine.Distributed;

namespace RawGan.Tests.Distributed;

using Ops = RawGan.Engine.Ops;

/// <summary>
/// Cross-replica batch norm over in-process ranks, each holding a slice of one batch, against plain batch norm of the
/// whole batch: outputs, input gradients, parameter gradients (summed over the ranks, as the gradient all-reduce
/// does) and running statistics, in float64.
/// </summary>
public class CrossReplicaBatchNormTests
{
    private const double Tolerance = 1e-12;

    [Test]
    public void BatchNormOverReplicasEqualsBatchNormOfTheWholeBatch([Values(1, 2, 3)] int ranks, [Values(true, false)] bool affine)
    {
        int seed = Random.Shared.Next();
        TestContext.Out.WriteLine($"seed {seed}");
        int perRank = 2, c = 3;
        var rng = new Random(seed);
        var x = RandomTensor(rng, [perRank * ranks, c, 3, 2], offset: 2); // offset mean: no cancellation allowed
        var w = RandomTensor(rng, x.Shape);
        var gamma = affine ? RandomTensor(rng, [c], offset: 1) : null;
        var beta = affine ? RandomTensor(rng, [c]) : null;
        var runningMean = RandomTensor(rng, [c]);
        var runningVar = RandomTensor(rng, [c], offset: 2);

        var whole = Run(x, w, gamma, beta, runningMean, runningVar, null, 0, x.Shape[0]);
        var replicas = InProcessCommunicator.Run(ranks, comm => Run(x, w, gamma, beta, runningMean, runningVar, comm, comm.Rank * perRank, perRank));

        for (int r = 0; r < ranks; r++)
        {
            var mine = replicas[r];
            AssertClose(mine.Y, Rows(whole.Y, r * perRank, perRank), $"y of rank {r}, seed {seed}");
            AssertClose(mine.Dx, Rows(whole.Dx, r * perRank, perRank), $"dx of rank {r}, seed {seed}");
            AssertClose(mine.RunningMean, whole.RunningMean, $"running mean of rank {r}, seed {seed}");
            AssertClose(mine.RunningVar, whole.RunningVar, $"running variance of rank {r}, seed {seed}");
        }
        if (affine)
        {
            AssertClose(SumOver(replicas.Select(p => p.Dgamma!)), whole.Dgamma!, $"dgamma summed over ranks, seed {seed}");
            AssertClose(SumOver(replicas.Select(p => p.Dbeta!)), whole.Dbeta!, $"dbeta summed over ranks, seed {seed}");
        }
    }

    [Test]
    public void ConditionalBatchNormReluOverReplicasEqualsTheWholeBatch([Values(2, 3)] int ranks)
    {
        int seed = Random.Shared.Next();
        TestContext.Out.WriteLine($"seed {seed}");
        int perRank = 2, c = 4;
        var rng = new Random(seed);
        var x = RandomTensor(rng, [perRank * ranks, c, 2, 3], offset: -1);
        var w = RandomTensor(rng, x.Shape);
        var gain = RandomTensor(rng, [perRank * ranks, c]);
        var bias = RandomTensor(rng, [perRank * ranks, c]);
        var runningMean = RandomTensor(rng, [c]);
        var runningVar = RandomTensor(rng, [c], offset: 2);

        (Tensor Y, Tensor Dx, Tensor Dgain, Tensor Dbias, Tensor RunningMean) Step(ICommunicator? comm, int start, int count)
        {
            var xs = Leaf(Rows(x, start, count));
            var gs = Leaf(Rows(gain, start, count));
            var bs = Leaf(Rows(bias, start, count));
            var rm = runningMean.Clone();
            var y = Ops.ConditionalBatchNormRelu(xs, rm, runningVar.Clone(), gs, bs, training: true, crossReplica: comm);
            Ops.Sum(Ops.Mul(y, Rows(w, start, count))).Backward(retainGraph: true); // y is read afterwards
            return (y, xs.Grad!, gs.Grad!, bs.Grad!, rm);
        }

        var whole = Step(null, 0, x.Shape[0]);
        var replicas = InProcessCommunicator.Run(ranks, comm => Step(comm, comm.Rank * perRank, perRank));
        for (int r = 0; r < ranks; r++)
        {
            AssertClose(replicas[r].Y, Rows(whole.Y, r * perRank, perRank), $"y of rank {r}, seed {seed}");
            AssertClose(replicas[r].Dx, Rows(whole.Dx, r * perRank, perRank), $"dx of rank {r}, seed {seed}");
            AssertClose(replicas[r].Dgain, Rows(whole.Dgain, r * perRank, perRank), $"dgain of rank {r}, seed {seed}");
            AssertClose(replicas[r].Dbias, Rows(whole.Dbias, r * perRank, perRank), $"dbias of rank {r}, seed {seed}");
            AssertClose(replicas[r].RunningMean, whole.RunningMean, $"running mean of rank {r}, seed {seed}");
        }
    }

    [Test]
    public void EvalModeUsesTheRunningStatisticsWithoutCommunicating()
    {
        // A group whose other rank never calls: any collective would wait forever (and the test time out).
        var lonely = InProcessCommunicator.CreateGroup(2)[0];
        var x = Tensor.FromArray([1.0, 2, 3, 4], [2, 2]);
        var y = Ops.BatchNorm(x, Tensor.FromArray([1.0, 2]), Tensor.FromArray([4.0, 9]), null, null, training: false, eps: 0, crossReplica: lonely);
        Assert.That(y.ToArray<double>(), Is.EqualTo(new[] { 0.0, 0, 1, 2.0 / 3 }).Within(1e-15));
    }

    private static (Tensor Y, Tensor Dx, Tensor? Dgamma, Tensor? Dbeta, Tensor RunningMean, Tensor RunningVar) Run(
        Tensor x, Tensor w, Tensor? gamma, Tensor? beta, Tensor runningMean, Tensor runningVar, ICommunicator? comm, int start, int count)
    {
        var xs = Leaf(Rows(x, start, count));
        var g = gamma is null ? null : Leaf(gamma.Clone());
        var b = beta is null ? null : Leaf(beta.Clone());
        var rm = runningMean.Clone();
        var rv = runningVar.Clone();
        var y = Ops.BatchNorm(xs, rm, rv, g, b, training: true, crossReplica: comm);
        Ops.Sum(Ops.Mul(y, Rows(w, start, count))).Backward(retainGraph: true); // y is read afterwards
        return (y, xs.Grad!, g?.Grad, b?.Grad, rm, rv);
    }

    private static Tensor Leaf(Tensor t) => t.Detach().Clone().RequireGrad();

    private static Tensor Rows(Tensor t, int start, int count) => Ops.Narrow(t, 0, start, count);

    private static Tensor SumOver(IEnumerable<Tensor> parts) => parts.Aggregate(Ops.Add);

    private static Tensor RandomTensor(Random rng, Shape shape, double offset = 0)
    {
        var data = new double[shape.Numel];
        for (int i = 0; i < data.Length; i++) data[i] = rng.NextDouble() * 2 - 1 + offset;
        return Tensor.FromArray(data, shape);
    }

    private static void AssertClose(Tensor actual, Tensor expected, string what)
    {
        var a = actual.ToArray<double>();
        var e = expected.ToArray<double>();
        Assert.That(a, Has.Length.EqualTo(e.Length), what);
        double scale = Math.Max(1e-300, e.Max(Math.Abs));
        double err = a.Zip(e, (p, q) => Math.Abs(p - q)).Max() / scale;
        Assert.That(err, Is.LessThanOrEqualTo(Tolerance), $"{what}: relative error {err:e3}");
    }
}
