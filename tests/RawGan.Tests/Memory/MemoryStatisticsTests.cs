using RawGan.Engine;

namespace RawGan.Tests.Memory;

using Ops = RawGan.Engine.Ops;

/// <summary>Allocator statistics and the allocation contract on the CPU backend.</summary>
public class MemoryStatisticsTests
{
    private static MemoryStatistics Cpu => Device.Cpu.Backend.Memory;

    [Test]
    public void StoragesAreCountedFromCreationUntilTheirLastHolderGoes()
    {
        Cpu.ResetPeak();
        long start = Cpu.CurrentBytes;
        var a = Tensor.Empty([1000], DType.Float64);
        var view = Ops.Reshape(a, 10, 100);
        Assert.That(Cpu.CurrentBytes - start, Is.EqualTo(8000), "a view shares its storage: counted once");
        Assert.That(Cpu.Allocations, Is.EqualTo(1));
        a.Dispose();
        Assert.That(Cpu.CurrentBytes - start, Is.EqualTo(8000), "the view still holds the storage");
        view.Dispose();
        Assert.That(Cpu.CurrentBytes, Is.EqualTo(start));
        Assert.That(Cpu.PeakBytes - start, Is.EqualTo(8000));
        Assert.That(Cpu.AllocatedBytes, Is.EqualTo(8000));

        Cpu.ResetPeak();
        Assert.That((Cpu.PeakBytes, Cpu.Allocations, Cpu.AllocatedBytes), Is.EqualTo((Cpu.CurrentBytes, 0L, 0L)), "a reset starts from what is held now");
    }

    [Test]
    public void EmptyTensorsArePoisonedInTheTestSuiteAndZerosAreZero()
    {
        Assert.That(UninitializedMemory.Poison, Is.True, "the suite's PoisonedMemory fixture turns it on");
        Assert.That(Tensor.Empty([7], DType.Float32).ToArray<float>(), Is.All.NaN);
        Assert.That(Tensor.Empty([7], DType.Float64).ToArray<double>(), Is.All.NaN);
        Assert.That(Tensor.Empty([7], DType.Int32).ToArray<int>(), Is.All.EqualTo(-1));
        Assert.That(Tensor.Zeros([7], DType.Float64).ToArray<double>(), Is.All.EqualTo(0.0));
        Assert.That(Tensor.Zeros([7], DType.Int32).ToArray<int>(), Is.All.EqualTo(0));
    }

    [Test]
    public void OpsThatWriteOnlyPartOfTheirOutputStartFromZeros()
    {
        // Narrow's gradient fills a slice of x's shape and the embedding's scatter-adds rows: the rest must be zero.
        var x = Tensor.FromArray(new double[] { 1, 2, 3, 4, 5 }, requiresGrad: true);
        Ops.Sum(Ops.Narrow(x, 0, 1, 2)).Backward();
        Assert.That(x.Grad!.ToArray<double>(), Is.EqualTo(new double[] { 0, 1, 1, 0, 0 }));
        var table = Tensor.FromArray(new double[] { 1, 2, 3, 4, 5, 6 }, new Shape(3, 2), requiresGrad: true);
        Ops.Sum(Ops.Embedding(table, Tensor.FromArray(new[] { 2, 2 }))).Backward();
        Assert.That(table.Grad!.ToArray<double>(), Is.EqualTo(new double[] { 0, 0, 0, 0, 2, 2 }));
    }
}
