using RawGan.Engine;
using RawGan.Kernels.Cuda;

namespace RawGan.Tests.Cuda;

using Ops = RawGan.Engine.Ops;

/// <summary>
/// Needs no GPU: the kept/reduced split the reduce kernels index x with must enumerate exactly the sums the CPU
/// backend computes. The reference walks the layout as the kernels do (offset4 on each side).
/// </summary>
public class ReductionLayoutTests
{
    // offset4 of kernels-cu/common.cuh.
    private static long Offset4(long i, int[] d, long[] s)
    {
        long i3 = i % d[3]; i /= d[3];
        long i2 = i % d[2]; i /= d[2];
        long i1 = i % d[1]; i /= d[1];
        return i * s[0] + i1 * s[1] + i2 * s[2] + i3 * s[3];
    }

    private static double[] SumThroughLayout(ReductionLayout l, double[] x)
    {
        var y = new double[l.Outputs];
        for (long o = 0; o < l.Outputs; o++)
        {
            long baseOffset = Offset4(o, l.KeptDims, l.KeptStrides);
            for (long r = 0; r < l.Count; r++) y[o] += x[baseOffset + Offset4(r, l.ReducedDims, l.ReducedStrides)];
        }
        return y;
    }

    [Test]
    public void RandomReductionsEnumerateWhatTheCpuSums()
    {
        int seed = Random.Shared.Next();
        var rng = new Random(seed);
        for (int trial = 0; trial < 300; trial++)
        {
            int rank = rng.Next(0, 7);
            var xShape = new int[rank];
            var yShape = new int[rank];
            var axes = new List<int>();
            for (int i = 0; i < rank; i++)
            {
                xShape[i] = rng.Next(1, 5);
                bool reduce = rng.Next(2) == 0;
                yShape[i] = reduce ? 1 : xShape[i];
                if (reduce) axes.Add(i);
            }
            var data = Enumerable.Range(0, (int)new Shape(xShape).Numel).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
            var x = Tensor.FromArray(data, new Shape(xShape), Device.Cpu);
            var expected = (axes.Count == 0 ? x : Ops.Sum(x, [.. axes], keepDim: true)).ToDoubleArray();

            var layout = ReductionLayout.Create(xShape, yShape);
            string what = $"seed {seed}: ({string.Join(", ", xShape)}) → ({string.Join(", ", yShape)})";
            Assert.That(layout.Outputs, Is.EqualTo(expected.Length), what);
            var actual = SumThroughLayout(layout, data);
            for (int i = 0; i < actual.Length; i++) Assert.That(actual[i], Is.EqualTo(expected[i]).Within(1e-12), what);
        }
    }

    [Test]
    public void PerChannelReductionKeepsTheChannelAndSumsBatchAndPixels()
    {
        var l = ReductionLayout.Create([8, 16, 5, 7], [1, 16, 1, 1]);
        Assert.That(l.KeptDims, Is.EqualTo(new[] { 1, 1, 1, 16 }));
        Assert.That(l.KeptStrides, Is.EqualTo(new long[] { 0, 0, 0, 35 }));
        Assert.That(l.ReducedDims, Is.EqualTo(new[] { 1, 1, 8, 35 }));
        Assert.That(l.ReducedStrides, Is.EqualTo(new long[] { 0, 0, 16 * 35, 1 }));
        Assert.That(l.InnermostKept, Is.False);
        Assert.That((l.Outputs, l.Count), Is.EqualTo((16L, 8L * 35)));
    }

    [Test]
    public void BiasGradientOfALinearLayerReducesAcrossNeighbouringOutputs()
    {
        var l = ReductionLayout.Create([64, 300], [1, 300]);
        Assert.That(l.InnermostKept, Is.True);
        Assert.That(l.KeptDims, Is.EqualTo(new[] { 1, 1, 1, 300 }));
        Assert.That(l.ReducedStrides, Is.EqualTo(new long[] { 0, 0, 0, 300 }));
    }

    [Test]
    public void FullReductionIsOneOutputOverOneContiguousRun()
    {
        var l = ReductionLayout.Create([3, 4, 5], [1, 1, 1]);
        Assert.That((l.Outputs, l.Count, l.InnermostKept), Is.EqualTo((1L, 60L, false)));
        Assert.That(l.ReducedDims, Is.EqualTo(new[] { 1, 1, 1, 60 }));
    }

    [Test]
    public void ShapesThatCannotBeReducedAreRejectedAsOnTheCpu()
    {
        Assert.Throws<ArgumentException>(() => ReductionLayout.Create([2, 3], [2]));
        Assert.Throws<ArgumentException>(() => ReductionLayout.Create([2, 3], [2, 2]));
        // Nine alternating kept and reduced axes merge to five kept dimensions: more than the kernels take.
        Assert.Throws<NotSupportedException>(() => ReductionLayout.Create([2, 2, 2, 2, 2, 2, 2, 2, 2], [2, 1, 2, 1, 2, 1, 2, 1, 2]));
    }
}
