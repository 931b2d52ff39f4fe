using System.Globalization;
using System.Text;
using RawGan.Engine;
using RawGan.Kernels.Ops;

namespace RawGan.Kernels.Cuda;

/// <summary>A temporary of a plan: a name, a dtype and a length in elements.</summary>
internal sealed record PlanBuffer(string Name, DType DType, long Length);

/// <summary>A kernel argument of a plan: a buffer's address (operand or temporary, by name) or a 32-bit integer.</summary>
internal readonly record struct PlanArg(string? Buffer, int Value)
{
    public static implicit operator PlanArg(int value) => new(null, value);

    public static PlanArg Of(string buffer) => new(buffer, 0);

    public override string ToString() => Buffer is null ? Value.ToString(CultureInfo.InvariantCulture) : "@" + Buffer;
}

/// <summary>One launch of a plan.</summary>
internal sealed record PlanLaunch(KernelEntry Kernel, uint Grid, uint Block, uint SharedBytes, PlanArg[] Args);

/// <summary>
/// The launches of one tensor-core convolution pass (kernels-cu/conv_tc.cu), computed from the geometry alone: pack
/// the operands into temporaries (activations NCHW → NHWC, weights to a k-contiguous order, channels zero-padded to
/// whole 16-byte chunks; float32 rounded to TF32), run the tile variant's product, and for the weight gradient sum
/// the split partial products in a fixed order. The operands are named as the pass's parameters ("x", "w", "dy", and
/// the output "y", "dx" or "dw"). <see cref="CudaBackend"/> executes plans; tools/kernel-emu executes the same plans,
/// written to tools/kernel-emu/conv_tc_plans.txt by <see cref="Describe"/> (a CPU test keeps that file current).
/// </summary>
internal sealed class ConvTensorCorePlan
{
    // Each split of the weight gradient covers at least this many k-tiles of positions.
    private const int MinTilesPerSplit = 4;

    private ConvTensorCorePlan(ConvPass pass, DType inputs, DType output, Conv2dGeometry g, TensorCoreTile tile, int splits,
                               List<PlanBuffer> temporaries, List<PlanLaunch> launches)
    {
        (Pass, Inputs, Output, Geometry, Tile, Splits, Temporaries, Launches) = (pass, inputs, output, g, tile, splits, temporaries, launches);
    }

    public ConvPass Pass { get; }
    public DType Inputs { get; }
    public DType Output { get; }
    public Conv2dGeometry Geometry { get; }
    public TensorCoreTile Tile { get; }

    /// <summary>Splits of the weight gradient's positions (1 for the other passes).</summary>
    public int Splits { get; }

    public IReadOnlyList<PlanBuffer> Temporaries { get; }
    public IReadOnlyList<PlanLaunch> Launches { get; }

    /// <summary>Elements per 16-byte chunk: 4 float32, 8 bfloat16. Channels are padded to a multiple of it.</summary>
    public static int Vector(DType inputs) => inputs == DType.BFloat16 ? 8 : 4;

    /// <summary>
    /// Whether the kernels can index <paramref name="g"/>: every packed tensor and the product's rows below 2^31 elements
    /// (32-bit offsets), and padded image sides below 2^15 (receptive-field origins are kept as 16-bit pairs).
    /// </summary>
    public static bool Fits(in Conv2dGeometry g, DType inputs)
    {
        int v = Vector(inputs);
        long cp = Pad(g.C, v), kp = Pad(g.K, v);
        long[] sizes = [(long)g.N * g.H * g.W * cp, (long)g.N * g.OutH * g.OutW * kp, (long)g.K * g.R * g.S * cp, (long)g.C * g.R * g.S * kp];
        return sizes.All(s => s < int.MaxValue) && g.H + 2L * g.PadH + g.R < short.MaxValue && g.W + 2L * g.PadW + g.S < short.MaxValue
               && (long)g.OutH * g.StrideH + g.R < short.MaxValue && (long)g.OutW * g.StrideW + g.S < short.MaxValue;
    }

