using RawGan.Engine;
using RawGan.Kernels.Cuda;
using RawGan.Kernels.Ops;

namespace RawGan.Tests.Cuda;

/// <summary>
/// Needs no GPU: the launch plans of the tensor-core convolution (what the CUDA backend and tools/kernel-emu both
/// execute) against the kernels' signatures and the shapes' arithmetic, and the committed emulator plans against
/// what the planner builds today.
/// </summary>
public class ConvTensorCorePlanTests
{
    private const int H200Multiprocessors = 132;
    private const long Budget = 32L << 20;

    /// <summary>
    /// The emulator's cases: (N, C, H, W, K, R, S, strideH, strideW, padH, padW), BigGAN-like and odd, small enough to
    /// emulate. Each runs every pass, with the dtypes and tile rotating over the shapes so that every product kernel runs.
    /// </summary>
    internal static readonly int[][] EmulatorShapes =
    [
        [2, 13, 6, 5, 10, 3, 3, 1, 1, 1, 1],   // channels not a multiple of 8, a map smaller than a tile
        [3, 16, 9, 9, 70, 3, 3, 1, 1, 1, 1],   // rows over two 128-row tiles, channels over one 64-column tile
        [2, 40, 4, 4, 24, 1, 1, 1, 1, 0, 0],   // BigGAN's 4x4 1x1 shortcut
        [2, 6, 7, 9, 5, 1, 7, 1, 1, 0, 3],     // Inception's 1x7, padding (0, 3)
        [2, 6, 9, 7, 5, 7, 1, 1, 1, 3, 0],     // and 7x1, padding (3, 0)
        [2, 5, 9, 7, 6, 3, 3, 2, 2, 1, 1],     // stride 2, odd sizes
        [1, 3, 11, 11, 8, 3, 3, 2, 2, 0, 0],   // Inception's stem: 3 channels, stride 2, no padding
        [2, 3, 16, 16, 16, 3, 3, 1, 1, 1, 1],  // BigGAN D's first convolution: 3 channels
        [4, 64, 4, 4, 64, 3, 3, 1, 1, 1, 1],   // BigGAN's 4x4 body: long depth
        [2, 8, 17, 15, 9, 5, 5, 3, 2, 2, 1],   // 5x5, unequal strides and paddings: taps that skip outputs
        [4, 8, 16, 16, 8, 3, 3, 1, 1, 1, 1],   // many positions: the weight gradient splits
    ];

