namespace RawGan.Engine.IO;

/// <summary>
/// A safetensors file (or stream) that cannot be read: truncated, malformed header, unsupported dtype,
/// inconsistent sizes or offsets. The message names the file and the problem.
/// </summary>
public sealed class SafeTensorsException : IOException
{
    /// <summary>Creates the exception for <paramref name="source"/> (a path, or a description of a stream).</summary>
    public SafeTensorsException(string source, string problem, Exception? inner = null)
        : base($"{source}: {problem}", inner)
    {
        SourceName = source;
        Problem = problem;
    }

    /// <summary>The file path, or a description of the stream, that failed to load.</summary>
    public string SourceName { get; }

    /// <summary>What is wrong, without the source name.</summary>
    public string Problem { get; }
}
