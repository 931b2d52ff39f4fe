using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using RawGan.Kernels.Native;

namespace RawGan.Tests.Cuda;

/// <summary>
/// Needs no GPU, only the CUDA headers and a C++ compiler: every [LibraryImport] binding of the driver, cuBLAS and
/// cuRAND is checked against the C declaration of the symbol it binds. The test writes one static_assert per parameter
/// (how it is passed: pointer, integer or floating point, and its size, which is what the x86-64 calling convention
/// sees), the parameter count and the return type, then compiles the file. A binding that would corrupt the call on a
/// GPU machine fails here. Ignored (with the reason) where the headers or a compiler are missing.
/// </summary>
public class NativeBindingSignatureTests
{
    private static readonly string[] HeaderFolders = ["/usr/include", "/usr/local/cuda/include"];
    private static readonly string[] Compilers = ["clang++-14", "clang++", "g++"];

    // cuBLAS adds C++-only inline overloads of a few functions; a cast to the exported function's type picks it (and
    // fails to compile if that type ever changes).
    private static readonly Dictionary<string, string> Overloaded = new()
    {
        ["cublasGemmEx"] = "cublasStatus_t (*)(cublasHandle_t, cublasOperation_t, cublasOperation_t, int, int, int, const void*, const void*, " +
                           "cudaDataType, int, const void*, cudaDataType, int, const void*, void*, cudaDataType, int, cublasComputeType_t, cublasGemmAlgo_t)",
        ["cublasGemmStridedBatchedEx"] = "cublasStatus_t (*)(cublasHandle_t, cublasOperation_t, cublasOperation_t, int, int, int, const void*, const void*, " +
                                         "cudaDataType, int, long long, const void*, cudaDataType, int, long long, const void*, void*, cudaDataType, int, " +
                                         "long long, int, cublasComputeType_t, cublasGemmAlgo_t)",
    };

    [Test]
    public void EveryBindingMatchesItsCDeclaration()
    {
        var include = HeaderFolders.FirstOrDefault(d => File.Exists(Path.Combine(d, "cuda.h")) && File.Exists(Path.Combine(d, "cublas_v2.h")) && File.Exists(Path.Combine(d, "curand.h")));
        if (include is null) Assert.Ignore("No cuda.h, cublas_v2.h and curand.h (install the CUDA toolkit, e.g. Debian's nvidia-cuda-toolkit).");
        var compiler = Compilers.FirstOrDefault(OnPath);
        if (compiler is null) Assert.Ignore("No C++ compiler (clang++ or g++) to check the bindings with.");

        var bindings = Bindings().ToList();
        Assert.That(bindings.Select(b => b.Symbol), Does.Contain("cuStreamBeginCapture_v2").And.Contain("cuMemHostAlloc").And.Contain("cublasSetWorkspace_v2"));
        string source = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"bindings-{Guid.NewGuid():N}.cpp");
        File.WriteAllText(source, Program(bindings));
        try
        {
            string noErrorLimit = compiler.StartsWith("clang", StringComparison.Ordinal) ? "-ferror-limit=0" : "-fmax-errors=0";
            var (exit, output) = Run(compiler, $"-std=c++17 -fsyntax-only {noErrorLimit} -I{include} -x c++ {source}");
            Assert.That(exit, Is.Zero, $"{bindings.Count} bindings checked with {compiler} against {include}:\n{output}");
        }
        finally
        {
            File.Delete(source);
        }
    }

    private sealed record Binding(string Symbol, string Declaration, string[] ParameterKinds, string ReturnKind);

    private static IEnumerable<Binding> Bindings()
    {
        foreach (var type in new[] { typeof(CudaDriver), typeof(CuBlas), typeof(CuRand) })
        {
            foreach (var method in type.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic))
            {
                if (method.GetCustomAttribute<LibraryImportAttribute>() is not { } import) continue;
                yield return new Binding(import.EntryPoint ?? method.Name, $"{type.Name}.{method.Name}",
                    [.. method.GetParameters().Select(p => Kind(p.ParameterType))], Kind(method.ReturnType));
            }
        }
    }

    // How the C# type is passed: allowed C kinds (p pointer, i integer or enum, f floating) and the size in bytes.
    private static string Kind(Type t) =>
        t.IsByRef || t.IsPointer || t == typeof(string) ? "p 8"
        : t == typeof(IntPtr) || t == typeof(UIntPtr) || t == typeof(long) || t == typeof(ulong) ? "pi 8" // handles, device pointers, size_t
        : t == typeof(int) || t == typeof(uint) ? "i 4"
        : t == typeof(byte) || t == typeof(sbyte) ? "i 1"
        : t == typeof(float) ? "f 4"
        : t == typeof(double) ? "f 8"
        : throw new AssertionException($"No C mapping for a {t.Name} parameter; extend {nameof(NativeBindingSignatureTests)}.");

    private static string Program(List<Binding> bindings)
    {
        var s = new StringBuilder("""
            #include <cuda.h>
            #include <cublas_v2.h>
            #include <curand.h>
            #include <tuple>
            #include <type_traits>
            template <class T> constexpr char kind_of() {
              return std::is_pointer<T>::value ? 'p' : std::is_floating_point<T>::value ? 'f' : (std::is_integral<T>::value || std::is_enum<T>::value) ? 'i' : '?';
            }
            template <class T> constexpr bool passes_as(const char* kinds, unsigned long size) {
              for (const char* k = kinds; *k; ++k) if (*k == kind_of<T>()) return sizeof(T) == size;
              return false;
            }
            template <class F> struct sig;
            template <class R, class... A> struct sig<R (*)(A...)> {
              static constexpr int arity = sizeof...(A);
              using ret = R;
              template <int I> using arg = typename std::tuple_element<I, std::tuple<A...>>::type;
            };

            """);
        foreach (var b in bindings)
        {
            string f = Overloaded.TryGetValue(b.Symbol, out var exported) ? $"decltype(static_cast<{exported}>(&{b.Symbol}))" : $"decltype(&{b.Symbol})";
            s.AppendLine($"static_assert(sig<{f}>::arity == {b.ParameterKinds.Length}, \"{b.Declaration} ({b.Symbol}): {b.ParameterKinds.Length} parameters in the binding\");");
            for (int i = 0; i < b.ParameterKinds.Length; i++)
            {
                var (kinds, size) = Split(b.ParameterKinds[i]);
                s.AppendLine($"static_assert(passes_as<sig<{f}>::arg<{i}>>(\"{kinds}\", {size}), \"{b.Declaration} ({b.Symbol}): parameter {i} is passed as '{kinds}' of {size} bytes in the binding\");");
            }
            var (rk, rs) = Split(b.ReturnKind);
            s.AppendLine($"static_assert(passes_as<sig<{f}>::ret>(\"{rk}\", {rs}), \"{b.Declaration} ({b.Symbol}): return type\");");
        }
        return s.ToString();
    }

    private static (string Kinds, int Size) Split(string kind)
    {
        var parts = kind.Split(' ');
        return (parts[0], int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(d => File.Exists(Path.Combine(d, program)));

    private static (int Exit, string Output) Run(string program, string arguments)
    {
        using var p = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        string stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result + stderr);
    }
}
