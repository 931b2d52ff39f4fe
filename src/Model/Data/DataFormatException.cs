namespace RawGan.Model.Data;

/// <summary>A data file that is missing, corrupt, truncated or not in the expected format; the message names the file.</summary>
public sealed class DataFormatException : Exception
{
    /// <summary>Creates the exception for <paramref name="path"/>; the message starts with the path.</summary>
    public DataFormatException(string path, string problem, Exception? inner = null)
        : base($"{path}: {problem}", inner)
    {
        SourcePath = path;
        Problem = problem;
    }

    /// <summary>The file (or folder) at fault.</summary>
    public string SourcePath { get; }

    /// <summary>What is wrong, without the path.</summary>
    public string Problem { get; }
}
