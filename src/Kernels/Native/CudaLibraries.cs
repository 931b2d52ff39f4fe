using System.Reflection;
using System.Runtime.InteropServices;

namespace RawGan.Kernels.Native;

/// <summary>
/// Finds the CUDA libraries by probing their versioned sonames: a machine with only the driver and the
/// CUDA runtime packages has no unversioned <c>libcublas.so</c> links (DESIGN.md 3a). NCCL is often installed only
/// inside PyTorch's wheel (site-packages/nvidia/nccl/lib/libnccl.so.2), so it is also looked for there and at
/// <c>$RAWGAN_NCCL</c> (a file path).
/// </summary>
internal static class CudaLibraries
{
    public const string Driver = "rawgan-cuda";
    public const string CuBlas = "rawgan-cublas";
    public const string CuRand = "rawgan-curand";
    public const string Nccl = "rawgan-nccl";

    private static readonly Dictionary<string, string[]> Candidates = new()
    {
        [Driver] = ["libcuda.so.1", "libcuda.so", "nvcuda.dll"],
        [CuBlas] = ["libcublas.so.13", "libcublas.so.12", "libcublas.so.11", "libcublas.so", "cublas64_13.dll", "cublas64_12.dll", "cublas64_11.dll"],
        [CuRand] = ["libcurand.so.10", "libcurand.so", "curand64_10.dll"],
        [Nccl] = [.. NcclPaths()],
    };

    private static readonly Dictionary<string, string> Loaded = [];
    private static int _installed;

    /// <summary>Installs the resolver for this assembly's [LibraryImport]s (idempotent).</summary>
    public static void EnsureResolver()
    {
        if (Interlocked.Exchange(ref _installed, 1) == 1) return;
        NativeLibrary.SetDllImportResolver(typeof(CudaLibraries).Assembly, Resolve);
    }

    /// <summary>The soname that was loaded for a library key, for reports; null when none loaded yet.</summary>
    public static string? LoadedName(string key)
    {
        lock (Loaded) return Loaded.GetValueOrDefault(key);
    }

    /// <summary>True when one of the library's sonames loads on this machine.</summary>
    public static bool TryLoad(string key, out string? loadedAs)
    {
        foreach (var name in Candidates[key])
        {
            if (NativeLibrary.TryLoad(name, out var handle))
            {
                NativeLibrary.Free(handle);
                loadedAs = name;
                return true;
            }
        }
        loadedAs = null;
        return false;
    }

    // $RAWGAN_NCCL, the sonames on the loader's path, then PyTorch's wheel under the usual Python prefixes.
    private static IEnumerable<string> NcclPaths()
    {
        if (Environment.GetEnvironmentVariable("RAWGAN_NCCL") is { Length: > 0 } explicitPath) yield return explicitPath;
        yield return "libnccl.so.2";
        yield return "libnccl.so";
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        string?[] prefixes = [Environment.GetEnvironmentVariable("VIRTUAL_ENV"), Environment.GetEnvironmentVariable("CONDA_PREFIX"), "/usr/local", "/usr", "/opt/conda", Path.Combine(home, ".local")];
        foreach (var prefix in prefixes)
        {
            string lib = Path.Combine(prefix ?? "", "lib");
            if (prefix is null || !Directory.Exists(lib)) continue;
            foreach (var python in Directory.EnumerateDirectories(lib, "python3*").Order(StringComparer.Ordinal))
            {
                foreach (var packages in new[] { "site-packages", "dist-packages" })
                {
                    string path = Path.Combine(python, packages, "nvidia", "nccl", "lib", "libnccl.so.2");
                    if (File.Exists(path)) yield return path;
                }
            }
        }
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (!Candidates.TryGetValue(libraryName, out var names)) return IntPtr.Zero;
        foreach (var name in names)
        {
            if (NativeLibrary.TryLoad(name, assembly, searchPath, out var handle))
            {
                lock (Loaded) Loaded[libraryName] = name;
                return handle;
            }
        }
        throw new DllNotFoundException(libraryName == Nccl
            ? $"NCCL could not be loaded (tried {string.Join(", ", names)}). Install NCCL (libnccl2) or PyTorch with CUDA (its wheel carries " +
              "libnccl.so.2), or set RAWGAN_NCCL to the library's path; --comm mpi moves GPU tensors through MPI instead."
            : $"None of {string.Join(", ", names)} could be loaded. Install the NVIDIA driver (libcuda) and the CUDA " +
              "libraries (cuBLAS, cuRAND), or run on the CPU (the default when no GPU is present).");
    }
}
