namespace RawGan.Engine.Nn;

/// <summary>
/// A building block with named parameters, buffers and child modules, as in PyTorch: names are dotted paths
/// ("blocks.0.conv1.weight") so checkpoints have stable names. Parameters require grad; buffers (running
/// statistics, spectral-norm vectors) are state without gradients. Training/eval mode propagates to children.
/// </summary>
public abstract class Module
{
    private readonly List<(string Name, Tensor Tensor)> _parameters = [];
    private readonly List<(string Name, Tensor Tensor)> _buffers = [];
    private readonly List<(string Name, Module Module)> _children = [];

    /// <summary>True in training mode (batch statistics, spectral-norm u updates); false in eval mode.</summary>
    public bool Training { get; private set; } = true;

    /// <summary>Registers a parameter (marked as requiring grad) and returns it.</summary>
    protected Tensor Parameter(string name, Tensor value)
    {
        CheckName(name);
        value.RequiresGrad = true;
        _parameters.Add((name, value));
        return value;
    }

    /// <summary>Registers a buffer (state without gradient) and returns it.</summary>
    protected Tensor Buffer(string name, Tensor value)
    {
        CheckName(name);
        _buffers.Add((name, value));
        return value;
    }

    /// <summary>Registers a child module and returns it.</summary>
    protected T Child<T>(string name, T module) where T : Module
    {
        CheckName(name);
        _children.Add((name, module));
        return module;
    }

    /// <summary>Sets training (true) or eval (false) mode on this module and every descendant.</summary>
    public Module Train(bool training = true)
    {
        Training = training;
        foreach (var (_, c) in _children) c.Train(training);
        return this;
    }

    /// <summary>Eval mode: running statistics, no spectral-norm updates.</summary>
    public Module Eval() => Train(false);

    /// <summary>Every parameter with its dotted name, depth first in registration order.</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> NamedParameters(string prefix = "")
    {
        foreach (var (n, t) in _parameters) yield return new(prefix + n, t);
        foreach (var (n, c) in _children)
            foreach (var kv in c.NamedParameters(prefix + n + ".")) yield return kv;
    }

    /// <summary>Every buffer with its dotted name.</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> NamedBuffers(string prefix = "")
    {
        foreach (var (n, t) in _buffers) yield return new(prefix + n, t);
        foreach (var (n, c) in _children)
            foreach (var kv in c.NamedBuffers(prefix + n + ".")) yield return kv;
    }

    /// <summary>Every direct child with its name.</summary>
    public IEnumerable<KeyValuePair<string, Module>> NamedChildren() => _children.Select(c => new KeyValuePair<string, Module>(c.Name, c.Module));

    /// <summary>Parameters then buffers: everything a checkpoint stores for this module.</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> StateDict(string prefix = "") => NamedParameters(prefix).Concat(NamedBuffers(prefix));

    /// <summary>Number of parameter elements (buffers excluded), as PyTorch counts them.</summary>
    public long ParameterCount => NamedParameters().Sum(p => p.Value.Numel);

    /// <summary>
    /// Copies values into this module's parameters and buffers by name. Every name must be present with the same
    /// shape; extra entries are an error unless <paramref name="strict"/> is false.
    /// </summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, string prefix = "", bool strict = true)
    {
        var own = StateDict(prefix).ToList();
        var missing = own.Where(kv => !state.ContainsKey(kv.Key)).Select(kv => kv.Key).ToList();
        if (missing.Count > 0)
            throw new KeyNotFoundException($"The state lacks {missing.Count} entr{(missing.Count == 1 ? "y" : "ies")}: {string.Join(", ", missing.Take(8))}{(missing.Count > 8 ? ", ..." : "")}.");
        if (strict)
        {
            var names = own.Select(kv => kv.Key).ToHashSet();
            var extra = state.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal) && !names.Contains(k)).ToList();
            if (extra.Count > 0) throw new ArgumentException($"The state has entries this module does not: {string.Join(", ", extra.Take(8))}.");
        }
        foreach (var (name, target) in own)
        {
            var source = state[name];
            if (source.Shape != target.Shape)
                throw new ArgumentException($"{name}: the state holds shape {source.Shape}, the module expects {target.Shape}.");
            var value = source.ToDType(target.DType).To(target.Device);
            var strides = target.Shape.ContiguousStrides();
            target.Backend.StridedCopy(value.Storage, 0, strides, target.Storage, 0, strides, target.Shape.AsSpan());
        }
    }

    internal void RegisterSpectralNormBuffers(SpectralNormState state)
    {
        Buffer("u0", state.U);
        Buffer("sv0", state.Sigma);
    }

    private void CheckName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.', StringComparison.Ordinal))
            throw new ArgumentException($"Module member names must be non-empty and contain no '.', got \"{name}\".", nameof(name));
        if (_parameters.Any(p => p.Name == name) || _buffers.Any(b => b.Name == name) || _children.Any(c => c.Name == name))
            throw new ArgumentException($"{GetType().Name} already has a member named \"{name}\".", nameof(name));
    }
}
