namespace RawGan.Engine.Autograd;

/// <summary>
/// Tells a listener when a backward pass has finished a leaf's gradient: the moment its <see cref="Tensor.Grad"/>
/// holds every contribution of that pass. Data-parallel training uses it to start all-reducing a bucket of
/// gradients while the rest of the backward pass still runs. Per thread; off unless a listener is installed.
/// </summary>
public static class GradientReady
{
    [ThreadStatic] private static Action<Tensor>? _listener;

    /// <summary>Calls <paramref name="listener"/> with each finished leaf of this thread's backward passes until the scope is disposed.</summary>
    public static Scope Listen(Action<Tensor> listener)
    {
        if (_listener is not null) throw new InvalidOperationException("A gradient listener is already installed on this thread.");
        _listener = listener;
        return new Scope();
    }

    /// <summary>Called by the tape once a leaf's gradient is complete.</summary>
    internal static void Finished(Tensor leaf) => _listener?.Invoke(leaf);

    /// <summary>Ends a <see cref="Listen"/> scope.</summary>
    public readonly struct Scope : IDisposable
    {
        /// <inheritdoc/>
        public void Dispose() => _listener = null;
    }
}
