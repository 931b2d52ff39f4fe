using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RawGan.Kernels.Native;

/// <summary>
/// [LibraryImport] bindings for the part of the CUDA driver API the engine uses. Versioned symbols (_v2) are
/// bound explicitly: the unversioned names are still exported with the old ABI (DESIGN.md 3a). Handles are
/// opaque pointers; device pointers are 64-bit integers (CUdeviceptr).
/// </summary>
internal static partial class CudaDriver
{
    private const string Lib = CudaLibraries.Driver;

    public const int Success = 0;
    public const int ErrorNoDevice = 100;

    // CUdevice_attribute values used by the engine.
    public const int AttrMaxThreadsPerBlock = 1;
    public const int AttrMultiprocessorCount = 16;
    public const int AttrComputeCapabilityMajor = 75;
    public const int AttrComputeCapabilityMinor = 76;
    public const int AttrMemoryPoolsSupported = 115;

    // CUjit_option: the JIT error log buffer and its size, so a PTX load failure says why.
    public const int JitErrorLogBuffer = 5;
    public const int JitErrorLogBufferSizeBytes = 6;

    // CUmemPool_attribute: the release threshold; at its maximum the pool behaves like a caching allocator.
    public const int MemPoolAttrReleaseThreshold = 4;

    // CUresult of cuEventQuery while the work before the event is still running.
    public const int ErrorNotReady = 600;

    // CUevent_flags: no timing data, the cheapest event to record and query.
    public const uint EventDisableTiming = 2;

    // CUstreamCaptureMode: only the capturing thread is barred from unsafe calls (the data loader's thread may wait on events).
    public const int StreamCaptureModeThreadLocal = 1;

    // CUstreamCaptureStatus: a capture that an error invalidated (its graph cannot be used).
    public const int StreamCaptureStatusInvalidated = 2;

    [LibraryImport(Lib)] public static partial int cuInit(uint flags);
    [LibraryImport(Lib)] public static partial int cuDriverGetVersion(out int version);
    [LibraryImport(Lib)] public static partial int cuDeviceGetCount(out int count);
    [LibraryImport(Lib)] public static partial int cuDeviceGet(out int device, int ordinal);
    [LibraryImport(Lib)] public static unsafe partial int cuDeviceGetName(byte* name, int len, int device);
    [LibraryImport(Lib)] public static partial int cuDeviceGetAttribute(out int value, int attribute, int device);
    [LibraryImport(Lib, EntryPoint = "cuDeviceTotalMem_v2")] public static partial int cuDeviceTotalMem(out nuint bytes, int device);

    [LibraryImport(Lib)] public static partial int cuDevicePrimaryCtxRetain(out IntPtr context, int device);
    [LibraryImport(Lib, EntryPoint = "cuDevicePrimaryCtxRelease_v2")] public static partial int cuDevicePrimaryCtxRelease(int device);
    [LibraryImport(Lib)] public static partial int cuCtxSetCurrent(IntPtr context);
    [LibraryImport(Lib)] public static partial int cuCtxSynchronize();

    [LibraryImport(Lib)] public static partial int cuStreamCreate(out IntPtr stream, uint flags);
    [LibraryImport(Lib, EntryPoint = "cuStreamDestroy_v2")] public static partial int cuStreamDestroy(IntPtr stream);
    [LibraryImport(Lib)] public static partial int cuStreamSynchronize(IntPtr stream);
    [LibraryImport(Lib, EntryPoint = "cuStreamBeginCapture_v2")] public static partial int cuStreamBeginCapture(IntPtr stream, int mode);
    [LibraryImport(Lib)] public static partial int cuStreamEndCapture(IntPtr stream, out IntPtr graph);
    [LibraryImport(Lib)] public static partial int cuStreamIsCapturing(IntPtr stream, out int status);
    [LibraryImport(Lib, EntryPoint = "cuGraphInstantiateWithFlags")] public static partial int cuGraphInstantiate(out IntPtr graphExec, IntPtr graph, ulong flags);
    [LibraryImport(Lib)] public static partial int cuGraphLaunch(IntPtr graphExec, IntPtr stream);
    [LibraryImport(Lib)] public static partial int cuGraphExecDestroy(IntPtr graphExec);
    [LibraryImport(Lib)] public static partial int cuGraphDestroy(IntPtr graph);

    [LibraryImport(Lib)] public static partial int cuEventCreate(out IntPtr evt, uint flags);
    [LibraryImport(Lib, EntryPoint = "cuEventDestroy_v2")] public static partial int cuEventDestroy(IntPtr evt);
    [LibraryImport(Lib)] public static partial int cuEventRecord(IntPtr evt, IntPtr stream);
    [LibraryImport(Lib)] public static partial int cuEventSynchronize(IntPtr evt);
    [LibraryImport(Lib)] public static partial int cuEventQuery(IntPtr evt);
    [LibraryImport(Lib)] public static partial int cuEventElapsedTime(out float milliseconds, IntPtr start, IntPtr end);