    /// <summary>The plan of one pass; <paramref name="budget"/> bounds the weight gradient's partial products (elements).</summary>
    public static ConvTensorCorePlan Build(ConvPass pass, DType inputs, DType output, in Conv2dGeometry g, TensorCoreTile tile,
                                           int multiprocessors, long budget)
    {
        if (!Fits(g, inputs)) throw new NotSupportedException($"Conv2d {g}: too large for the tensor-core kernels' 32-bit offsets.");
        if (output != inputs && !(inputs == DType.BFloat16 && output == DType.Float32))
            throw new ArgumentException($"{inputs} inputs cannot write a {output} output.");
        int v = Vector(inputs), cp = Pad(g.C, v), kp = Pad(g.K, v), rs = g.R * g.S, hw = g.H * g.W, ohw = g.OutH * g.OutW;
        var temporaries = new List<PlanBuffer>();
        var launches = new List<PlanLaunch>();
        var pack = ConvTensorCoreKernels.Pack(inputs);
        void Temporary(string name, DType dtype, long length) => temporaries.Add(new(name, dtype, length));
        // dst[i0][i1][i2 < d2p] = src[i0·s0 + i1 + i2·s2] (zero past d2)
        void Pack(string src, string dst, int d0, int d1, int d2, int d2p, int s0, int s2)
        {
            int log2T1 = Math.Min(5, (int)Math.Ceiling(Math.Log2(Math.Max(1, d1))));
            long blocks = (long)d0 * ((d1 + (1 << log2T1) - 1) >> log2T1) * ((d2p + (1 << (10 - log2T1)) - 1) >> (10 - log2T1));
            launches.Add(new(pack, Grid(blocks), 256, 0, [PlanArg.Of(src), PlanArg.Of(dst), d1, d2, d2p, s0, s2, log2T1]));
        }
        PlanArg[] shape = [g.N, g.C, g.H, g.W, g.K, g.R, g.S, g.OutH, g.OutW, g.StrideH, g.StrideW, g.PadH, g.PadW];
        var product = ConvTensorCoreKernels.Product(pass, tile, inputs);
        int outBf16 = output == DType.BFloat16 ? 1 : 0, splits = 1;
        switch (pass)
        {
            case ConvPass.Forward:
                Temporary("x_nhwc", inputs, (long)g.N * hw * cp);
                Temporary("w_packed", inputs, (long)g.K * rs * cp);
                Pack("x", "x_nhwc", g.N, hw, g.C, cp, g.C * hw, hw);
                Pack("w", "w_packed", g.K, rs, g.C, cp, g.C * rs, rs);
                launches.Add(new(product, Grid(Tiles((long)g.N * ohw, tile.Rows) * Tiles(g.K, tile.Columns)), (uint)tile.Threads, (uint)tile.SharedBytes,
                                 [PlanArg.Of("x_nhwc"), PlanArg.Of("w_packed"), PlanArg.Of("y"), .. shape, outBf16]));
                break;
            case ConvPass.BackwardData:
                Temporary("dy_nhwc", inputs, (long)g.N * ohw * kp);
                Temporary("w_packed", inputs, (long)g.C * rs * kp);
                Pack("dy", "dy_nhwc", g.N, ohw, g.K, kp, g.K * ohw, ohw);
                Pack("w", "w_packed", g.C, rs, g.K, kp, rs, g.C * rs);
                launches.Add(new(product, Grid(Tiles((long)g.N * hw, tile.Rows) * Tiles(g.C, tile.Columns)), (uint)tile.Threads, (uint)tile.SharedBytes,
                                 [PlanArg.Of("dy_nhwc"), PlanArg.Of("w_packed"), PlanArg.Of("dx"), .. shape, outBf16]));
                break;
            default:
                long tiles = Tiles(g.K, tile.Rows) * Tiles((long)rs * cp, tile.Columns), count = (long)g.K * rs * cp;
                int positions = g.N * ohw, depth = 128 / (inputs == DType.BFloat16 ? 2 : 4);
                long wanted = (2L * multiprocessors + tiles - 1) / tiles;
                long byDepth = Math.Max(1, positions / ((long)MinTilesPerSplit * depth));
                long byBudget = Math.Max(1, budget / Math.Max(1, count));
                splits = (int)Math.Max(1, Math.Min(wanted, Math.Min(byDepth, byBudget)));
                int perSplit = Pad((positions + splits - 1) / splits, depth);
                splits = Math.Max(1, (positions + perSplit - 1) / perSplit);
                Temporary("x_nhwc", inputs, (long)g.N * hw * cp);
                Temporary("dy_nhwc", inputs, (long)g.N * ohw * kp);
                Temporary("partial", DType.Float32, splits * count);
                Pack("x", "x_nhwc", g.N, hw, g.C, cp, g.C * hw, hw);
                Pack("dy", "dy_nhwc", g.N, ohw, g.K, kp, g.K * ohw, ohw);
                launches.Add(new(product, Grid(tiles * splits), (uint)tile.Threads, (uint)tile.SharedBytes,
                                 [PlanArg.Of("x_nhwc"), PlanArg.Of("dy_nhwc"), PlanArg.Of("partial"), .. shape, perSplit]));
                long total = (long)g.K * g.C * rs;
                launches.Add(new(ConvTensorCoreKernels.SumSplits(output), (uint)Math.Clamp((total + 255) / 256, 1, multiprocessors * 32L), 256, 0,
                                 [PlanArg.Of("partial"), PlanArg.Of("dw"), g.K, g.C, rs, cp, splits]));
                break;
        }
        return new(pass, inputs, output, g, tile, splits, temporaries, launches);
    }

