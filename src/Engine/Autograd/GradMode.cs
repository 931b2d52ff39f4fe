namespace RawGan.Engine.Autograd;

/// <summary>Whether ops record themselves for autograd on the current thread.</summary>
public static class GradMode
{
    [ThreadStatic] private static int _disabledDepth;

    /// <summary>True unless inside a <see cref="Disable"/> scope.</summary>
    public static bool IsEnabled => _disabledDepth == 0;

    /// <summary>Turns recording off until the returned scope is disposed (sampling, EMA, power iteration).</summary>
    public static NoGradScope Disable()
    {
        _disabledDepth++;
        return new NoGradScope();
    }

    /// <summary>Ends a <see cref="Disable"/> scope.</summary>
    public readonly struct NoGradScope : IDisposable
    {
        /// <inheritdoc/>
        public void Dispose() => _disabledDepth--;
    }
}
