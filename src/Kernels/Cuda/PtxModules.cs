using System.Collections.Concurrent;
using System.Reflection;
using System.Text;
using RawGan.Kernels.Native;

namespace RawGan.Kernels.Cuda;

/// <summary>
/// The committed PTX files, embedded in this assembly, loaded into a context on first use; functions are
/// looked up once per entry and cached.
/// </summary>
internal sealed class PtxModules : IDisposable
{
    private readonly CudaContext _context;
    private readonly ConcurrentDictionary<string, IntPtr> _modules = new();
    private readonly ConcurrentDictionary<KernelEntry, IntPtr> _functions = new(ReferenceEqualityComparer.Instance);

    public PtxModules(CudaContext context) => _context = context;

    /// <summary>The PTX text of a module, from the embedded resources.</summary>
    public static string Source(string module)
    {
        var asm = typeof(PtxModules).Assembly;
        using var stream = asm.GetManifestResourceStream(ResourceName(module))
            ?? throw new CudaException($"No embedded PTX for module '{module}'. Run 'dotnet pwsh build.ps1 kernels' and rebuild.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>Names of every embedded PTX module.</summary>
    public static IEnumerable<string> ModuleNames(Assembly? asm = null) =>
        (asm ?? typeof(PtxModules).Assembly).GetManifestResourceNames()
            .Where(n => n.StartsWith("Ptx/", StringComparison.Ordinal) && n.EndsWith(".ptx", StringComparison.Ordinal))
            .Select(n => n["Ptx/".Length..^".ptx".Length]);

    private static string ResourceName(string module) => $"Ptx/{module}.ptx";

    public IntPtr Function(KernelEntry entry) => _functions.GetOrAdd(entry, e =>
    {
        var module = _modules.GetOrAdd(e.Module, Load);
        _context.MakeCurrent();
        CudaDriver.Check(CudaDriver.cuModuleGetFunction(out var f, module, e.Name));
        return f;
    });

    private unsafe IntPtr Load(string module)
    {
        _context.MakeCurrent();
        var ptx = Encoding.UTF8.GetBytes(Source(module) + "\0"); // the driver wants NUL-terminated PTX
        const int logSize = 8192;
        var log = new byte[logSize];
        fixed (byte* image = ptx)
        fixed (byte* logPtr = log)
        {
            int* options = stackalloc int[2] { CudaDriver.JitErrorLogBuffer, CudaDriver.JitErrorLogBufferSizeBytes };
            void** values = stackalloc void*[2] { logPtr, (void*)logSize };
            int result = CudaDriver.cuModuleLoadDataEx(out var handle, image, 2, options, values);
            if (result != CudaDriver.Success)
            {
                var text = Encoding.UTF8.GetString(log).TrimEnd('\0').Trim();
                throw new CudaException($"Loading PTX module '{module}' failed with {result} ({CudaDriver.Describe(result)}). JIT log: {text}");
            }
            return handle;
        }
    }

    public void Dispose()
    {
        _context.MakeCurrent();
        foreach (var m in _modules.Values) CudaDriver.cuModuleUnload(m);
        _modules.Clear();
        _functions.Clear();
    }
}