    [LibraryImport(Lib)] public static unsafe partial int cuModuleLoadDataEx(out IntPtr module, byte* image, uint numOptions, int* options, void** optionValues);
    [LibraryImport(Lib)] public static partial int cuModuleUnload(IntPtr module);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] public static partial int cuModuleGetFunction(out IntPtr function, IntPtr module, string name);
    [LibraryImport(Lib)]
    public static unsafe partial int cuLaunchKernel(IntPtr function, uint gridX, uint gridY, uint gridZ, uint blockX, uint blockY, uint blockZ,
                                                    uint sharedMemBytes, IntPtr stream, void** kernelParams, void** extra);

    [LibraryImport(Lib)] public static partial int cuDeviceGetDefaultMemPool(out IntPtr pool, int device);
    [LibraryImport(Lib)] public static unsafe partial int cuMemPoolSetAttribute(IntPtr pool, int attribute, void* value);
    [LibraryImport(Lib, EntryPoint = "cuMemAlloc_v2")] public static partial int cuMemAlloc(out ulong devicePtr, nuint bytes);
    [LibraryImport(Lib, EntryPoint = "cuMemFree_v2")] public static partial int cuMemFree(ulong devicePtr);
    [LibraryImport(Lib)] public static partial int cuMemHostAlloc(out IntPtr hostPtr, nuint bytes, uint flags);
    [LibraryImport(Lib)] public static partial int cuMemFreeHost(IntPtr hostPtr);
    [LibraryImport(Lib)] public static partial int cuMemAllocAsync(out ulong devicePtr, nuint bytes, IntPtr stream);
    [LibraryImport(Lib)] public static partial int cuMemFreeAsync(ulong devicePtr, IntPtr stream);
    [LibraryImport(Lib, EntryPoint = "cuMemcpyHtoDAsync_v2")] public static unsafe partial int cuMemcpyHtoDAsync(ulong dst, void* src, nuint bytes, IntPtr stream);
    [LibraryImport(Lib, EntryPoint = "cuMemcpyDtoHAsync_v2")] public static unsafe partial int cuMemcpyDtoHAsync(void* dst, ulong src, nuint bytes, IntPtr stream);
    [LibraryImport(Lib, EntryPoint = "cuMemcpyDtoDAsync_v2")] public static partial int cuMemcpyDtoDAsync(ulong dst, ulong src, nuint bytes, IntPtr stream);
    [LibraryImport(Lib, EntryPoint = "cuMemsetD32Async")] public static partial int cuMemsetD32Async(ulong dst, uint value, nuint count, IntPtr stream);
    [LibraryImport(Lib, EntryPoint = "cuMemsetD8Async")] public static partial int cuMemsetD8Async(ulong dst, byte value, nuint count, IntPtr stream);

    [LibraryImport(Lib)] public static unsafe partial int cuGetErrorName(int error, byte** name);
    [LibraryImport(Lib)] public static unsafe partial int cuGetErrorString(int error, byte** text);

    /// <summary>Throws a <see cref="CudaException"/> naming the call, the code and the driver's text for it.</summary>
    public static void Check(int result, [CallerArgumentExpression(nameof(result))] string call = "")
    {
        if (result != Success) throw new CudaException(CallName(call), result, Describe(result));
    }

    /// <summary>The driver's name and description of a status code ("CUDA_ERROR_NO_DEVICE: no CUDA-capable device is detected").</summary>
    public static unsafe string Describe(int result)
    {
        try
        {
            byte* name = null, text = null;
            cuGetErrorName(result, &name);
            cuGetErrorString(result, &text);
            var n = name is null ? "unknown" : Marshal.PtrToStringUTF8((IntPtr)name);
            var t = text is null ? "" : Marshal.PtrToStringUTF8((IntPtr)text);
            return string.IsNullOrEmpty(t) ? $"{n}" : $"{n}: {t}";
        }
        catch (DllNotFoundException)
        {
            return "driver library not loaded";
        }
    }

    /// <summary>The function name of a call expression such as "cuInit(0)".</summary>
    internal static string CallName(string expression)
    {
        int paren = expression.IndexOf('(', StringComparison.Ordinal);
        var name = paren > 0 ? expression[..paren] : expression;
        int dot = name.LastIndexOf('.');
        return dot >= 0 ? name[(dot + 1)..] : name;
    }
}
