using RawGan.Engine;
using RawGan.Engine.Optim;

namespace RawGan.Tests.Cuda;

public class OptimCudaTests : CudaTestBase
{
    private static readonly DType[] DTypes = [DType.Float32, DType.Float64];

    [Test]
    public void AdamAndEmaMatchTheCpu([ValueSource(nameof(DTypes))] DType dtype)
    {
        var rng = Seeded(out _);
        var (p, gp) = Pair([33, 17], dtype, rng);
        var (ema, gema) = Pair([33, 17], dtype, rng);
        var cpu = new Adam([new("w", p)], 2e-4, 0, 0.999, 1e-6);
        var gpu = new Adam([new("w", gp)], 2e-4, 0, 0.999, 1e-6);
        var cpuEma = new Ema([p], [ema]);
        var gpuEma = new Ema([gp], [gema]);
        for (int step = 0; step < 3; step++)
        {
            var (g, gg) = Pair([33, 17], dtype, rng);
            p.Grad = g;
            gp.Grad = gg;
            cpu.Step();
            gpu.Step();
            cpuEma.Update(0.9);
            gpuEma.Update(0.9);
        }
        AssertClose(gp, p, "parameters");
        AssertClose(gema, ema, "EMA");
        var cpuState = cpu.StateTensors().ToList();
        var gpuState = gpu.StateTensors().ToList();
        for (int i = 0; i < cpuState.Count; i++) AssertClose(gpuState[i].Value, cpuState[i].Value, cpuState[i].Key);
    }
}
