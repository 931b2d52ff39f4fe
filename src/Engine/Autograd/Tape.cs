using RawGan.Engine.Profiling;

namespace RawGan.Engine.Autograd;

/// <summary>
/// Define-by-run reverse-mode differentiation over <see cref="GradNode"/>s. A backward pass frees memory as it goes
/// (see <see cref="Backward"/>), so that a step's peak holds the forward activations and a few gradients, not every
/// gradient and temporary of the step at once.
/// </summary>
internal static class Tape
{
    /// <summary>
    /// Attaches a backward function to <paramref name="output"/> when grad mode is on and an input requires grad.
    /// Returns the output for chaining. <paramref name="backwardCost"/> is the work of the backend kernels the
    /// backward function calls itself (the profiler times each backward under the op's name).
    /// </summary>
    public static Tensor Record(string name, Tensor output, Tensor[] inputs, Func<Tensor, Tensor?[]> backward, OpCost backwardCost = default)
    {
        if (!GradMode.IsEnabled) return output;
        foreach (var t in inputs)
        {
            if (t.RequiresGrad)
            {
                output.RequiresGrad = true;
                output.GradFn = new GradNode(name, inputs, backward, backwardCost);
                return output;
            }
        }
        return output;
    }

    /// <summary>
    /// Back-propagates from <paramref name="root"/>, adding into the <see cref="Tensor.Grad"/> of leaves that require
    /// it. Memory is released as the pass goes:
    /// <list type="bullet">
    /// <item>Each node's backward runs in a scope of its own: what it allocates besides the gradients it returns is
    /// freed when it returns.</item>
    /// <item>An intermediate gradient is freed once every input it was handed to has taken it (one gradient may feed
    /// several inputs: a + b hands dy to both); a leaf takes over a gradient nothing else holds instead of copying it.</item>
    /// <item>Unless <paramref name="retainGraph"/>: each tensor produced by a recorded op (the graph's non-leaf
    /// tensors), except the root, is disposed right after its producer's backward ran, which is after the backward of
    /// every op that consumed it; the graph cannot be back-propagated again.</item>
    /// </list>
    /// So after a backward pass, leaves, their gradients, the root and tensors that were never part of the graph
    /// (data, no-grad results, <see cref="Tensor.Detach"/>ed views) stay readable; a non-leaf tensor must be read
    /// before, or detached before (the detached view keeps its storage alive).
    /// </summary>
    public static void Backward(Tensor root, Tensor? seed, bool retainGraph)
    {
        if (!root.RequiresGrad)
            throw new InvalidOperationException("Backward() needs a tensor that requires grad: no input of the graph had RequiresGrad set, or it was built under NoGrad.");
        // The walk itself (ordering, bookkeeping) is the "Autograd" row; each node's backward is its op's row.
        using var walk = Profiler.Scope("Autograd", ProfilePass.Backward);
        bool ownSeed = seed is null;
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
        var owned = new GradientReferences();
        if (ownSeed) owned.Add(seed);
        using var _ = GradMode.Disable();
        using var exact = Autocast.Enable(Precision.Fp32); // each product's backward runs as its forward recorded it
        for (int i = order.Count - 1; i >= 0; i--)
        {
            var t = order[i];
            bool reached = grads.Remove(t, out var g);
            if (t.GradFn is { } node)
            {
                if (node.Consumed)
                    throw new InvalidOperationException($"Backward() already ran through this graph (at {node.Name}) and freed its tensors. " +
                                                        "Pass retainGraph: true to the first Backward() to run it again, or build the graph anew.");
                if (reached) Propagate(node, g!, grads, owned);
                if (!retainGraph)
                {
                    node.Consumed = true;
                    if (!ReferenceEquals(t, root)) t.Dispose();
                }
            }
            else if (reached && t.RequiresGrad)
            {
                // A leaf's Grad is its own (it is updated in place later: orthogonal regularisation, optimisers) and
                // outlives the step's TensorScope, since the optimiser reads it afterwards.
                var previous = t.Grad;
                if (previous is null && owned.IsExclusive(g!))
                {
                    t.Grad = TensorScope.Keep(g!);
                    owned.Forget(g!);
                }
                else
                {
                    t.Grad = TensorScope.Keep(previous is null ? g!.Clone() : Ops.Add(previous, g!));
                    previous?.Dispose();
                    owned.Release(g!);
                }
                GradientReady.Finished(t);
            }
        }
    }

    // Runs one node's backward on its output gradient g and hands the input gradients on.
    private static void Propagate(GradNode node, Tensor g, Dictionary<Tensor, Tensor> grads, GradientReferences owned)
    {
        Tensor?[] inputGrads;
        var created = new List<Tensor>();
        using (var temporaries = new TensorScope())
        {
            using (Profiler.Scope(node.Name, ProfilePass.Backward, node.BackwardCost, node.Inputs[0].Shape, node.Inputs.Length > 1 ? node.Inputs[1].Shape : default))
                inputGrads = node.Backward(g);
            foreach (var gx in inputGrads)
            {
                if (gx is not null && temporaries.Owns(gx) && !created.Contains(gx)) created.Add(TensorScope.Keep(gx));
            }
        }
        foreach (var gx in created) owned.Add(gx, references: 0);
        for (int j = 0; j < node.Inputs.Length; j++)
        {
            var x = node.Inputs[j];
            var gx = inputGrads[j];
            if (gx is null || !x.RequiresGrad) continue;
            if (gx.Shape != x.Shape || gx.DType != x.DType)
                throw new InvalidOperationException($"Backward of {node.Name} produced a gradient {gx.Shape} {gx.DType} for an input {x.Shape} {x.DType}.");
            if (grads.TryGetValue(x, out var acc))
            {
                grads[x] = Ops.Add(acc, gx);
                owned.Add(grads[x]);
                owned.Release(acc);
            }
            else
            {
                grads[x] = gx;
                owned.AddReference(gx);
            }
        }
        foreach (var gx in created) owned.ReleaseIfUnreferenced(gx);
        owned.Release(g);
    }

    /// <summary>
    /// The gradients a backward pass created, with the number of places (pending entries of the gradient map) that
    /// still hold each: one is disposed when its count drops to zero. Tensors the pass did not create (the caller's
    /// output gradient, a tensor a backward function passed through) are never disposed here.
    /// </summary>
    private sealed class GradientReferences
    {
        private readonly Dictionary<Tensor, int> _counts = new(ReferenceEqualityComparer.Instance);

        public void Add(Tensor t, int references = 1) => _counts[t] = references;

        public void AddReference(Tensor t)
        {
            if (_counts.TryGetValue(t, out int n)) _counts[t] = n + 1;
        }

        public void Release(Tensor t)
        {
            if (!_counts.TryGetValue(t, out int n)) return;
            if (n > 1)
            {
                _counts[t] = n - 1;
                return;
            }
            _counts.Remove(t);
            t.Dispose();
        }

        public void ReleaseIfUnreferenced(Tensor t)
        {
            if (_counts.TryGetValue(t, out int n) && n == 0)
            {
                _counts.Remove(t);
                t.Dispose();
            }
        }

        // Held in one place only, by this pass alone, and sharing its storage with no other tensor.
        public bool IsExclusive(Tensor t) => _counts.TryGetValue(t, out int n) && n == 1 && t.Storage.Holders == 1;

        public void Forget(Tensor t) => _counts.Remove(t);
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
