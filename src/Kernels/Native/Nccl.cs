using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RawGan.Kernels.Native;

/// <summary>
/// [LibraryImport] bindings for the NCCL calls data-parallel training needs (nccl.h of NCCL 2.x; the library
/// links the CUDA runtime statically and works on the current device's primary context, the one
/// <see cref="Cuda.CudaContext"/> uses). Collectives are enqueued on a CUDA stream and return at once.
/// </summary>
internal static unsafe partial class Nccl
{
    private const string Lib = CudaLibraries.Nccl;

    public const int Success = 0;

    // ncclRedOp_t and ncclDataType_t values used here.
    public const int Sum = 0;
    public const int Int32 = 2;
    public const int Float32 = 7;
    public const int Float64 = 8;

    /// <summary>ncclUniqueId: 128 opaque bytes that rank 0 makes and every rank passes to ncclCommInitRank.</summary>
    public struct UniqueId
    {
        public const int Bytes = 128;
        public fixed byte Internal[Bytes];
    }

    [LibraryImport(Lib)] public static partial int ncclGetVersion(out int version);
    [LibraryImport(Lib)] public static partial int ncclGetUniqueId(out UniqueId id);
    [LibraryImport(Lib)] public static partial int ncclCommInitRank(out IntPtr comm, int ranks, UniqueId id, int rank);
    [LibraryImport(Lib)] public static partial int ncclCommDestroy(IntPtr comm);
    [LibraryImport(Lib)] public static partial IntPtr ncclGetErrorString(int result);

    [LibraryImport(Lib)]
    public static partial int ncclAllReduce(ulong send, ulong receive, nuint count, int datatype, int op, IntPtr comm, IntPtr stream);

    [LibraryImport(Lib)]
    public static partial int ncclBroadcast(ulong send, ulong receive, nuint count, int datatype, int root, IntPtr comm, IntPtr stream);

    [LibraryImport(Lib)]
    public static partial int ncclAllGather(ulong send, ulong receive, nuint sendCount, int datatype, IntPtr comm, IntPtr stream);

    /// <summary>Throws a <see cref="CudaException"/> naming the NCCL call and NCCL's text for the result.</summary>
    public static void Check(int result, [CallerArgumentExpression(nameof(result))] string call = "")
    {
        if (result != Success) throw new CudaException(CudaDriver.CallName(call), result, Marshal.PtrToStringUTF8(ncclGetErrorString(result)) ?? "unknown NCCL error");
    }
}
