using System.Diagnostics;
using System.Globalization;
using RawGan.Engine;
using RawGan.Engine.Autograd;
using RawGan.Model.BigGan;

namespace RawGan.Tests.BigGan;

using Ops = RawGan.Engine.Ops;

/// <summary>
/// The time of one BigGAN training step without the optimiser (a D step: G forward without grad, D forward and
/// backward on fake and real; a G step: G and D forward and backward) on the CPU. Explicit: run it on its own,
/// in Release, to size a configuration: dotnet test -c Release -- --filter "Name~StepTime".
/// </summary>
[Explicit("timing, not a check")]
[Category("Slow")]
public class BigGanStepTiming
{
    [TestCase("Mnist32Small", 64)]
    [TestCase("Mnist32Small", 32)]
    public void StepTime(string preset, int batch)
    {
        var config = BigGanConfig.Preset(preset);
        var g = new BigGanGenerator(config, seed: 1);
        var d = new BigGanDiscriminator(config, seed: 2);
        var labels = Tensor.FromArray(Enumerable.Range(0, batch).Select(i => i % config.NumClasses).ToArray());
        var real = Ops.Tanh(Tensor.RandomNormal([batch, config.ImageChannels, config.Resolution, config.Resolution], 3));
        const int warmup = 2, steps = 5;
        var watch = new Stopwatch();
        for (int s = 0; s < warmup + steps; s++)
        {
            if (s == warmup) watch.Start();
            using var scope = new TensorScope();
            var z = Tensor.RandomNormal([batch, g.DimZ], 10, (ulong)s);
            Tensor fake;
            using (GradMode.Disable()) fake = g.Generate(z, labels);
            var (lossReal, lossFake) = Ops.HingeLossDiscriminator(d.Score(real, labels), d.Score(fake, labels));
            Ops.Add(lossReal, lossFake).Backward();
            Ops.HingeLossGenerator(d.Score(g.Generate(z, labels), labels)).Backward();
            foreach (var (_, p) in g.NamedParameters().Concat(d.NamedParameters())) p.Grad = null;
        }
        watch.Stop();
        TestContext.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{preset} batch {batch}: {watch.Elapsed.TotalMilliseconds / steps:F0} ms per D+G step (forward+backward), G {g.ParameterCount:N0} and D {d.ParameterCount:N0} parameters"));
    }
}