    /// <summary>
    /// The tile for a pass when none is timed: the largest whose grid fills every multiprocessor, else the smallest.
    /// </summary>
    public static TensorCoreTile DefaultTile(ConvPass pass, in Conv2dGeometry g, DType inputs, int multiprocessors)
    {
        var (rows, columns) = ProductSize(pass, g, inputs);
        foreach (var tile in TensorCoreTile.All)
        {
            if (Tiles(rows, tile.Rows) * Tiles(columns, tile.Columns) >= multiprocessors) return tile;
        }
        return TensorCoreTile.Small;
    }

    /// <summary>Rows and columns of a pass's product (the weight gradient's before splitting).</summary>
    public static (long Rows, long Columns) ProductSize(ConvPass pass, in Conv2dGeometry g, DType inputs) => pass switch
    {
        ConvPass.Forward => ((long)g.N * g.OutH * g.OutW, g.K),
        ConvPass.BackwardData => ((long)g.N * g.H * g.W, g.C),
        _ => (g.K, (long)g.R * g.S * Pad(g.C, Vector(inputs))),
    };

    /// <summary>
    /// The plan as text: a "case" line (pass, dtypes, geometry, tile, splits), one "buffer" line per temporary and one
    /// "launch" line per launch (kernel, grid, block, shared bytes, arguments), then "end".
    /// </summary>
    public string Describe()
    {
        var g = Geometry;
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"case {Pass} {Name(Inputs)} {Name(Output)} {g.N} {g.C} {g.H} {g.W} {g.K} {g.R} {g.S} ")
            .Append(CultureInfo.InvariantCulture, $"{g.StrideH} {g.StrideW} {g.PadH} {g.PadW} {Tile} {Splits}\n");
        foreach (var b in Temporaries) text.Append(CultureInfo.InvariantCulture, $"buffer {b.Name} {Name(b.DType)} {b.Length}\n");
        foreach (var l in Launches)
            text.Append(CultureInfo.InvariantCulture, $"launch {l.Kernel.Name} {l.Grid} {l.Block} {l.SharedBytes} {string.Join(' ', l.Args)}\n");
        return text.Append("end\n").ToString();
    }

    private static string Name(DType dtype) => dtype == DType.BFloat16 ? "bf16" : "f32";

    private static int Pad(int n, int multiple) => (n + multiple - 1) / multiple * multiple;

    private static long Tiles(long n, int tile) => (n + tile - 1) / tile;

    private static uint Grid(long blocks) =>
        blocks <= int.MaxValue ? (uint)blocks : throw new NotSupportedException($"A tensor-core convolution launch of {blocks} blocks exceeds the grid limit.");
}
