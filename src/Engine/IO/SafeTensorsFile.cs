using System.Diagnostics.CodeAnalysis;

namespace RawGan.Engine.IO;

/// <summary>
/// The contents of a safetensors file: named tensors (in header order) and the string metadata.
/// Disposing it disposes every tensor.
/// </summary>
public sealed class SafeTensorsFile : IReadOnlyDictionary<string, Tensor>, IDisposable
{
    private readonly Dictionary<string, Tensor> _tensors;

    internal SafeTensorsFile(string source, Dictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        SourceName = source;
        _tensors = tensors;
        Metadata = metadata;
    }

    /// <summary>The path (or stream description) the contents came from.</summary>
    public string SourceName { get; }

    /// <summary>The <c>__metadata__</c> strings (empty when the file has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The tensor called <paramref name="name"/>; the exception for a missing name lists those present.</summary>
    public Tensor this[string name] => _tensors.TryGetValue(name, out var t)
        ? t
        : throw new KeyNotFoundException($"{SourceName} has no tensor \"{name}\"; it has {_tensors.Count}: {string.Join(", ", _tensors.Keys.Take(20))}{(_tensors.Count > 20 ? ", ..." : "")}.");

    /// <inheritdoc/>
    public IEnumerable<string> Keys => _tensors.Keys;

    /// <inheritdoc/>
    public IEnumerable<Tensor> Values => _tensors.Values;

    /// <inheritdoc/>
    public int Count => _tensors.Count;

    /// <inheritdoc/>
    public bool ContainsKey(string key) => _tensors.ContainsKey(key);

    /// <inheritdoc/>
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out Tensor value) => _tensors.TryGetValue(key, out value);

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, Tensor>> GetEnumerator() => _tensors.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Disposes every tensor.</summary>
    public void Dispose()
    {
        foreach (var t in _tensors.Values) t.Dispose();
    }
}
