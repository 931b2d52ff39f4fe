using RawGan.Engine;
using RawGan.Model.Metrics;

namespace RawGan.Tests.Metrics;

/// <summary>
/// A feature network for tests that needs no training: the image is cut into horizontal bands; the features are
/// the bands' mean pixels and p(y|x) the softmax of 4 × those means (one class per band). Counts its calls.
/// </summary>
internal sealed class BandFeatures(int bands = 4) : IFeatureNetwork
{
    public int Calls { get; private set; }

    public string Name => "bands";

    public int NumClasses => bands;

    public int FeatureSize => bands;

    public (double[,] Probabilities, double[,] Features) Evaluate(Tensor images)
    {
        Calls++;
        int n = images.Shape[0], c = images.Shape[1], h = images.Shape[2], w = images.Shape[3];
        var x = images.ToDoubleArray();
        var p = new double[n, bands];
        var f = new double[n, bands];
        for (int i = 0; i < n; i++)
        {
            for (int ch = 0; ch < c; ch++)
                for (int y = 0; y < h; y++)
                    for (int col = 0; col < w; col++)
                        f[i, y * bands / h] += x[((i * c + ch) * h + y) * w + col] / (c * w * (double)h / bands);
            double sum = 0;
            for (int b = 0; b < bands; b++) sum += p[i, b] = Math.Exp(4 * f[i, b]);
            for (int b = 0; b < bands; b++) p[i, b] /= sum;
        }
        return (p, f);
    }

    public void Dispose()
    {
    }
}
