using RawGan.Engine;
using RawGan.Engine.Profiling;

namespace RawGan.Tests.Profiling;

using Ops = RawGan.Engine.Ops;

/// <summary>The profiler's bookkeeping on a clock whose marks advance by known amounts: exclusive times, calls, passes.</summary>
public class ProfilerTests
{
    [Test]
    public void ExclusiveTimesSubtractDirectChildrenAndTheRestIsOther()
    {
        // Mark k is at time 10·k ms: step start 0, A opens 10, B opens 20, B closes 30, A closes 40, C opens 50,
        // C closes 60, step ends 70.
        using var profiler = new Profiler(new SteppingClock(10), "test");
        using (profiler.Step())
        {
            using (Profiler.Scope("A"))
            {
                using (Profiler.Scope("B")) { }
            }
            using (Profiler.Scope("C", ProfilePass.Update)) { }
        }
        var rows = profiler.Results.Rows().ToDictionary(r => (r.Name, r.Pass));
        Assert.Multiple(() =>
        {
            Assert.That(profiler.Results.StepMilliseconds, Is.EqualTo(new[] { 70.0 }));
            Assert.That(rows[("A", ProfilePass.Forward)].Milliseconds, Is.EqualTo(20.0), "A's 30 ms less B's 10");
            Assert.That(rows[("B", ProfilePass.Forward)].Milliseconds, Is.EqualTo(10.0));
            Assert.That(rows[("C", ProfilePass.Update)].Milliseconds, Is.EqualTo(10.0));
            Assert.That(rows[(ProfileRow.OtherName, null)].Milliseconds, Is.EqualTo(30.0), "0–10, 40–50 and 60–70 are outside every scope");
            Assert.That(rows.Values.Sum(r => r.PercentOfStep), Is.EqualTo(100.0).Within(1e-9));
        });
    }

    [Test]
    public void NestedScopesInheritThePassAndASameNamedChildIsOneCall()
    {
        using var profiler = new Profiler(new SteppingClock(1), "test");
        using (profiler.Step())
        {
            using (Profiler.Scope("MatMul", ProfilePass.Backward, new OpCost(100, 10)))
            {
                using (Profiler.Scope("MatMul", cost: new OpCost(7, 1))) { }
                using (Profiler.Scope("Allocate")) { }
            }
        }
        var rows = profiler.Results.Rows().ToDictionary(r => (r.Name, r.Pass));
        Assert.Multiple(() =>
        {
            Assert.That(rows.Keys, Does.Contain(("Allocate", (ProfilePass?)ProfilePass.Backward)), "the child takes the parent's pass");
            var matmul = rows[("MatMul", ProfilePass.Backward)];
            Assert.That(matmul.Calls, Is.EqualTo(1), "MatMul inside MatMul is the same call");
            Assert.That(matmul.Flops, Is.EqualTo(107));
            Assert.That(matmul.Bytes, Is.EqualTo(11));
        });
    }

    [Test]
    public void WithoutAStepScopesRecordNothingAndScopesMustCloseInOrder()
    {
        using var profiler = new Profiler(new SteppingClock(1), "test");
        using (Profiler.Scope("Outside")) { }
        Assert.That(Profiler.IsActive, Is.False);
        var step = profiler.Step();
        Assert.That(Profiler.IsActive, Is.True);
        var outer = Profiler.Scope("Outer");
        var inner = Profiler.Scope("Inner");
        Assert.Throws<InvalidOperationException>(() => outer.Dispose());
        inner.Dispose();
        outer.Dispose();
        step.Dispose();
        Assert.That(Profiler.IsActive, Is.False);
        Assert.That(profiler.Results.Rows().Select(r => r.Name), Does.Not.Contain("Outside"));
        Assert.Throws<InvalidOperationException>(() =>
        {
            using var first = profiler.Step();
            using var second = profiler.Step();
        }, "one profiled step at a time per thread");
    }

    [Test]
    public void TheCpuTimeClockLeavesOutWaitingAndTheWallClockCountsIt()
    {
        if (!OperatingSystem.IsLinux()) Assert.Ignore("The CPU-time clock reads clock_gettime (Linux).");
        double Sleeping(bool cpuTime)
        {
            using var profiler = new Profiler(Device.Cpu, cpuTime);
            using (profiler.Step())
            {
                using (Profiler.Scope("Sleep")) Thread.Sleep(60);
            }
            Assert.That(profiler.Results.Clock, Is.EqualTo(cpuTime ? "process CPU time" : "wall clock"));
            return profiler.Results.Rows().Single(r => r.Name == "Sleep").Milliseconds;
        }
        Assert.Multiple(() =>
        {
            Assert.That(Sleeping(cpuTime: false), Is.GreaterThanOrEqualTo(59), "the wall clock counts the sleep");
            Assert.That(Sleeping(cpuTime: true), Is.LessThan(30), "a sleeping process uses (almost) no CPU time");
        });
    }

