namespace RawGan.Kernels.Native;

/// <summary>A CUDA driver, cuBLAS or cuRAND call failed; the message names the call, the code and CUDA's own text.</summary>
public sealed class CudaException : Exception
{
    /// <summary>Creates an exception for a failed call.</summary>
    public CudaException(string call, int code, string description)
        : base($"{call} failed with {code} ({description}).")
    {
        Call = call;
        Code = code;
    }

    /// <summary>Creates an exception with a plain message.</summary>
    public CudaException(string message) : base(message) => Call = "";

    /// <summary>Creates an exception with a plain message and a cause.</summary>
    public CudaException(string message, Exception inner) : base(message, inner) => Call = "";

    /// <summary>Creates an exception with no detail.</summary>
    public CudaException() : base("A CUDA call failed.") => Call = "";

    /// <summary>The library function that failed.</summary>
    public string Call { get; }

    /// <summary>The status code it returned.</summary>
    public int Code { get; }
}
