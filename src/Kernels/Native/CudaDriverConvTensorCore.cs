using System.Runtime.InteropServices;

namespace RawGan.Kernels.Native;

// The driver calls the tensor-core convolution needs beyond the rest of the engine: raising a kernel's dynamic shared
// memory limit past the default 48 KB (its pipelines use 64 to 96 KB), and asking whether the stream is being captured
// into a CUDA graph (the convolution autotune times kernels, which a capture must not see).
internal static partial class CudaDriver
{
    // CUfunction_attribute: the most dynamic shared memory a launch of the function may ask for.
    public const int FuncAttrMaxDynamicSharedSizeBytes = 8;

    [LibraryImport(Lib)] public static partial int cuFuncSetAttribute(IntPtr function, int attribute, int value);
    [LibraryImport(Lib)] public static partial int cuStreamIsCapturing(IntPtr stream, out int status);
}
