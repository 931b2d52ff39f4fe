using RawGan.Engine;
using RawGan.Tests.TestSupport;
using static RawGan.Engine.Ops;

namespace RawGan.Tests.Autograd;

/// <summary>What a backward pass frees, and when (Tape.Backward's contract).</summary>
public class TapeMemoryTests
{
    private const int Length = 10_000; // 80 kB of float64 per tensor, far above anything else these graphs allocate

    [Test]
    public void BackwardFreesTheGraphsTensorsButKeepsRootLeavesAndDetachedViews()
    {
        var rng = TestRng.Fresh();
        var x = rng.Normal([Length], requiresGrad: true);
        var constant = rng.Normal([Length]);
        var h = Tanh(x);
        var kept = h.Detach();
        var hValues = h.ToDoubleArray();
        var product = Mul(h, constant);
        var loss = Sum(product);
        loss.Backward();
        Assert.Multiple(() =>
        {
            Assert.That(h.IsDisposed && product.IsDisposed, "the graph's intermediate tensors are freed");
            Assert.That(loss.IsDisposed || x.IsDisposed || constant.IsDisposed, Is.False, "the root, the leaf and the constant stay");
            Assert.That(kept.ToDoubleArray(), Is.EqualTo(hValues), "a view detached before Backward keeps its data");
            Assert.That(x.Grad, Is.Not.Null);
        });
    }

    [Test]
    public void RetainGraphKeepsTheGraphsTensors()
    {
        var rng = TestRng.Fresh();
        var x = rng.Normal([Length], requiresGrad: true);
        var h = Tanh(x);
        var loss = Sum(Mul(h, h));
        loss.Backward(retainGraph: true);
        Assert.That(h.IsDisposed, Is.False);
        loss.Backward();
        Assert.That(h.IsDisposed, Is.True);
    }

    [Test]
    public void BackwardHoldsAFewGradientsAtOnceNotOnePerOp()
    {
        // A chain of 12 ops: before this tape, every gradient and every backward temporary of the chain lived until the
        // step's scope closed (24 tensors here). Now at most a few gradient-sized tensors exist beside the forward's.
        var rng = TestRng.Fresh();
        var x = rng.Normal([Length], requiresGrad: true);
        var h = x;
        for (int i = 0; i < 12; i++) h = i % 2 == 0 ? Tanh(h) : MulScalar(h, 0.9);
        var loss = Sum(h);
        var memory = x.Backend.Memory;
        memory.ResetPeak();
        long forward = memory.CurrentBytes;
        loss.Backward();
        long tensorBytes = Length * sizeof(double);
        Assert.That(memory.PeakBytes - forward, Is.LessThanOrEqualTo(3 * tensorBytes), "gradients beyond the forward's tensors at the peak");
        Assert.That(forward - memory.CurrentBytes, Is.GreaterThanOrEqualTo(11 * tensorBytes), "the chain's tensors are gone, x.Grad remains");
    }
}
