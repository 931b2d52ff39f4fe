using RawGan.Engine;
using RawGan.Engine.Distributed;

namespace RawGan.Tests.Distributed;

/// <summary>The collectives of the in-process transport (ranks as threads), which the data-parallel tests stand on.</summary>
public class InProcessCommunicatorTests
{
    [Test]
    public void AllReduceSumsEveryRanksTensorInEachDType([Values(1, 2, 3)] int size)
    {
        var results = InProcessCommunicator.Run(size, c =>
        {
            var f64 = Tensor.FromArray([c.Rank + 0.25, 10.0 * c.Rank]);
            var f32 = Tensor.FromArray([c.Rank * 0.5f]);
            var i32 = Tensor.FromArray([c.Rank + 1, -c.Rank]);
            c.AllReduceSum(f64);
            c.AllReduceSum(f32);
            c.AllReduceSum(i32);
            return (f64.ToArray<double>(), f32.ToArray<float>(), i32.ToArray<int>());
        });
        int sumRanks = size * (size - 1) / 2;
        foreach (var (f64, f32, i32) in results)
        {
            Assert.That(f64, Is.EqualTo(new[] { sumRanks + 0.25 * size, 10.0 * sumRanks }));
            Assert.That(f32, Is.EqualTo(new[] { sumRanks * 0.5f }));
            Assert.That(i32, Is.EqualTo(new[] { sumRanks + size, -sumRanks }));
        }
    }

    [Test]
    public void BroadcastCopiesTheRootsTensorAndAllGatherConcatenatesInRankOrder()
    {
        var results = InProcessCommunicator.Run(3, c =>
        {
            var b = Tensor.FromArray([c.Rank * 1.0, c.Rank * 2.0]);
            c.Broadcast(b, root: 2);
            var gathered = Tensor.Zeros([3, 2], DType.Float64);
            c.AllGather(Tensor.FromArray([c.Rank * 1.0, -c.Rank]), gathered);
            c.Barrier();
            return (b.ToArray<double>(), gathered.ToArray<double>());
        });
        foreach (var (b, gathered) in results)
        {
            Assert.That(b, Is.EqualTo(new[] { 2.0, 4.0 }));
            Assert.That(gathered, Is.EqualTo(new[] { 0.0, 0, 1, -1, 2, -2 }));
        }
    }

    [Test]
    public void AFailingRankEndsTheOthersWaitsWithItsError()
    {
        var e = Assert.Throws<AggregateException>(() => InProcessCommunicator.Run(3, c =>
        {
            if (c.Rank == 1) throw new InvalidOperationException("rank 1 broke");
            c.Barrier(); // ranks 0 and 2 wait here for rank 1, which never comes
            return 0;
        }));
        Assert.That(e!.InnerException, Is.TypeOf<InvalidOperationException>().With.Message.EqualTo("rank 1 broke"));
    }

    [Test]
    public void RankLostNamesTheRankThatFailed()
    {
        var lost = new RankLostException[3];
        Assert.Throws<AggregateException>(() => InProcessCommunicator.Run(3, c =>
        {
            if (c.Rank == 2) throw new InvalidOperationException("gone");
            try
            {
                c.AllReduceSum(Tensor.Zeros([1], DType.Float64));
            }
            catch (RankLostException e)
            {
                lost[c.Rank] = e;
                throw;
            }
            return 0;
        }));
        Assert.That(lost[0].LostRank, Is.EqualTo(2));
        Assert.That(lost[1].Message, Does.StartWith("Rank 2 was lost"));
    }

    [Test]
    public void CollectivesCheckTheirArguments()
    {
        var c = InProcessCommunicator.CreateGroup(2)[0];
        Assert.That(() => c.AllGather(Tensor.Zeros([2]), Tensor.Zeros([3])), Throws.ArgumentException.With.Message.Contains("needs 4"));
        Assert.That(() => c.Broadcast(Tensor.Zeros([1]), root: 2), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }
}
