using RawGan.Engine;
using RawGan.Engine.Distributed;

namespace RawGan.Tests.Distributed;

public class CommunicationQueueTests
{
    [Test]
    public void QueuedAllReducesFinishInOrderWhileTheCallerGoesOn()
    {
        var results = InProcessCommunicator.Run(2, c =>
        {
            using var queue = new CommunicationQueue(c);
            var tensors = Enumerable.Range(0, 5).Select(i => Tensor.FromArray([i + c.Rank * 10.0])).ToList();
            var pending = tensors.Select(queue.AllReduceSumAsync).ToList();
            // A blocking collective queued after them runs after them, on every rank.
            var last = Tensor.FromArray([c.Rank * 1.0]);
            queue.AllReduceSum(last);
            Assert.That(pending.All(t => t.IsCompleted), Is.True, "collectives run in the order they were queued");
            return (tensors.Select(t => t.ToArray<double>()[0]).ToArray(), last.ToArray<double>()[0], queue.Calls, queue.Bytes);
        });
        foreach (var (sums, last, calls, bytes) in results)
        {
            Assert.That(sums, Is.EqualTo(new[] { 10.0, 12, 14, 16, 18 }));
            Assert.That(last, Is.EqualTo(1.0));
            Assert.That(calls, Is.EqualTo(6));
            Assert.That(bytes, Is.EqualTo(6 * sizeof(double)));
        }
    }

    [Test]
    public void AFailedCollectiveFailsEveryLaterOneWithTheSameCause()
    {
        var c = InProcessCommunicator.CreateGroup(1)[0];
        using var queue = new CommunicationQueue(c);
        Assert.That(() => queue.AllGather(Tensor.Zeros([2]), Tensor.Zeros([3])), Throws.ArgumentException);
        Assert.That(() => queue.Barrier(), Throws.ArgumentException, "the group is out of step after a failure");
    }
}
