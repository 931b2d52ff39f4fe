using RawGan.Engine;
using RawGan.Kernels.Cuda;
using RawGan.Model.Training;
using RawGan.Tests.Distributed;
using RawGan.Tests.IO;

namespace RawGan.Tests.Cuda;

using Ops = RawGan.Engine.Ops;

/// <summary>
/// NCCL with one rank on one GPU (no MPI needed): the collectives, cross-replica batch norm through them, and a
/// data-parallel training session, each against the same work without a communicator.
/// </summary>
public class NcclCudaTests : CudaTestBase
{
    private static CudaBackend Backend => (CudaBackend)Gpu.Backend;

    [Test]
    public void OneRankCollectivesKeepTheirDataAndAllGatherCopiesIt([Values(DType.Float32, DType.Float64, DType.Int32)] DType dtype)
    {
        using var nccl = NcclCommunicator.Create(Backend);
        TestContext.Out.WriteLine(nccl.Transport);
        Assert.That((nccl.Rank, nccl.Size), Is.EqualTo((0, 1)));
        var values = Enumerable.Range(0, 1000).Select(i => (double)(i % 17 - 8)).ToArray();
        var expected = Tensor.FromArray(values).ToDType(dtype);
        var t = expected.To(Gpu);
        nccl.AllReduceSum(t);
        nccl.Broadcast(t, 0);
        var gathered = Tensor.Zeros([1000], dtype, Gpu);
        nccl.AllGather(t, gathered);
        nccl.Barrier();
        Assert.That(t.ToDoubleArray(), Is.EqualTo(expected.ToDoubleArray()));
        Assert.That(gathered.ToDoubleArray(), Is.EqualTo(expected.ToDoubleArray()));
    }

    [Test]
    public void CrossReplicaBatchNormThroughNcclMatchesBatchNorm([Values(DType.Float32, DType.Float64)] DType dtype)
    {
        using var nccl = NcclCommunicator.Create(Backend);
        var rng = Seeded(out _);
        var (x, gx) = Pair([6, 5, 7, 3], dtype, rng, offset: 3);
        var (dy, gdy) = Pair(x.Shape, dtype, rng);
        var (gamma, ggamma) = Pair([5], dtype, rng, offset: 1);
        var (gain, ggain) = Pair([6, 5], dtype, rng);
        var (bias, gbias) = Pair([6, 5], dtype, rng);
        foreach (var t in new[] { x, gx, gamma, ggamma, gain, ggain, bias, gbias }) t.RequireGrad();

        // CPU without a communicator is the reference; the GPU goes through NCCL's all-gather and all-reduce.
        var y = Ops.Add(Ops.BatchNorm(x, null, null, gamma, null, training: true), Ops.ConditionalBatchNormRelu(x, null, null, gain, bias, training: true));
        var gy = Ops.Add(Ops.BatchNorm(gx, null, null, ggamma, null, training: true, crossReplica: nccl),
                         Ops.ConditionalBatchNormRelu(gx, null, null, ggain, gbias, training: true, crossReplica: nccl));
        y.Backward(dy);
        gy.Backward(gdy);
        double tol = dtype == DType.Float64 ? 1e-12 : 1e-4;
        AssertClose(gy.To(Device.Cpu), y, "y", tol);
        AssertClose(gx.Grad!.To(Device.Cpu), x.Grad!, "dx", tol);
        AssertClose(ggamma.Grad!.To(Device.Cpu), gamma.Grad!, "dgamma", tol);
        AssertClose(ggain.Grad!.To(Device.Cpu), gain.Grad!, "dgain", tol);
    }

    [Test]
    public void OneRankDataParallelTrainingOnTheGpuFollowsPlainTraining()
    {
        using var plain = new TempFolder();
        using var parallel = new TempFolder();
        var config = DataParallelTrainingTests.Config(3); // float64: the two paths differ only by rounding
        var alone = TrainingSession.Run(RunFolder.Open(plain.Path), config, Gpu, null, new QuietObserver(), CancellationToken.None);
        using var nccl = NcclCommunicator.Create(Backend);
        using (var group = new DataParallel(nccl, Gpu, new DataParallelOptions { BucketBytes = 32 << 10 }, Backend.Context.MakeCurrent))
        {
            var grouped = TrainingSession.Run(RunFolder.Open(parallel.Path), config, Gpu, null, new QuietObserver(), CancellationToken.None, parallel: group);
            TestContext.Out.WriteLine(group.Summary(grouped.Step));
            DataParallelTrainingTests.AssertSameCheckpoint(grouped.Checkpoint!, alone.Checkpoint!, 1e-10);
        }
    }
}
