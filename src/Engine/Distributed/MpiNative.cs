using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RawGan.Engine.Distributed;

/// <summary>
/// [LibraryImport] bindings for the MPI calls RawGan needs, against OpenMPI's ABI (libmpi.so.40, OpenMPI 3 and 4).
/// OpenMPI's handles are pointers: MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM, ... are the addresses of exported globals
/// (ompi_mpi_comm_world, ompi_mpi_float, ompi_mpi_op_sum, ...), not integer constants as in MPICH, so they are looked
/// up with <see cref="NativeLibrary.GetExport"/>. The library is opened with RTLD_GLOBAL: OpenMPI's plugins
/// (mca_pml_ob1.so, ...) resolve libmpi's symbols from the global namespace, as mpi4py also arranges.
/// </summary>
internal static unsafe partial class MpiNative
{
    private const string Lib = "rawgan-mpi";
    private static readonly string[] Sonames = ["libmpi.so.40", "libmpi.so"];
    private static readonly Lazy<IntPtr> Handle = new(Open);

    public const int Success = 0;
    public const int ThreadSerialized = 2;
    public static readonly IntPtr InPlace = 1;

    [LibraryImport(Lib)] public static partial int MPI_Init_thread(int* argc, byte*** argv, int required, out int provided);
    [LibraryImport(Lib)] public static partial int MPI_Initialized(out int flag);
    [LibraryImport(Lib)] public static partial int MPI_Finalized(out int flag);
    [LibraryImport(Lib)] public static partial int MPI_Finalize();
    [LibraryImport(Lib)] public static partial int MPI_Abort(IntPtr comm, int errorCode);
    [LibraryImport(Lib)] public static partial int MPI_Comm_rank(IntPtr comm, out int rank);
    [LibraryImport(Lib)] public static partial int MPI_Comm_size(IntPtr comm, out int size);
    [LibraryImport(Lib)] public static partial int MPI_Comm_set_errhandler(IntPtr comm, IntPtr errorHandler);
    [LibraryImport(Lib)] public static partial int MPI_Allreduce(void* send, void* receive, int count, IntPtr datatype, IntPtr op, IntPtr comm);
    [LibraryImport(Lib)] public static partial int MPI_Bcast(void* buffer, int count, IntPtr datatype, int root, IntPtr comm);
    [LibraryImport(Lib)] public static partial int MPI_Allgather(void* send, int sendCount, IntPtr sendType, void* receive, int receiveCount, IntPtr receiveType, IntPtr comm);
    [LibraryImport(Lib)] public static partial int MPI_Barrier(IntPtr comm);
    [LibraryImport(Lib)] public static partial int MPI_Error_string(int errorCode, byte* text, out int length);

    /// <summary>MPI_COMM_WORLD.</summary>
    public static IntPtr CommWorld => Global("ompi_mpi_comm_world");

    /// <summary>MPI_ERRORS_RETURN: failing calls return their code instead of aborting the job.</summary>
    public static IntPtr ErrorsReturn => Global("ompi_mpi_errors_return");

    /// <summary>MPI_SUM.</summary>
    public static IntPtr Sum => Global("ompi_mpi_op_sum");

    /// <summary>The MPI datatype of a dtype: MPI_FLOAT, MPI_DOUBLE or MPI_INT.</summary>
    public static IntPtr Datatype(DType dtype) => Global(dtype switch
    {
        DType.Float32 => "ompi_mpi_float",
        DType.Float64 => "ompi_mpi_double",
        DType.Int32 => "ompi_mpi_int",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "MPI collectives move Float32, Float64 or Int32."),
    });

    /// <summary>True when libmpi.so.40 loads on this machine.</summary>
    public static bool IsAvailable()
    {
        try
        {
            return Handle.Value != IntPtr.Zero;
        }
        catch (DllNotFoundException)
        {
            return false;
        }
    }

    /// <summary>Throws an <see cref="InvalidOperationException"/> naming the MPI call and MPI's text for the code.</summary>
    public static void Check(int result, [CallerArgumentExpression(nameof(result))] string call = "")
    {
        if (result == Success) return;
        int paren = call.IndexOf('(', StringComparison.Ordinal);
        throw new InvalidOperationException($"{(paren > 0 ? call[..paren] : call)} failed with MPI error {result}: {Describe(result)}.");
    }

    private static string Describe(int code)
    {
        byte* text = stackalloc byte[512]; // MPI_MAX_ERROR_STRING is 256 in OpenMPI
        return MPI_Error_string(code, text, out int length) == Success ? Marshal.PtrToStringUTF8((IntPtr)text, length) : "unknown error";
    }

    private static IntPtr Global(string name) =>
        NativeLibrary.TryGetExport(Handle.Value, name, out var address)
            ? address
            : throw new DllNotFoundException($"The MPI library has no symbol {name}: RawGan binds OpenMPI's ABI (libmpi.so.40); install OpenMPI (Debian: openmpi-bin, libopenmpi-dev).");

    private static IntPtr Open()
    {
        foreach (var name in Sonames)
        {
            var handle = dlopen(name, RtldNow | RtldGlobal);
            if (handle != IntPtr.Zero)
            {
                NativeLibrary.SetDllImportResolver(typeof(MpiNative).Assembly, Resolve);
                return handle;
            }
        }
        throw new DllNotFoundException($"None of {string.Join(", ", Sonames)} could be loaded: install OpenMPI (Debian: openmpi-bin, libopenmpi-dev) to train on several processes.");
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) =>
        libraryName == Lib ? Handle.Value : IntPtr.Zero;

    private const int RtldNow = 2;
    private const int RtldGlobal = 0x100;

    [LibraryImport("libc.so.6", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr dlopen(string file, int mode);
}
