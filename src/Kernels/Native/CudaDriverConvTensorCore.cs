using System.Runtime.InteropServices;

namespace RawGan.Kernels.Native;

// The driver call the tensor-core convolution needs beyond the rest of the engine: raising a kernel's dynamic shared
// memory limit past the default 48 KB (its pipelines use 64 to 96 KB). (Its autotune also asks whether the stream is
// being captured into a CUDA graph, which a capture must not see: cuStreamIsCapturing, bound with the graph calls.)
internal static partial class CudaDriver
{
    // CUfunction_attribute: the most dynamic shared memory a launch of the function may ask for.
    public const int FuncAttrMaxDynamicSharedSizeBytes = 8;

    [LibraryImport(Lib)] public static partial int cuFuncSetAttribute(IntPtr function, int attribute, int value);
}
