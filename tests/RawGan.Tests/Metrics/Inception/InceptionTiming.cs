using System.Diagnostics;
using System.Globalization;
using RawGan.Engine;
using RawGan.Model.Metrics.Inception;

namespace RawGan.Tests.Metrics.Inception;

/// <summary>
/// Images per second of <see cref="InceptionV3.Evaluate"/> on the CPU (resize to 299×299, forward, softmax), best
/// of a few runs. Explicit: run it on its own, in Release: dotnet test -c Release -- --filter "Name~EvaluateThroughput".
/// </summary>
[Explicit("timing, not a check")]
[Category("Slow")]
public class InceptionTiming
{
    [TestCase(8)]
    public void EvaluateThroughput(int batch)
    {
        using var net = InceptionV3.FromState(HashedWeights.InceptionState);
        var images = HashedWeights.Image("timing", new Shape(batch, 3, 32, 32));
        net.Evaluate(images); // warm-up
        double best = double.MaxValue;
        for (int run = 0; run < 3; run++)
        {
            var watch = Stopwatch.StartNew();
            net.Evaluate(images);
            best = Math.Min(best, watch.Elapsed.TotalSeconds);
        }
        TestContext.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Inception-v3 Evaluate, batch {batch} at 299x299 on {Environment.ProcessorCount} cores: {best:F2} s, {batch / best:F1} images/s (best of 3)"));
    }
}
