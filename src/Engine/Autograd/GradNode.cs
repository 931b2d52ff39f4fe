using RawGan.Engine.Profiling;

namespace RawGan.Engine.Autograd;

/// <summary>
/// The record of one op on the tape: its inputs, the function that maps the gradient of its output
/// to gradients of its inputs (null where an input needs none), and the work that function's own kernels do
/// (for the profiler; ops the backward calls declare their own).
/// </summary>
internal sealed class GradNode(string name, Tensor[] inputs, Func<Tensor, Tensor?[]> backward, OpCost backwardCost)
{
    public string Name { get; } = name;

    public OpCost BackwardCost { get; } = backwardCost;

    public Tensor[] Inputs { get; } = inputs;

    public Func<Tensor, Tensor?[]> Backward { get; } = backward;

    /// <summary>True once a backward pass ran through this node and freed the graph's tensors (no retainGraph).</summary>
    public bool Consumed { get; set; }
}
