using System.Collections.Concurrent;
using RawGan.Engine;
using RawGan.Kernels.Native;

namespace RawGan.Kernels.Cuda;

// TF32 and bfloat16 convolutions on our tensor-core kernels (kernels-cu/conv_tc.cu), by executing a
// ConvTensorCorePlan: its temporaries come from the stream-ordered pool (every element is written by the plan's
// launches, so nothing relies on zero-filled memory) and go back to it after the launches are queued.
public sealed partial class CudaBackend
{
    private readonly ConcurrentDictionary<KernelEntry, int> _sharedLimits = new(ReferenceEqualityComparer.Instance);

    /// <summary>Forces a tensor-core tile variant for every TF32 or bfloat16 convolution (tests, benchmarks); null: the algorithm chooses.</summary>
    internal TensorCoreTile? ForcedTensorCoreTile { get; set; }

    /// <summary>
    /// The tensor-core tile for a pass with inputs <paramref name="first"/> and <paramref name="second"/> (IBackend order),
    /// or null for the other paths: only TF32 and bfloat16 products that the kernels can index go to tensor cores, by
    /// <see cref="ConvAlgorithm"/> (a forced tile, the shape's default tile, or the autotune).
    /// </summary>
    private TensorCoreTile? TensorCoreTileFor(ConvPass pass, Storage first, Storage second, Storage output, in Conv2dGeometry g, MathMode math)
    {
        bool reduced = first.DType == DType.BFloat16 || (first.DType == DType.Float32 && math == MathMode.Tf32);
        if (!reduced || g.N == 0 || g.C == 0 || g.K == 0 || !ConvTensorCorePlan.Fits(g, first.DType)) return null;
        if (ForcedTensorCoreTile is { } forced) return forced;
        return ConvAlgorithm switch
        {
            ConvAlgorithm.TensorCore => ConvTensorCorePlan.DefaultTile(pass, g, first.DType, Context.MultiprocessorCount),
            ConvAlgorithm.Auto => Autotuned(pass, first, second, output, g, math),
            _ => null,
        };
    }

    /// <summary>The plan of a pass on this device, with the chunk budget bounding the weight gradient's partial products.</summary>
    private ConvTensorCorePlan TensorCorePlan(ConvPass pass, DType inputs, DType output, in Conv2dGeometry g, TensorCoreTile tile) =>
        ConvTensorCorePlan.Build(pass, inputs, output, g, tile, Context.MultiprocessorCount, ConvChunkElements);

    /// <summary>
    /// Runs one pass on tensor cores: <paramref name="first"/> and <paramref name="second"/> are the pass's inputs in
    /// IBackend order (x and w, dy and w, or x and dy).
    /// </summary>
    private void RunTensorCore(ConvPass pass, TensorCoreTile tile, Storage first, Storage second, Storage output, in Conv2dGeometry g)
    {
        var plan = TensorCorePlan(pass, first.DType, output.DType, g, tile);
        var (a, b, c) = pass switch
        {
            ConvPass.Forward => ("x", "w", "y"),
            ConvPass.BackwardData => ("dy", "w", "dx"),
            _ => ("x", "dy", "dw"),
        };
        var buffers = new Dictionary<string, Storage> { [a] = first, [b] = second, [c] = output };
        var temporaries = new List<Storage>();
        try
        {
            foreach (var t in plan.Temporaries)
            {
                var storage = Allocate(t.DType, t.Length);
                temporaries.Add(storage);
                buffers[t.Name] = storage;
            }
            foreach (var launch in plan.Launches)
            {
                if (launch.SharedBytes > 48 * 1024) AllowSharedMemory(launch.Kernel, (int)launch.SharedBytes);
                var args = new KernelArg[launch.Args.Length];
                for (int i = 0; i < args.Length; i++)
                    args[i] = launch.Args[i].Buffer is { } name ? Ptr(buffers[name]) : launch.Args[i].Value;
                Launch(launch.Kernel, launch.Grid, launch.Block, launch.SharedBytes, args);
            }
        }
        finally
        {
            foreach (var t in temporaries) t.Dispose(); // freed in stream order, after the launches that use them
        }
    }

    // Launches asking for more than 48 KB of dynamic shared memory need the function's limit raised first (once).
    private void AllowSharedMemory(KernelEntry kernel, int bytes)
    {
        if (_sharedLimits.TryGetValue(kernel, out int allowed) && allowed >= bytes) return;
        Context.MakeCurrent();
        var function = _modules.Function(kernel);
        int result = CudaDriver.cuFuncSetAttribute(function, CudaDriver.FuncAttrMaxDynamicSharedSizeBytes, bytes);
        if (result != CudaDriver.Success)
            throw new CudaException($"{kernel.Name} needs {bytes} bytes of shared memory per block, which {Context.Name} does not allow: "
                                    + $"cuFuncSetAttribute failed with {result} ({CudaDriver.Describe(result)}). Set {ConvAlgorithmSetting.Variable}=Im2colGemm to avoid it.");
        _sharedLimits[kernel] = bytes;
    }
}
