using RawGan.Engine;
using RawGan.Kernels.Cuda;
using RawGan.Kernels.Native;

namespace RawGan.Tests.Cuda;

using Ops = RawGan.Engine.Ops;

/// <summary>
/// The tensor-core convolution (kernels-cu/conv_tc.cu) on the GPU against the CPU reference of TF32 and bfloat16
/// products (CpuReducedPrecision.cs), every pass and tile variant, on BigGAN-128's convolutions at batch 4 and on odd
/// shapes; then the algorithm choice (autotune, forced, graph capture). Tolerances as ReducedPrecisionCudaTests:
/// TF32 2e-3, bfloat16 inputs with a float32 output 1e-4, a bfloat16 output 2^-7 (norm-wise relative). Outputs
/// start as NaN, so an element a kernel never writes fails the comparison.
/// </summary>
public class ConvTensorCoreCudaTests : CudaTestBase
{
    private const double Float32OutputTolerance = 1e-4, BFloat16OutputTolerance = 1.0 / 128, Tf32Tolerance = 2e-3;

    private static readonly (DType Inputs, DType Output, double Tolerance, string Name)[] Precisions =
    [
        (DType.Float32, DType.Float32, Tf32Tolerance, "TF32"),
        (DType.BFloat16, DType.Float32, Float32OutputTolerance, "bf16→f32"),
        (DType.BFloat16, DType.BFloat16, BFloat16OutputTolerance, "bf16"),
    ];

    private static IEnumerable<TestCaseData> Cases(IEnumerable<Conv2dGeometry> shapes) =>
        from g in shapes
        from p in Precisions
        select new TestCaseData(p.Inputs, p.Output, p.Tolerance, g).SetName($"{{m}}({p.Name} {g})");

    private static IEnumerable<TestCaseData> BigGanCases() => Cases(BigGan128Shapes.All(batch: 4));

    private static IEnumerable<TestCaseData> OddCases() => Cases(ConvTensorCorePlanTests.EmulatorShapes.Select(ConvTensorCorePlanTests.Geometry).Concat(
    [
        new Conv2dGeometry(3, 35, 17, 17, 33, 1, 7, 1, 1, 0, 3),   // Inception's 1x7 at 17x17, channels past a chunk
        new Conv2dGeometry(2, 32, 35, 35, 48, 3, 3, 2, 2, 0, 0),   // Inception's stride-2 reduction
        new Conv2dGeometry(8, 1536, 4, 4, 1536, 3, 3, 1, 1, 1, 1), // BigGAN D's last block at batch 8: long depth, few rows
        new Conv2dGeometry(5, 130, 9, 11, 260, 3, 3, 1, 1, 1, 1),  // odd everything, several tiles each way
    ]));

    [TestCaseSource(nameof(BigGanCases))]
    [TestCaseSource(nameof(OddCases))]
    public void EveryPassAndTileMatchesTheCpuReference(DType inputs, DType output, double tolerance, Conv2dGeometry g)
    {
        var rng = Seeded(out _);
        var math = inputs == DType.Float32 ? MathMode.Tf32 : MathMode.Exact;
        var (x, gx) = Pair([g.N, g.C, g.H, g.W], inputs, rng);
        var (w, gw) = Pair([g.K, g.C, g.R, g.S], inputs, rng);
        var (dy, gdy) = Pair([g.N, g.K, g.OutH, g.OutW], inputs, rng);
        var cpu = x.Backend;
        var y = Tensor.Zeros(dy.Shape, output);
        var dx = Tensor.Zeros(x.Shape, output);
        var dw = Tensor.Zeros(w.Shape, output);
        cpu.Conv2dForward(x.Storage, w.Storage, y.Storage, g, math);
        cpu.Conv2dBackwardData(dy.Storage, w.Storage, dx.Storage, g, math);
        cpu.Conv2dBackwardWeight(x.Storage, dy.Storage, dw.Storage, g, math);
        foreach (var tile in TensorCoreTile.All)
        {
            With(ConvAlgorithm.Auto, tile, (gpu, _) =>
            {
                Compare($"forward {tile}", y, output, tolerance, o => gpu.Conv2dForward(gx.Storage, gw.Storage, o, g, math));
                Compare($"backward data {tile}", dx, output, tolerance, o => gpu.Conv2dBackwardData(gdy.Storage, gw.Storage, o, g, math));
                Compare($"backward weight {tile}", dw, output, tolerance, o => gpu.Conv2dBackwardWeight(gx.Storage, gdy.Storage, o, g, math));
            });
        }
    }

