namespace RawGan.Engine.Autograd;

/// <summary>
/// The record of one op on the tape: its inputs and the function that maps the gradient of its output
/// to gradients of its inputs (null where an input needs none).
/// </summary>
internal sealed class GradNode(string name, Tensor[] inputs, Func<Tensor, Tensor?[]> backward)
{
    public string Name { get; } = name;

    public Tensor[] Inputs { get; } = inputs;

    public Func<Tensor, Tensor?[]> Backward { get; } = backward;

    /// <summary>True once a backward pass ran through this node and freed the graph's tensors (no retainGraph).</summary>
    public bool Consumed { get; set; }
}
