using RawGan.Engine;

namespace RawGan.Tests.Cuda;

/// <summary>The allocation contract and the allocator statistics on the GPU (the CPU's: Memory/MemoryStatisticsTests).</summary>
public class AllocationCudaTests : CudaTestBase
{
    [Test]
    public void StatisticsFollowDeviceStoragesAndPoisonFillsThem()
    {
        var memory = Gpu.Backend.Memory;
        memory.ResetPeak();
        long before = memory.CurrentBytes;
        var t = Tensor.Empty([1000], DType.Float32, Gpu);
        Assert.That(memory.CurrentBytes - before, Is.EqualTo(4000));
        Assert.That(memory.Allocations, Is.EqualTo(1));
        Assert.That(t.ToArray<float>(), Is.All.NaN, "the suite runs with UninitializedMemory.Poison: new device memory is all-ones bytes");
        Assert.That(Tensor.Zeros([10], DType.Int32, Gpu).ToArray<int>(), Is.All.EqualTo(0));
        Assert.That(Tensor.Empty([3], DType.Int32, Gpu).ToArray<int>(), Is.All.EqualTo(-1));
        t.Dispose();
        Assert.That(memory.PeakBytes - before, Is.GreaterThanOrEqualTo(4000));
    }
}
