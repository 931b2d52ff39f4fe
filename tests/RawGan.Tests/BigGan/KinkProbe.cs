using RawGan.Engine;
using RawGan.Engine.Autograd;

namespace RawGan.Tests.BigGan;

using Ops = RawGan.Engine.Ops;

/// <summary>
/// Finds how close a recorded forward pass came to the places where central differences break: the smallest
/// |input| of any ReLU (its kink) and the smallest lead of a 2x2 max-pool window's maximum over the runner-up
/// (a tie). Reads the autograd graph behind the outputs, so modules need no test hooks. The fused conditional
/// batch norm + ReLU of G's blocks keeps no pre-activation, so its kink margin is recomputed (see
/// <see cref="FusedBatchNormReluMargin"/>).
/// </summary>
internal static class KinkProbe
{
    public static (double Relu, double MaxPool) Margins(params Tensor[] outputs)
    {
        double relu = double.PositiveInfinity, pool = double.PositiveInfinity;
        var seen = new HashSet<GradNode>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<Tensor>(outputs);
        while (stack.Count > 0)
        {
            var output = stack.Pop();
            var node = output.GradFn;
            if (node is null || !seen.Add(node)) continue;
            if (node.Name == "Relu") relu = Math.Min(relu, node.Inputs[0].ToDoubleArray().Min(Math.Abs));
            if (node.Name == nameof(Ops.ConditionalBatchNormRelu)) relu = Math.Min(relu, FusedBatchNormReluMargin(output, node.Inputs));
            if (node.Name == "MaxPool2d") pool = Math.Min(pool, MinWindowLead(node.Inputs[0]));
            foreach (var input in node.Inputs) stack.Push(input);
        }
        return (relu, pool);
    }

    /// <summary>
    /// The smallest |pre-activation| of a ConditionalBatchNormRelu(x, …, gain, bias) node with output y. The op
    /// keeps no pre-activation, so it is recomputed with batch statistics and BigGAN's eps 1e-5, as every gradient
    /// check runs G (training mode, the default configuration's eps); the recomputation must reproduce y, so a
    /// case in another mode or with another eps fails loudly instead of measuring the wrong margin.
    /// </summary>
    private static double FusedBatchNormReluMargin(Tensor y, IReadOnlyList<Tensor> inputs)
    {
        const double eps = 1e-5;
        var (x, gain, bias) = (inputs[0], inputs[1], inputs[2]);
        int n = x.Shape[0], c = x.Shape[1], spatial = (int)(x.Numel / ((long)n * c));
        double[] z;
        using (GradMode.Disable())
        {
            var normalized = Ops.Reshape(Ops.BatchNorm(x, null, null, null, null, training: true, eps: eps), n, c, spatial);
            z = Ops.Add(Ops.Mul(normalized, Ops.AddScalar(Ops.Reshape(gain, n, c, 1), 1.0)), Ops.Reshape(bias, n, c, 1)).ToDoubleArray();
        }
        var ys = y.ToDoubleArray();
        for (int i = 0; i < ys.Length; i++)
        {
            if (Math.Abs(Math.Max(0, z[i]) - ys[i]) > 1e-9 * (1 + Math.Abs(ys[i])))
                throw new InvalidOperationException("KinkProbe: a ConditionalBatchNormRelu output is not relu of its batch-statistics pre-activation with eps 1e-5; extend the probe for that case.");
        }
        return z.Min(Math.Abs);
    }

    private static double MinWindowLead(Tensor t)
    {
        var x = t.ToDoubleArray();
        int planes = t.Shape[0] * t.Shape[1], h = t.Shape[2], w = t.Shape[3];
        double lead = double.PositiveInfinity;
        Span<double> win = stackalloc double[4];
        for (int p = 0; p < planes; p++)
            for (int i = 0; i + 1 < h; i += 2)
                for (int j = 0; j + 1 < w; j += 2)
                {
                    win[0] = x[(p * h + i) * w + j];
                    win[1] = x[(p * h + i) * w + j + 1];
                    win[2] = x[(p * h + i + 1) * w + j];
                    win[3] = x[(p * h + i + 1) * w + j + 1];
                    win.Sort();
                    lead = Math.Min(lead, win[3] - win[2]);
                }
        return lead;
    }
}
