using RawGan.Engine;
using RawGan.Engine.Autograd;

namespace RawGan.Model.Analysis;

/// <summary>How different a batch of images is from itself: near zero when a generator has collapsed to one output.</summary>
public static class SampleDiversity
{
    /// <summary>
    /// The mean over pairs i &lt; j of the root-mean-square pixel difference ‖xi − xj‖ / √D of a batch (N, ...), from
    /// the Gram matrix X Xᵀ (one product on the batch's device, then N² numbers on the host), in float64.
    /// </summary>
    public static double MeanPairwiseDistance(Tensor images)
    {
        int n = images.Shape[0];
        if (n < 2) throw new ArgumentException("A pairwise distance needs at least two images.", nameof(images));
        int d = (int)(images.Numel / n);
        using var scope = new TensorScope();
        using var noGrad = GradMode.Disable();
        var x = Ops.Reshape(images.Detach(), new Shape(n, d)).ToDType(DType.Float64);
        var gram = Ops.MatMul(x, x, transB: true).ToArray<double>();
        double sum = 0;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
                sum += Math.Sqrt(Math.Max(0, gram[i * n + i] + gram[j * n + j] - 2 * gram[i * n + j]) / d);
        return sum / (n * (n - 1) / 2.0);
    }
}