    // Runs one GPU pass into a NaN-filled output and compares it with the CPU's; a kernel fault surfaces here named.
    private static void Compare(string what, Tensor expected, DType output, double tolerance, Action<Storage> pass)
    {
        var actual = Tensor.Full(expected.Shape, double.NaN, output, Gpu);
        try
        {
            pass(actual.Storage);
            ((CudaBackend)Gpu.Backend).Synchronize();
        }
        catch (CudaException e)
        {
            throw new CudaException($"{what}: {e.Message}", e);
        }
        AssertClose(actual, expected, what, tolerance);
    }

    // Runs body with the backend's algorithm and forced tile set and its autotune lines collected, then restores them.
    private static void With(ConvAlgorithm algorithm, TensorCoreTile? tile, Action<CudaBackend, List<string>> body)
    {
        var backend = (CudaBackend)Gpu.Backend;
        var saved = (backend.ConvAlgorithm, backend.ForcedTensorCoreTile, backend.ConvLog);
        var lines = new List<string>();
        try
        {
            (backend.ConvAlgorithm, backend.ForcedTensorCoreTile, backend.ConvLog) = (algorithm, tile, lines.Add);
            body(backend, lines);
        }
        finally
        {
            (backend.ConvAlgorithm, backend.ForcedTensorCoreTile, backend.ConvLog) = saved;
        }
    }

    [Test]
    public void WeightGradientSplitsSumInAFixedOrder()
    {
        // Many positions and a small product: the plan splits; two runs must agree bit for bit.
        var g = new Conv2dGeometry(8, 24, 32, 32, 20, 3, 3, 1, 1, 1, 1);
        var rng = Seeded(out _);
        var (_, gx) = Pair([g.N, g.C, g.H, g.W], DType.BFloat16, rng);
        var (_, gdy) = Pair([g.N, g.K, g.OutH, g.OutW], DType.BFloat16, rng);
        With(ConvAlgorithm.Auto, TensorCoreTile.Small, (gpu, _) =>
        {
            var first = Tensor.Zeros([g.K, g.C, g.R, g.S], DType.Float32, Gpu);
            var second = Tensor.Zeros([g.K, g.C, g.R, g.S], DType.Float32, Gpu);
            gpu.Conv2dBackwardWeight(gx.Storage, gdy.Storage, first.Storage, g, MathMode.Exact);
            gpu.Conv2dBackwardWeight(gx.Storage, gdy.Storage, second.Storage, g, MathMode.Exact);
            Assert.That(second.ToArray<float>(), Is.EqualTo(first.ToArray<float>()));
        });
    }

    [Test]
    public void AutotuneChoosesOncePerShapeAndLogsOneLine()
    {
        var g = new Conv2dGeometry(4, 96, 16, 16, 80, 3, 3, 1, 1, 1, 1);
        var rng = Seeded(out _);
        var (x, gx) = Pair([g.N, g.C, g.H, g.W], DType.BFloat16, rng);
        var (w, gw) = Pair([g.K, g.C, g.R, g.S], DType.BFloat16, rng);
        var y = Tensor.Zeros([g.N, g.K, g.OutH, g.OutW], DType.BFloat16);
        x.Backend.Conv2dForward(x.Storage, w.Storage, y.Storage, g, MathMode.Exact);
        var key = new ConvChoiceKey(ConvPass.Forward, DType.BFloat16, DType.BFloat16, g);
        With(ConvAlgorithm.Auto, null, (gpu, lines) =>
        {
            for (int call = 0; call < 2; call++)
                Compare($"autotuned forward, call {call}", y, DType.BFloat16, BFloat16OutputTolerance,
                        o => gpu.Conv2dForward(gx.Storage, gw.Storage, o, g, MathMode.Exact));
            Assert.That(gpu.ConvChoices.ContainsKey(key), Is.True);
            Assert.That(lines.Count(l => l.Contains(key.ToString(), StringComparison.Ordinal)), Is.EqualTo(1), string.Join("\n", lines));
            Assert.That(gpu.ConvChoices[key].Timings, Has.Count.EqualTo(TensorCoreTile.All.Count + 1));
            TestContext.Out.WriteLine(lines.Last());
        });
    }

