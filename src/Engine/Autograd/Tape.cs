namespace RawGan.Engine.Autograd;

/// <summary>Define-by-run reverse-mode differentiation over <see cref="GradNode"/>s.</summary>
internal static class Tape
{
    /// <summary>
    /// Attaches a backward function to <paramref name="output"/> when grad mode is on and an input requires grad.
    /// Returns the output for chaining.
    /// </summary>
    public static Tensor Record(string name, Tensor output, Tensor[] inputs, Func<Tensor, Tensor?[]> backward)
    {
        if (!GradMode.IsEnabled) return output;
        foreach (var t in inputs)
        {
            if (t.RequiresGrad)
            {
                output.RequiresGrad = true;
                output.GradFn = new GradNode(name, inputs, backward);
                return output;
            }
        }
        return output;
    }

    public static void Backward(Tensor root, Tensor? seed)
    {
        if (!root.RequiresGrad)
            throw new InvalidOperationException("Backward() needs a tensor that requires grad: no input of the graph had RequiresGrad set, or it was built under NoGrad.");
        if (seed is null)
        {
            if (root.Numel != 1)
                throw new InvalidOperationException($"Backward() without a gradient needs a scalar output; this one has shape {root.Shape}. Pass the output gradient.");
            seed = Tensor.Ones(root.Shape, root.DType, root.Device);
        }
        else if (seed.Shape != root.Shape)
        {
            throw new ArgumentException($"Output gradient shape {seed.Shape} differs from the output's {root.Shape}.", nameof(seed));
        }

        var order = TopologicalOrder(root);
        var grads = new Dictionary<Tensor, Tensor>(ReferenceEqualityComparer.Instance) { [root] = seed };
        using var _ = GradMode.Disable();
        for (int i = order.Count - 1; i >= 0; i--)
        {
            var t = order[i];
            if (!grads.Remove(t, out var g)) continue;
            if (t.GradFn is { } node)
            {
                var inputGrads = node.Backward(g);
                for (int j = 0; j < node.Inputs.Length; j++)
                {
                    var x = node.Inputs[j];
                    var gx = inputGrads[j];
                    if (gx is null || !x.RequiresGrad) continue;
                    if (gx.Shape != x.Shape)
                        throw new InvalidOperationException($"Backward of {node.Name} produced a gradient of shape {gx.Shape} for an input of shape {x.Shape}.");
                    grads[x] = grads.TryGetValue(x, out var acc) ? Ops.Add(acc, gx) : gx;
                }
            }
            else if (t.RequiresGrad)
            {
                // g may be shared (Add hands one tensor to both operands; the seed is the caller's), and Grad is
                // updated in place later (orthogonal regularisation, optimisers): a leaf keeps its own copy. It also
                // outlives the step's TensorScope, since the optimiser reads it afterwards.
                var previous = t.Grad;
                t.Grad = TensorScope.Keep(previous is null ? g.Clone() : Ops.Add(previous, g));
                previous?.Dispose();
                GradientReady.Finished(t);
            }
        }
    }

    /// <summary>Tensors reachable from the root, each after all tensors it depends on (iterative DFS).</summary>
    private static List<Tensor> TopologicalOrder(Tensor root)
    {
        var order = new List<Tensor>();
        var visited = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(Tensor T, bool Expanded)>();
        stack.Push((root, false));
        while (stack.Count > 0)
        {
            var (t, expanded) = stack.Pop();
            if (expanded)
            {
                order.Add(t);
                continue;
            }
            if (!visited.Add(t)) continue;
            stack.Push((t, true));
            if (t.GradFn is { } node)
            {
                foreach (var x in node.Inputs)
                {
                    if (x.RequiresGrad && !visited.Contains(x)) stack.Push((x, false));
                }
            }
        }
        return order;
    }
}
