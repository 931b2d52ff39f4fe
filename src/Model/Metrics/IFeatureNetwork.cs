using RawGan.Engine;

namespace RawGan.Model.Metrics;

/// <summary>
/// A network that scores images for the metrics: class probabilities p(y|x) for the Inception Score and a feature
/// vector for FID. Two exist: a classifier for the data set trained on our own engine, and Inception-v3 loaded from a
/// user's converted FID weights. Each does its own preprocessing (resizing, grey to RGB), so callers pass images as
/// the data set and the generator produce them: (N, C, H, W) in [−1, 1].
/// </summary>
public interface IFeatureNetwork : IDisposable
{
    /// <summary>A short name for tables and file names ("mnist-classifier", "inception-v3").</summary>
    string Name { get; }

    /// <summary>Classes of p(y|x).</summary>
    int NumClasses { get; }

    /// <summary>Length of the feature vector used for FID.</summary>
    int FeatureSize { get; }

    /// <summary>
    /// Scores a batch without recording gradients: probabilities (N, NumClasses) and features (N, FeatureSize),
    /// both float64 on the host, ready for the metrics' float64 arithmetic.
    /// </summary>
    (double[,] Probabilities, double[,] Features) Evaluate(Tensor images);
}
