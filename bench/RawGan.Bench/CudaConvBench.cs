using BenchmarkDotNet.Attributes;
using RawGan.Engine;
using RawGan.Kernels.Cuda;

namespace RawGan.Bench;

/// <summary>
/// Our tensor-core convolution (kernels-cu/conv_tc.cu) on BigGAN-128's convolutions at its training batch (64), in
/// TF32 and bfloat16 (bfloat16 output): forward, data gradient and weight gradient, each synchronised so that the time
/// is the GPU's. Cases are "cuda/&lt;shape&gt;/&lt;tf32|bf16&gt;"; bench/torch_baseline.py times the same passes in
/// cuDNN in the same precision (--only conv128). The setup runs each pass once under ConvAlgorithm.Auto, whose
/// one-line log (in the benchmark output) gives every tile variant's time and im2col + cuBLAS's; the benchmark then
/// times the fastest tensor-core tile, so each row is our kernels against cuDNN. Needs a GPU (skipped without one).
/// </summary>
[Config(typeof(CudaBenchConfig))]
public class CudaConvBench
{
    /// <summary>
    /// Seven shapes (a fit for tools/gpu-check.sh's time budget), by the layers they come from (G's blocks 0–4
    /// upsample 4→128, D's blocks downsample 128→4): G's 3x3 convolutions at 8x8 (1536 channels), 32x32 and 128x128
    /// (each 174–348 GFLOP a pass, as every 3x3 body convolution of BigGAN-128), the largest 1x1 shortcut, D's first
    /// convolution (3 input channels), D's 96-channel one at 128x128, and D's last (4x4).
    /// </summary>
    public static readonly IReadOnlyList<(string Name, Conv2dGeometry Geometry)> Shapes =
    [
        ("G0.conv1 1536-1536 8x8", new(64, 1536, 8, 8, 1536, 3, 3, 1, 1, 1, 1)),
        ("G2.conv1 768-384 32x32", new(64, 768, 32, 32, 384, 3, 3, 1, 1, 1, 1)),
        ("G4.conv1 192-96 128x128", new(64, 192, 128, 128, 96, 3, 3, 1, 1, 1, 1)),
        ("G4.conv_sc 192-96 128x128 1x1", new(64, 192, 128, 128, 96, 1, 1, 1, 1, 0, 0)),
        ("D0.conv1 3-96 128x128", new(64, 3, 128, 128, 96, 3, 3, 1, 1, 1, 1)),
        ("D0.conv2 96-96 128x128", new(64, 96, 128, 128, 96, 3, 3, 1, 1, 1, 1)),
        ("D5.conv1 1536-1536 4x4", new(64, 1536, 4, 4, 1536, 3, 3, 1, 1, 1, 1)),
    ];

    private CudaBackend _gpu = null!;
    private Conv2dGeometry _g;
    private MathMode _math;
    private readonly Dictionary<ConvPass, TensorCoreTile> _tiles = [];
    private Storage _x = null!, _w = null!, _y = null!, _dy = null!, _dx = null!, _dw = null!;

    /// <summary>"cuda/&lt;shape&gt;/&lt;precision&gt;".</summary>
    [ParamsSource(nameof(Cases))]
    public string Case { get; set; } = "";

    /// <summary>Every shape in TF32 and bfloat16.</summary>
    public static IEnumerable<string> Cases() => from s in Shapes from p in new[] { "tf32", "bf16" } select $"cuda/{s.Name}/{p}";

    /// <summary>Operands on the GPU, then one autotuned call of each pass to find its fastest tensor-core tile.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _gpu = (CudaBackend)BenchCases.Open(Case).Backend;
        var parts = Case.Split('/');
        _g = Shapes.Single(s => s.Name == parts[1]).Geometry;
        var dtype = parts[2] == "bf16" ? DType.BFloat16 : DType.Float32;
        _math = dtype == DType.Float32 ? MathMode.Tf32 : MathMode.Exact;
        var g = _g;
        long xLen = (long)g.N * g.C * g.H * g.W, wLen = (long)g.K * g.C * g.R * g.S, yLen = (long)g.N * g.K * g.OutH * g.OutW;
        (_x, _w, _dy) = (BenchData.Uniform(_gpu, xLen, 1, dtype), BenchData.Uniform(_gpu, wLen, 2, dtype), BenchData.Uniform(_gpu, yLen, 3, dtype));
        (_y, _dx, _dw) = (_gpu.Allocate(dtype, yLen), _gpu.Allocate(dtype, xLen), _gpu.Allocate(dtype, wLen));
        _gpu.ConvAlgorithm = ConvAlgorithm.Auto;
        _gpu.ForcedTensorCoreTile = null;
        _gpu.Conv2dForward(_x, _w, _y, g, _math);
        _gpu.Conv2dBackwardData(_dy, _w, _dx, g, _math);
        _gpu.Conv2dBackwardWeight(_x, _dy, _dw, g, _math);
        foreach (var pass in Enum.GetValues<ConvPass>())
        {
            var choice = _gpu.ConvChoices[new ConvChoiceKey(pass, dtype, dtype, g)];
            string fastest = choice.Timings.Where(t => t.Candidate != ConvChoice.NameOf(null)).MinBy(t => t.Milliseconds).Candidate;
            _tiles[pass] = TensorCoreTile.All.Single(t => ConvChoice.NameOf(t) == fastest);
        }
    }

    /// <summary>Frees the operands and restores the backend's algorithm.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _gpu.ForcedTensorCoreTile = null;
        _gpu.ConvAlgorithm = ConvAlgorithmSetting.Default;
        BenchData.Free(_x, _w, _y, _dy, _dx, _dw);
    }

    /// <summary>y = conv(x, w).</summary>
    [Benchmark]
    public void Forward() => Run(ConvPass.Forward, () => _gpu.Conv2dForward(_x, _w, _y, _g, _math));

    /// <summary>dx from dy and w.</summary>
    [Benchmark]
    public void BackwardData() => Run(ConvPass.BackwardData, () => _gpu.Conv2dBackwardData(_dy, _w, _dx, _g, _math));

    /// <summary>dw from x and dy.</summary>
    [Benchmark]
    public void BackwardWeight() => Run(ConvPass.BackwardWeight, () => _gpu.Conv2dBackwardWeight(_x, _dy, _dw, _g, _math));

    private void Run(ConvPass pass, Action convolution)
    {
        _gpu.ForcedTensorCoreTile = _tiles[pass];
        convolution();
        _gpu.Synchronize();
    }
}