    [Test]
    public void ConvRowsCountTheirFlopsAndBytesByHand()
    {
        // x (2, 3, 8, 8), w (4, 3, 3, 3), padding 1, stride 1: y (2, 4, 8, 8).
        var x = Tensor.RandomNormal([2, 3, 8, 8], seed: 1).RequireGrad();
        var w = Tensor.RandomNormal([4, 3, 3, 3], seed: 2).RequireGrad();
        var rows = Profile(() => Ops.Sum(Ops.Conv2d(x, w, padding: 1)).Backward());
        long macs = 2L * 4 * 8 * 8 * 3 * 3 * 3;               // N·K·OH·OW·C·R·S
        long bytes = 4L * (2 * 3 * 8 * 8 + 4 * 3 * 3 * 3 + 2 * 4 * 8 * 8); // x + w + y, float32
        var forward = rows[("Conv2d", ProfilePass.Forward)];
        var backward = rows[("Conv2d", ProfilePass.Backward)];
        Assert.Multiple(() =>
        {
            Assert.That(forward.Flops, Is.EqualTo(2 * macs));
            Assert.That(forward.Bytes, Is.EqualTo(bytes));
            Assert.That(forward.Calls, Is.EqualTo(1));
            Assert.That(backward.Flops, Is.EqualTo(2 * 2 * macs), "backward-data and backward-weight");
            Assert.That(backward.Bytes, Is.EqualTo(2 * bytes));
        });
    }

    [Test]
    public void GemmRowsCountTheirFlopsAndBytesByHand()
    {
        // (5 × 7)·(7 × 3), float64, then the backward's two products dA = dC·Bᵀ (5×3·3×7) and dB = Aᵀ·dC (7×5·5×3).
        var a = Tensor.RandomNormal([5, 7], seed: 3, dtype: DType.Float64).RequireGrad();
        var b = Tensor.RandomNormal([7, 3], seed: 4, dtype: DType.Float64).RequireGrad();
        var rows = Profile(() => Ops.Sum(Ops.MatMul(a, b)).Backward());
        var forward = rows[("MatMul", ProfilePass.Forward)];
        var backward = rows[("MatMul", ProfilePass.Backward)];
        Assert.Multiple(() =>
        {
            Assert.That(forward.Flops, Is.EqualTo(2 * 5 * 3 * 7));
            Assert.That(forward.Bytes, Is.EqualTo(8 * (5 * 7 + 7 * 3 + 5 * 3)));
            Assert.That(backward.Flops, Is.EqualTo(2 * (2 * 5 * 7 * 3)));
            Assert.That(backward.Bytes, Is.EqualTo(2 * 8 * (5 * 3 + 3 * 7 + 5 * 7)));
            Assert.That(backward.Calls, Is.EqualTo(1), "the backward's products are part of the one MatMul backward");
        });
    }

    [Test]
    public void BatchNormRowsCountTheirBytesByHand()
    {
        var x = Tensor.RandomNormal([4, 3, 5, 5], seed: 5).RequireGrad();
        var gamma = Tensor.Ones([3], requiresGrad: true);
        var beta = Tensor.Zeros([3], requiresGrad: true);
        var rows = Profile(() => Ops.Sum(Ops.Mul(Ops.BatchNorm(x, null, null, gamma, beta, training: true), x)).Backward());
        long numel = 4 * 3 * 5 * 5;
        Assert.Multiple(() =>
        {
            Assert.That(rows[("BatchNorm", ProfilePass.Forward)].Bytes, Is.EqualTo(4 * (numel + numel)), "x read, y written");
            Assert.That(rows[("BatchNorm", ProfilePass.Backward)].Bytes, Is.EqualTo(4 * (2 * numel + numel)), "x and dy read, dx written");
            Assert.That(rows[("BatchNorm", ProfilePass.Forward)].Flops, Is.Zero, "memory-bound: bytes only");
        });
    }

    private static Dictionary<(string, ProfilePass?), ProfileRow> Profile(Action work)
    {
        using var profiler = new Profiler(Device.Cpu);
        using (profiler.Step()) work();
        return profiler.Results.Rows().ToDictionary(r => (r.Name, r.Pass));
    }

    /// <summary>Mark k reads k · step milliseconds.</summary>
    private sealed class SteppingClock(double step) : IProfilerClock
    {
        private int _count;

        public int Mark() => _count++;

        public void Read(Span<double> milliseconds)
        {
            for (int i = 0; i < _count; i++) milliseconds[i] = i * step;
        }

        public void Clear() => _count = 0;

        public void Dispose() { }
    }
}
