namespace RawGan.Engine;

/// <summary>
/// Frees the temporaries of a unit of work (a training step, a sampling batch) deterministically: every tensor
/// created on this thread while the scope is open is disposed when it closes, except those passed to
/// <see cref="Keep"/> (and leaf gradients, which <see cref="Tensor.Backward(bool)"/> keeps). On a GPU this returns the
/// step's device memory to the caching pool at once instead of waiting for the garbage collector.
/// Scopes nest; a kept tensor moves to the enclosing scope, if any.
/// </summary>
public sealed class TensorScope : IDisposable
{
    [ThreadStatic] private static TensorScope? _current;

    private readonly TensorScope? _parent;
    private readonly List<Tensor> _owned = [];
    private readonly HashSet<Tensor> _kept = new(ReferenceEqualityComparer.Instance);
    private bool _disposed;

    /// <summary>Opens a scope on the calling thread.</summary>
    public TensorScope()
    {
        _parent = _current;
        _current = this;
    }

    /// <summary>Number of tensors the scope will dispose (diagnostics and tests).</summary>
    public int Count => _owned.Count - _kept.Count;

    internal static void Register(Tensor t) => _current?._owned.Add(t);

    /// <summary>Whether <paramref name="t"/> was created inside this scope (and is not a tensor of an outer one).</summary>
    internal bool Owns(Tensor t) => _owned.Contains(t);

    /// <summary>Keeps a tensor alive past the innermost open scope (it moves to the enclosing one); returns it.</summary>
    public static Tensor Keep(Tensor t)
    {
        var scope = _current;
        if (scope is not null && scope._kept.Add(t)) scope._parent?._owned.Add(t);
        return t;
    }

    /// <summary>Disposes every tensor created inside the scope and not kept.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        if (!ReferenceEquals(_current, this))
            throw new InvalidOperationException("TensorScopes must be disposed in the reverse order they were opened, on the thread that opened them.");
        _disposed = true;
        _current = _parent;
        foreach (var t in _owned)
        {
            if (!_kept.Contains(t)) t.Dispose();
        }
        _owned.Clear();
    }
}
