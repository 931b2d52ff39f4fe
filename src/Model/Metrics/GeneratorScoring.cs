using RawGan.Engine;
using RawGan.Engine.Autograd;
using RawGan.Engine.Rng;

namespace RawGan.Model.Metrics;

/// <summary>The Inception Score and the feature statistics of one set of images, the inputs of a FID.</summary>
public sealed record ImageScores(InceptionScoreResult InceptionScore, FeatureStatistics Features);

/// <summary>
/// Scores image sets with a feature network: the generator's samples (class labels uniform over the classes, z
/// from a normal truncated at a threshold or untruncated) or a data set's images. Images are produced and scored a
/// batch at a time; only the probabilities (N·K floats) and the feature moments (D² floats) are kept.
/// </summary>
public static class GeneratorScoring
{
    /// <summary>
    /// Scores <paramref name="samples"/> images from <paramref name="generate"/> (z, labels) → images.
    /// <paramref name="truncation"/>: resample latent components beyond it (null: plain normal latents).
    /// Deterministic for a seed: latents and labels come from Philox streams of <paramref name="seed"/>.
    /// </summary>
    public static ImageScores ScoreGenerator(Func<Tensor, Tensor, Tensor> generate, int dimZ, int numClasses, IFeatureNetwork net,
                                             int samples, double? truncation, ulong seed, Device device, int batchSize = 100,
                                             Action<long, long>? progress = null, CancellationToken stop = default)
    {
        ArgumentNullException.ThrowIfNull(generate);
        ArgumentNullException.ThrowIfNull(net);
        var latents = Latents(dimZ, numClasses, truncation, seed, device);
        return Score(net, samples, batchSize, n =>
        {
            var (z, labels) = latents(n);
            using var noGrad = GradMode.Disable();
            return generate(z, labels);
        }, progress, stop);
    }

    /// <summary>
    /// A source of latents as <see cref="ScoreGenerator"/> draws them, n at a time: z (n, <paramref name="dimZ"/>)
    /// from a normal truncated at <paramref name="truncation"/> (null: untruncated) and labels uniform over the
    /// classes, each from its own Philox stream of <paramref name="seed"/>.
    /// </summary>
    public static Func<int, (Tensor Z, Tensor Labels)> Latents(int dimZ, int numClasses, double? truncation, ulong seed, Device device)
    {
        if (truncation is { } t && !(t > 0)) throw new ArgumentOutOfRangeException(nameof(truncation), t, "A truncation threshold must be positive (or none).");
        var latents = new PhiloxGenerator(seed);
        var classes = new PhiloxGenerator(seed, offset: 1UL << 40);
        return n =>
        {
            var z = truncation is { } threshold ? latents.TruncatedNormal([n, dimZ], threshold, device: device) : latents.Normal([n, dimZ], device: device);
            var u = classes.Uniform([n], device: Device.Cpu).ToArray<float>();
            var labels = Tensor.FromArray(u.Select(v => Math.Min((int)(v * numClasses), numClasses - 1)).ToArray(), device);
            return (z, labels);
        };
    }

    /// <summary>Scores images that <paramref name="next"/> hands out n at a time until <paramref name="samples"/> are scored.</summary>
    public static ImageScores Score(IFeatureNetwork net, int samples, int batchSize, Func<int, Tensor> next,
                                    Action<long, long>? progress = null, CancellationToken stop = default)
    {
        ArgumentNullException.ThrowIfNull(net);
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, InceptionScore.DefaultSplits);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var probabilities = new double[samples, net.NumClasses];
        var moments = new FeatureMoments(net.FeatureSize);
        int done = 0;
        while (done < samples)
        {
            stop.ThrowIfCancellationRequested();
            int n = Math.Min(batchSize, samples - done);
            using (var scope = new TensorScope())
            {
                var images = next(n);
                if (images.Shape[0] != n) throw new InvalidOperationException($"Asked for {n} images, got {images.Shape[0]}.");
                var (p, f) = net.Evaluate(images);
                System.Buffer.BlockCopy(p, 0, probabilities, done * net.NumClasses * sizeof(double), n * net.NumClasses * sizeof(double));
                moments.Add(f);
            }
            done += n;
            progress?.Invoke(done, samples);
        }
        return new ImageScores(InceptionScore.Compute(probabilities), moments.ToStatistics());
    }
}
