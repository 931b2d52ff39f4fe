using RawGan.Engine;
using RawGan.Engine.Backends.Cpu;

namespace RawGan.Tests.Optim;

/// <summary>
/// The CPU Adam update against a direct scalar loop in torch.optim.Adam's operation order, bit for bit, on buffers
/// long enough for the SIMD body, the scalar tail and several worker chunks.
/// </summary>
public class AdamReferenceTests
{
    [TestCase(100_003, 0.0, 0.999, 1e-6, 2e-4, 1)]
    [TestCase(70_001, 0.9, 0.999, 1e-8, 1e-2, 5)]
    [TestCase(13, 0.9, 0.99, 1e-8, 1e-3, 2)]
    public void Float32UpdateMatchesTheScalarLoopExactly(int n, double beta1, double beta2, double eps, double lr, int step)
    {
        var rng = new Random(n);
        float[] p = Values(rng, n, 1), g = Values(rng, n, 3), m = Values(rng, n, 0.1), v = Values(rng, n, 0.1).Select(Math.Abs).ToArray();
        double bc1 = 1 - Math.Pow(beta1, step), bc2 = 1 - Math.Pow(beta2, step);
        var cpu = CpuBackend.Instance;
        Storage sp = Upload(p), sg = Upload(g), sm = Upload(m), sv = Upload(v);
        // The step's scalars come from the step count in (device) memory: t − 1 steps taken, this one makes t.
        var counter = new DeviceCounter(Device.Cpu, (ulong)(step - 1));
        var scalars = cpu.Allocate(DType.Float64, 2);
        cpu.AdamStepScalars(counter.Storage, scalars, lr, beta1, beta2);
        cpu.AdamUpdate(sp, sg, sm, sv, n, beta1, beta2, eps, scalars);
        Assert.That(CpuBackend.ReadCounter(counter.Storage), Is.EqualTo((ulong)step), "the step count advanced by one");

        // torch.optim.Adam's single-tensor step: scalars prepared in double, tensor arithmetic in float32.
        float stepSize = (float)(lr / bc1), sqrtBc2 = (float)Math.Sqrt(bc2);
        float b1 = (float)beta1, b2 = (float)beta2, omb1 = (float)(1 - beta1), omb2 = (float)(1 - beta2), e = (float)eps;
        for (int i = 0; i < n; i++)
        {
            m[i] = m[i] * b1 + g[i] * omb1;
            v[i] = v[i] * b2 + g[i] * g[i] * omb2;
            p[i] -= stepSize * (m[i] / (MathF.Sqrt(v[i]) / sqrtBc2 + e));
        }
        Assert.That(Download(sm, n), Is.EqualTo(m), "exp_avg");
        Assert.That(Download(sv, n), Is.EqualTo(v), "exp_avg_sq");
        Assert.That(Download(sp, n), Is.EqualTo(p), "param");
    }

    private static float[] Values(Random rng, int n, double scale) =>
        Enumerable.Range(0, n).Select(_ => (float)((rng.NextDouble() * 2 - 1) * scale)).ToArray();

    private static Storage Upload(float[] data)
    {
        var s = CpuBackend.Instance.Allocate(DType.Float32, data.Length);
        CpuBackend.Instance.CopyFromHost<float>(data, s, 0);
        return s;
    }

    private static float[] Download(Storage s, int n)
    {
        var data = new float[n];
        CpuBackend.Instance.CopyToHost<float>(s, 0, data);
        return data;
    }
}
