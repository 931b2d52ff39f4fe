using RawGan.Engine;
using RawGan.Engine.Autograd;

namespace RawGan.Tests.BigGan;

/// <summary>
/// Finds how close a recorded forward pass came to the places where central differences break: the smallest
/// |input| of any ReLU (its kink) and the smallest lead of a 2x2 max-pool window's maximum over the runner-up
/// (a tie). Reads the autograd graph behind the outputs, so modules need no test hooks.
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
            var node = stack.Pop().GradFn;
            if (node is null || !seen.Add(node)) continue;
            if (node.Name == "Relu") relu = Math.Min(relu, node.Inputs[0].ToDoubleArray().Min(Math.Abs));
            if (node.Name == "MaxPool2d") pool = Math.Min(pool, MinWindowLead(node.Inputs[0]));
            foreach (var input in node.Inputs) stack.Push(input);
        }
        return (relu, pool);
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