    internal static Conv2dGeometry Geometry(int[] p) => new(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10]);

    /// <summary>Every emulator case's plan, in file order.</summary>
    internal static IEnumerable<ConvTensorCorePlan> EmulatorPlans()
    {
        var combos = (from inputs in new[] { DType.Float32, DType.BFloat16 } from tile in TensorCoreTile.All select (inputs, tile)).ToArray();
        for (int s = 0; s < EmulatorShapes.Length; s++)
        {
            foreach (var pass in Enum.GetValues<ConvPass>())
            {
                var (inputs, tile) = combos[(s + (int)pass) % combos.Length];
                var output = inputs == DType.BFloat16 && s % 2 == 1 ? DType.Float32 : inputs;
                yield return ConvTensorCorePlan.Build(pass, inputs, output, Geometry(EmulatorShapes[s]), tile, H200Multiprocessors, Budget);
            }
        }
    }

    private static string EmulatorPlanFile => Path.Combine(RepoRoot.Path, "tools", "kernel-emu", "conv_tc_plans.txt");

    private static string EmulatorPlanText() =>
        "# Launch plans of the tensor-core convolution for tools/kernel-emu/conv_tc_emu (written by ConvTensorCorePlanTests;\n"
        + "# regenerate with RAWGAN_WRITE_EMU_PLANS=1 dotnet test -- --filter Name~EmulatorPlans).\n"
        + string.Concat(EmulatorPlans().Select(p => p.Describe()));

    [Test]
    public void EmulatorPlansAreCurrent()
    {
        string text = EmulatorPlanText();
        if (Environment.GetEnvironmentVariable("RAWGAN_WRITE_EMU_PLANS") == "1") File.WriteAllText(EmulatorPlanFile, text);
        Assert.That(File.Exists(EmulatorPlanFile) ? File.ReadAllText(EmulatorPlanFile).Replace("\r\n", "\n") : "", Is.EqualTo(text),
            "tools/kernel-emu/conv_tc_plans.txt is stale: regenerate it with RAWGAN_WRITE_EMU_PLANS=1 dotnet test -- --filter Name~EmulatorPlans, then rerun tools/kernel-emu/run.sh.");
    }

    [Test]
    public void EmulatorPlansRunEveryKernel()
    {
        var used = EmulatorPlans().SelectMany(p => p.Launches).Select(l => l.Kernel.Name).ToHashSet();
        var all = ConvTensorCoreKernels.Products.Append(ConvTensorCoreKernels.PackF32).Append(ConvTensorCoreKernels.PackBF16)
            .Append(ConvTensorCoreKernels.SumSplitsF32).Append(ConvTensorCoreKernels.SumSplitsBF16).Select(e => e.Name);
        Assert.That(all.Where(name => !used.Contains(name)), Is.Empty, "kernels no emulator case runs");
        Assert.That(EmulatorPlans().Where(p => p.Pass == ConvPass.BackwardWeight).Max(p => p.Splits), Is.GreaterThan(1), "no case splits the weight gradient");
    }

    private static IEnumerable<ConvTensorCorePlan> BigGanPlans()
    {
        foreach (var g in BigGan128Shapes.All(batch: 64))
            foreach (var pass in Enum.GetValues<ConvPass>())
                foreach (var tile in TensorCoreTile.All)
                    foreach (var (inputs, output) in new[] { (DType.Float32, DType.Float32), (DType.BFloat16, DType.BFloat16), (DType.BFloat16, DType.Float32) })
                        yield return ConvTensorCorePlan.Build(pass, inputs, output, g, tile, H200Multiprocessors, Budget);
    }

    [Test]
    public void EveryLaunchMatchesItsKernelSignatureAndLimits()
    {
        foreach (var plan in BigGanPlans().Concat(EmulatorPlans()))
        {
            var buffers = plan.Temporaries.Select(t => t.Name).Concat(["x", "w", "dy", "y", "dx", "dw"]).ToHashSet();
            foreach (var launch in plan.Launches)
            {
                string what = $"{plan.Pass} {plan.Geometry} {plan.Tile}: {launch.Kernel.Name}";
                Assert.That(launch.Args.Select(a => a.Buffer is null ? PtxParam.U32 : PtxParam.U64), Is.EqualTo(launch.Kernel.Parameters), what);
                Assert.That(launch.Args.Where(a => a.Buffer is not null).Select(a => a.Buffer), Is.SubsetOf(buffers), what);
                Assert.That(launch.Grid, Is.InRange(1u, (uint)int.MaxValue), what);
                Assert.That(launch.SharedBytes, Is.LessThanOrEqualTo(227u * 1024), what);
                if (launch.SharedBytes > 0) Assert.That(launch.Block, Is.EqualTo((uint)plan.Tile.Threads), what);
            }
        }
    }

    [Test]
    public void ProductGridsCoverEveryTileAndSplit()
    {
        foreach (var plan in BigGanPlans().Concat(EmulatorPlans()))
        {
            var (rows, columns) = ConvTensorCorePlan.ProductSize(plan.Pass, plan.Geometry, plan.Inputs);
            long tiles = (rows + plan.Tile.Rows - 1) / plan.Tile.Rows * ((columns + plan.Tile.Columns - 1) / plan.Tile.Columns);
            var product = plan.Launches.Single(l => l.SharedBytes > 0);
            Assert.That(product.Grid, Is.EqualTo(tiles * plan.Splits), $"{plan.Pass} {plan.Geometry} {plan.Tile}");
            if (plan.Pass != ConvPass.BackwardWeight) continue;
            var g = plan.Geometry;
            long positions = (long)g.N * g.OutH * g.OutW;
            int perSplit = product.Args[^1].Value, depth = plan.Inputs == DType.BFloat16 ? 64 : 32;
            Assert.That((long)perSplit * plan.Splits, Is.GreaterThanOrEqualTo(positions), "the splits cover every position");
            Assert.That((long)perSplit * (plan.Splits - 1), Is.LessThan(positions), "no split is empty");
            Assert.That(perSplit % depth, Is.Zero, "each split is whole k-tiles");
            Assert.That(plan.Temporaries.Single(t => t.Name == "partial").Length, Is.LessThanOrEqualTo(Math.Max(Budget, columns * rows)));
        }
    }

    [Test]
    public void PacksPadChannelsToWholeChunks()
    {
        var g = new Conv2dGeometry(2, 3, 5, 7, 10, 3, 3, 1, 1, 1, 1);
        var plan = ConvTensorCorePlan.Build(ConvPass.Forward, DType.BFloat16, DType.BFloat16, g, TensorCoreTile.Small, H200Multiprocessors, Budget);
        Assert.That(plan.Temporaries.Select(t => (t.Name, t.Length)), Is.EqualTo(new[] { ("x_nhwc", 2L * 5 * 7 * 8), ("w_packed", 10L * 9 * 8) }));
        var packX = plan.Launches[0];
        // dst (n, h·w, c < 8) from src n·C·H·W + (h·w) + c·H·W
        Assert.That(packX.Args.Skip(2).Select(a => a.Value), Is.EqualTo(new[] { 35, 3, 8, 3 * 35, 35, 5 }));
        Assert.That(packX.Grid, Is.EqualTo(2u * 2 * 1), "two images, 35 positions in two 32-row tiles, 8 channels in one tile");
    }

    [Test]
    public void DefaultTileFillsTheMultiprocessors()
    {
        var big = new Conv2dGeometry(64, 192, 128, 128, 96, 3, 3, 1, 1, 1, 1);
        Assert.That(ConvTensorCorePlan.DefaultTile(ConvPass.Forward, big, DType.BFloat16, H200Multiprocessors), Is.EqualTo(TensorCoreTile.Large));
        var small = new Conv2dGeometry(8, 1536, 4, 4, 1536, 3, 3, 1, 1, 1, 1);  // 128 positions x 1536 channels
        Assert.That(ConvTensorCorePlan.DefaultTile(ConvPass.Forward, small, DType.BFloat16, H200Multiprocessors), Is.EqualTo(TensorCoreTile.Small));
    }

    [Test]
    public void ShapesBeyond32BitOffsetsDoNotFit()
    {
        Assert.That(ConvTensorCorePlan.Fits(new Conv2dGeometry(64, 192, 128, 128, 96, 3, 3, 1, 1, 1, 1), DType.Float32), Is.True);
        Assert.That(ConvTensorCorePlan.Fits(new Conv2dGeometry(1024, 256, 128, 128, 96, 3, 3, 1, 1, 1, 1), DType.Float32), Is.False);
        Assert.That(ConvTensorCorePlan.Fits(new Conv2dGeometry(1, 1, 40000, 1, 1, 1, 1, 1, 1, 0, 0), DType.Float32), Is.False, "a side past 2^15");
        Assert.Throws<NotSupportedException>(() => ConvTensorCorePlan.Build(ConvPass.Forward, DType.Float32, DType.Float32,
            new Conv2dGeometry(1024, 256, 128, 128, 96, 3, 3, 1, 1, 1, 1), TensorCoreTile.Large, H200Multiprocessors, Budget));
    }
}