    [Test]
    public void ExactConvolutionsAreNeverTuned()
    {
        var g = new Conv2dGeometry(2, 8, 9, 9, 8, 3, 3, 1, 1, 1, 1);
        var rng = Seeded(out _);
        var (_, gx) = Pair([g.N, g.C, g.H, g.W], DType.Float32, rng);
        var (_, gw) = Pair([g.K, g.C, g.R, g.S], DType.Float32, rng);
        With(ConvAlgorithm.Auto, null, (gpu, lines) =>
        {
            var y = Tensor.Zeros([g.N, g.K, g.OutH, g.OutW], DType.Float32, Gpu);
            gpu.Conv2dForward(gx.Storage, gw.Storage, y.Storage, g, MathMode.Exact);
            Assert.That(gpu.ConvChoices.Keys.Where(k => k.Geometry == g), Is.Empty);
            Assert.That(lines, Is.Empty);
        });
    }

    [Test]
    public void AGraphCaptureUsesTheDefaultTileWithoutTuning()
    {
        var g = new Conv2dGeometry(3, 40, 12, 12, 56, 3, 3, 1, 1, 1, 1);
        var rng = Seeded(out _);
        var (x, gx) = Pair([g.N, g.C, g.H, g.W], DType.Float32, rng);
        var (w, gw) = Pair([g.K, g.C, g.R, g.S], DType.Float32, rng);
        var expected = Tensor.Zeros([g.N, g.K, g.OutH, g.OutW], DType.Float32);
        x.Backend.Conv2dForward(x.Storage, w.Storage, expected.Storage, g, MathMode.Tf32);
        var y = Tensor.Full(expected.Shape, double.NaN, DType.Float32, Gpu);
        // An eager run first (module loaded, shared-memory limits raised), untuned: TensorCore takes the default tile.
        With(ConvAlgorithm.TensorCore, null, (gpu, _) => gpu.Conv2dForward(gx.Storage, gw.Storage, y.Storage, g, MathMode.Tf32));
        With(ConvAlgorithm.Auto, null, (gpu, lines) =>
        {
            gpu.Fill(y.Storage, double.NaN);
            gpu.Synchronize();
            var stream = gpu.Context.Stream;
            CudaDriver.Check(CudaDriver.cuStreamBeginCapture(stream, 0));
            gpu.Conv2dForward(gx.Storage, gw.Storage, y.Storage, g, MathMode.Tf32);
            CudaDriver.Check(CudaDriver.cuStreamEndCapture(stream, out var graph));
            CudaDriver.Check(CudaDriver.cuGraphInstantiate(out var exec, graph, 0));
            CudaDriver.Check(CudaDriver.cuGraphLaunch(exec, stream));
            gpu.Synchronize();
            CudaDriver.Check(CudaDriver.cuGraphExecDestroy(exec));
            CudaDriver.Check(CudaDriver.cuGraphDestroy(graph));
            Assert.That(lines, Is.Empty, "no autotune inside a capture");
            Assert.That(gpu.ConvChoices.Keys.Where(k => k.Geometry == g), Is.Empty, "nothing cached from a capture");
            AssertClose(y, expected, "forward replayed from a CUDA graph", Tf32Tolerance);
        });
    }

    [Test]
    public void AutocastTf32ConvolutionAndGradientsMatchTheCpu([Values(ConvAlgorithm.Auto, ConvAlgorithm.TensorCore)] ConvAlgorithm algorithm)
    {
        var rng = Seeded(out _);
        With(algorithm, null, (_, _) =>
        {
            using var policy = Autocast.Enable(Precision.Tf32);
            var (x, gx) = Pair([4, 48, 16, 16], DType.Float32, rng);
            var (w, gw) = Pair([64, 48, 3, 3], DType.Float32, rng);
            var (dy, gdy) = Pair([4, 64, 16, 16], DType.Float32, rng);
            x.RequiresGrad = gx.RequiresGrad = w.RequiresGrad = gw.RequiresGrad = true;
            var y = Ops.Conv2d(x, w, null, 1, 1);
            var gy = Ops.Conv2d(gx, gw, null, 1, 1);
            AssertClose(gy, y, "forward", Tf32Tolerance);
            y.Backward(dy);
            gy.Backward(gdy);
            AssertClose(gx.Grad!, x.Grad!, "dx", Tf32Tolerance);
            AssertClose(gw.Grad!, w.Grad!, "dw", Tf32Tolerance);
        });
    }
}
