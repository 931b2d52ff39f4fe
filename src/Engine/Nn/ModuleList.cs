namespace RawGan.Engine.Nn;

/// <summary>
/// An ordered list of child modules named "0", "1", ... as PyTorch's nn.ModuleList, so that parameter paths
/// ("blocks.3.1.gamma") match checkpoints written by PyTorch models built the same way.
/// </summary>
public sealed class ModuleList : Module
{
    private readonly List<Module> _items = [];

    /// <summary>Number of modules.</summary>
    public int Count => _items.Count;

    /// <summary>The module at <paramref name="index"/>.</summary>
    public Module this[int index] => _items[index];

    /// <summary>Appends a module under the next index and returns it.</summary>
    public T Add<T>(T module) where T : Module
    {
        Child(_items.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), module);
        _items.Add(module);
        return module;
    }
}
