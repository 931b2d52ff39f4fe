using RawGan.Engine;
using RawGan.Engine.Backends.Cpu;
using RawGan.Engine.Rng;

namespace RawGan.Tests.Rng;

/// <summary>
/// The stream whose position lives in device memory draws exactly what the host-positioned one draws, and its labels
/// follow the rule the trainer used on the host: (int)(u·K) of float64 uniforms.
/// </summary>
public class DevicePhiloxGeneratorTests
{
    [Test]
    public void DrawsWhatThePhiloxGeneratorDrawsAtTheSameOffsets()
    {
        ulong seed = TestSeed.Fresh(), start = TestSeed.Fresh();
        using var device = new DevicePhiloxGenerator(seed, Device.Cpu, start);
        var host = new PhiloxGenerator(seed, start);
        string where = $"seed {seed}, start {start}";

        Assert.That(device.Normal([4, 9]).ToArray<float>(), Is.EqualTo(host.Normal([4, 9]).ToArray<float>()), where);
        var labels = device.UniformInt([50], 10).ToArray<int>();
        var u = host.Uniform([50], DType.Float64, Device.Cpu).ToArray<double>();
        Assert.That(labels, Is.EqualTo(u.Select(x => (int)(x * 10)).ToArray()), where);
        Assert.That(device.Normal([3], 0.5, 2, DType.Float64).ToArray<double>(), Is.EqualTo(host.Normal([3], 0.5, 2, DType.Float64).ToArray<double>()), where);

        Assert.That(device.Offset, Is.EqualTo(host.Offset), where);
        Assert.That(CpuBackend.ReadCounter(device.Position.Storage), Is.EqualTo(host.Offset), $"the device copy of the position; {where}");
    }

    [Test]
    public void LabelsCoverEveryClassAndNeverReachTheBound()
    {
        ulong seed = TestSeed.Fresh();
        using var gen = new DevicePhiloxGenerator(seed, Device.Cpu);
        var labels = gen.UniformInt([3000], 7).ToArray<int>();
        Assert.That(labels, Has.All.InRange(0, 6), $"seed {seed}");
        Assert.That(labels.Distinct().Count(), Is.EqualTo(7), $"seed {seed}");
        Assert.That(() => gen.UniformInt([2], 0), Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void SettingTheOffsetMovesTheDevicePositionAcrossTheWordBoundary()
    {
        ulong seed = TestSeed.Fresh();
        using var gen = new DevicePhiloxGenerator(seed, Device.Cpu);
        ulong offset = uint.MaxValue - 2UL; // the draw crosses from the low word into the high one
        gen.Offset = offset;
        var drawn = gen.Normal([6], dtype: DType.Float64).ToArray<double>();
        Assert.That(drawn, Is.EqualTo(Tensor.RandomNormal([6], seed, offset, dtype: DType.Float64).ToArray<double>()), $"seed {seed}");
        Assert.That(gen.Offset, Is.EqualTo(offset + 6));
        Assert.That(CpuBackend.ReadCounter(gen.Position.Storage), Is.EqualTo(offset + 6), $"seed {seed}");
    }
}
