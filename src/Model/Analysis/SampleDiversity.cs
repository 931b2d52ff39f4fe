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
    public static double MeanPairwiseDistance(Tensor images) => MeanPairwiseDistance(images, images.Shape[0]);

    /// <summary>
    /// The same mean taken within each group of <paramref name="groupSize"/> consecutive images (a sample sheet's row:
    /// one class, several latents), then over the groups: near zero when G draws one image per class whatever z,
    /// which the whole batch's mean does not show while the classes still differ.
    /// </summary>
    public static double MeanPairwiseDistance(Tensor images, int groupSize)
    {
        int n = images.Shape[0];
        if (groupSize < 2 || n % groupSize != 0)
            throw new ArgumentException($"Groups of {groupSize} of {n} images: a pairwise distance needs groups of at least two that divide the batch.", nameof(groupSize));
        int d = (int)(images.Numel / n);
        using var scope = new TensorScope();
        using var noGrad = GradMode.Disable();
        var x = Ops.Reshape(images.Detach(), new Shape(n, d)).ToDType(DType.Float64);
        var gram = Ops.MatMul(x, x, transB: true).ToArray<double>();
        double sum = 0;
        for (int g0 = 0; g0 < n; g0 += groupSize)
            for (int i = g0; i < g0 + groupSize; i++)
                for (int j = i + 1; j < g0 + groupSize; j++)
                    sum += Math.Sqrt(Math.Max(0, gram[i * n + i] + gram[j * n + j] - 2 * gram[i * n + j]) / d);
        return sum / (n / groupSize * (groupSize * (groupSize - 1) / 2.0));
    }
}
