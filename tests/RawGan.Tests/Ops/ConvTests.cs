using RawGan.Engine;
using RawGan.Engine.Backends.Cpu;
using static RawGan.Tests.Ops.GemmTests;

namespace RawGan.Tests.Ops;

/// <summary>
/// Conv2d forward, data gradient and weight gradient against direct loops, on the backend and through the
/// differentiable op, over geometries that take every path: 3×3 (implicit im2col, flipped-kernel data
/// gradient), 1×1 (plain products), strides (col2im), padding wider than the kernel, non-square kernels, and
/// stride-1 shapes whose output rows hold whole SIMD vectors (the im2col operand read in place).
/// </summary>
public class ConvTests
{
    private static readonly IBackend Cpu = CpuBackend.Instance;

    private static double Tolerance(DType dtype) => dtype == DType.Float64 ? 1e-12 : 1e-5;

    // N, C, H, W, K, R, S, strideH, strideW, padH, padW
    private static readonly Conv2dGeometry[] Geometries =
    [
        new(2, 5, 9, 11, 7, 3, 3, 1, 1, 1, 1),       // 3x3 pad 1, odd sizes
        new(3, 17, 5, 6, 4, 1, 1, 1, 1, 0, 0),       // 1x1 pointwise
        new(2, 3, 10, 9, 5, 3, 3, 2, 2, 1, 1),       // stride 2
        new(2, 4, 12, 13, 6, 5, 5, 1, 1, 2, 2),      // 5x5 pad 2
        new(1, 1, 7, 7, 3, 3, 3, 1, 1, 0, 0),        // batch 1, one channel, no padding
        new(2, 3, 8, 9, 4, 3, 1, 1, 2, 1, 0),        // non-square kernel and strides
        new(2, 2, 6, 5, 3, 3, 3, 1, 1, 3, 2),        // padding wider than the kernel reach
        new(2, 6, 9, 8, 5, 1, 1, 2, 2, 0, 0),        // 1x1 stride 2
        new(1, 64, 12, 12, 20, 3, 3, 1, 1, 1, 1),    // batch 1, depth C·R·S beyond one packed block
        new(8, 16, 16, 16, 24, 3, 3, 1, 1, 1, 1),    // enough images to run one per thread
        new(5, 3, 33, 17, 2, 4, 2, 3, 1, 0, 1),      // even kernel, stride 3
        new(3, 5, 32, 32, 7, 3, 3, 1, 1, 1, 1),      // output rows of whole vectors: im2col read in place from a padded copy
        new(2, 3, 18, 34, 5, 3, 3, 1, 1, 0, 0),      // the same without padding (the data gradient pads by 2)
        new(1, 4, 16, 32, 3, 5, 5, 1, 1, 2, 2),      // read in place, 5x5, batch 1 (weights packed inside the product)
    ];

    private static IEnumerable<TestCaseData> Cases()
    {
        foreach (var dtype in new[] { DType.Float64, DType.Float32 })
            foreach (var g in Geometries)
                yield return new TestCaseData(dtype, g);
    }

    [TestCaseSource(nameof(Cases))]
    public void BackendMatchesDirectLoops(DType dtype, Conv2dGeometry g)
    {
        int seed = NewSeed();
        var rng = new Random(seed);
        var (x, w, dy) = Inputs(rng, g, dtype);
        string what = $"{dtype} {g}, seed {seed}";
        double tol = Tolerance(dtype);

        // Outputs start as NaN: every kernel must overwrite, never accumulate into, its output.
        var sy = Filled(dtype, (long)g.N * g.K * g.OutH * g.OutW);
        Cpu.Conv2dForward(Upload(dtype, x), Upload(dtype, w), sy, g, MathMode.Exact);
        AssertClose(Download(dtype, sy, dy.Length), Forward(g, x, w), tol, "forward " + what);

        var sdx = Filled(dtype, x.Length);
        Cpu.Conv2dBackwardData(Upload(dtype, dy), Upload(dtype, w), sdx, g, MathMode.Exact);
        AssertClose(Download(dtype, sdx, x.Length), BackwardData(g, dy, w), tol, "backward data " + what);

        var sdw = Filled(dtype, w.Length);
        Cpu.Conv2dBackwardWeight(Upload(dtype, x), Upload(dtype, dy), sdw, g, MathMode.Exact);
        AssertClose(Download(dtype, sdw, w.Length), BackwardWeight(g, x, dy), tol, "backward weight " + what);
    }

    private static IEnumerable<TestCaseData> OpCases()
    {
        // N, C, H, W, K, R, S, strideH, strideW, padH, padW: square kernels, and Inception's rectangular
        // ones with their own padding per axis (1×7 pad (0, 3), 7×1 pad (3, 0), 1×3 pad (0, 1), 3×1 pad (1, 0)).
        Conv2dGeometry[] geometries =
        [
            new(2, 3, 8, 8, 4, 3, 3, 1, 1, 1, 1), new(1, 5, 7, 9, 6, 1, 1, 1, 1, 0, 0), new(3, 2, 9, 7, 3, 3, 3, 2, 2, 1, 1),
            new(2, 1, 11, 10, 2, 5, 5, 1, 1, 2, 2), new(2, 3, 9, 8, 4, 1, 7, 1, 1, 0, 3), new(2, 3, 8, 9, 4, 7, 1, 1, 1, 3, 0),
            new(1, 4, 6, 5, 3, 1, 3, 1, 1, 0, 1), new(1, 4, 5, 6, 3, 3, 1, 1, 1, 1, 0), new(2, 2, 11, 9, 3, 3, 3, 2, 1, 0, 1),
        ];
        foreach (var dtype in new[] { DType.Float64, DType.Float32 })
            foreach (var g in geometries)
                yield return new TestCaseData(dtype, g);
    }

    [TestCaseSource(nameof(OpCases))]
    public void OpForwardAndBackwardMatchDirectLoops(DType dtype, Conv2dGeometry g)
    {
        int seed = NewSeed();
        var rng = new Random(seed);
        var (x, w, dy) = Inputs(rng, g, dtype);
        string what = $"{dtype} {g}, seed {seed}";
        double tol = Tolerance(dtype);

        var xt = ToTensor(x, new Shape(g.N, g.C, g.H, g.W), dtype, requiresGrad: true);
        var wt = ToTensor(w, new Shape(g.K, g.C, g.R, g.S), dtype, requiresGrad: true);
        var y = RawGan.Engine.Ops.Conv2d(xt, wt, null, (g.StrideH, g.StrideW), (g.PadH, g.PadW));
        Assert.That(y.Shape, Is.EqualTo(new Shape(g.N, g.K, g.OutH, g.OutW)), what);
        AssertClose(y.ToDoubleArray(), Forward(g, x, w), tol, "forward " + what);

        // loss = Σ y ⊙ dy has gradient dy with respect to y.
        var loss = RawGan.Engine.Ops.Sum(RawGan.Engine.Ops.Mul(y, ToTensor(dy, y.Shape, dtype, requiresGrad: false)));
        loss.Backward();
        AssertClose(xt.Grad!.ToDoubleArray(), BackwardData(g, dy, w), tol, "x gradient " + what);
        AssertClose(wt.Grad!.ToDoubleArray(), BackwardWeight(g, x, dy), tol, "w gradient " + what);
    }

    [TestCase(DType.Float32, false)]
    [TestCase(DType.Float32, true)]
    [TestCase(DType.Float64, false)]
    [TestCase(DType.Float64, true)]
    public void OpWithBiasAddsItToEveryPixelAndSumsItsGradient(DType dtype, bool inPlace)
    {
        // In place: 32-wide output rows (whole vectors on every SIMD width); otherwise odd sizes (packed im2col).
        var g = inPlace ? new Conv2dGeometry(2, 3, 32, 32, 5, 3, 3, 1, 1, 1, 1) : new Conv2dGeometry(2, 3, 7, 9, 5, 3, 3, 1, 1, 1, 1);
        int seed = NewSeed();
        var rng = new Random(seed);
        var (x, w, dy) = Inputs(rng, g, dtype);
        var bias = Random(rng, g.K);
        if (dtype == DType.Float32) RoundToFloat(bias);
        string what = $"{dtype} {g}, seed {seed}";
        double tol = Tolerance(dtype);

        var xt = ToTensor(x, new Shape(g.N, g.C, g.H, g.W), dtype, requiresGrad: true);
        var wt = ToTensor(w, new Shape(g.K, g.C, g.R, g.S), dtype, requiresGrad: true);
        var bt = ToTensor(bias, new Shape(g.K), dtype, requiresGrad: true);
        var y = RawGan.Engine.Ops.Conv2d(xt, wt, bt, (g.StrideH, g.StrideW), (g.PadH, g.PadW));
        var expected = Forward(g, x, w);
        int pixels = g.OutH * g.OutW;
        for (long i = 0; i < expected.Length; i++) expected[i] += bias[i / pixels % g.K];
        AssertClose(y.ToDoubleArray(), expected, tol, "forward " + what);

        RawGan.Engine.Ops.Sum(RawGan.Engine.Ops.Mul(y, ToTensor(dy, y.Shape, dtype, requiresGrad: false))).Backward();
        var dbias = new double[g.K];
        for (long i = 0; i < dy.Length; i++) dbias[i / pixels % g.K] += dy[i];
        AssertClose(bt.Grad!.ToDoubleArray(), dbias, tol, "bias gradient " + what);
        AssertClose(xt.Grad!.ToDoubleArray(), BackwardData(g, dy, w), tol, "x gradient " + what);
        AssertClose(wt.Grad!.ToDoubleArray(), BackwardWeight(g, x, dy), tol, "w gradient " + what);
    }

    private static (double[] X, double[] W, double[] Dy) Inputs(Random rng, Conv2dGeometry g, DType dtype)
    {
        double[] x = Random(rng, (long)g.N * g.C * g.H * g.W), w = Random(rng, (long)g.K * g.C * g.R * g.S);
        double[] dy = Random(rng, (long)g.N * g.K * g.OutH * g.OutW);
        if (dtype == DType.Float32) { RoundToFloat(x); RoundToFloat(w); RoundToFloat(dy); }
        return (x, w, dy);
    }

    private static Tensor ToTensor(double[] data, Shape shape, DType dtype, bool requiresGrad) =>
        dtype == DType.Float64
            ? Tensor.FromArray(data, shape, requiresGrad: requiresGrad)
            : Tensor.FromArray(Array.ConvertAll(data, v => (float)v), shape, requiresGrad: requiresGrad);

    private static Storage Filled(DType dtype, long length)
    {
        var s = Cpu.Allocate(dtype, length);
        Cpu.Fill(s, double.NaN);
        return s;
    }

    // Input position (ih, iw) read by output (oh, ow) through kernel tap (r, s); false in the padding.
    private static bool Tap(Conv2dGeometry g, int oh, int ow, int r, int s, out int ih, out int iw)
    {
        ih = oh * g.StrideH - g.PadH + r;
        iw = ow * g.StrideW - g.PadW + s;
        return ih >= 0 && ih < g.H && iw >= 0 && iw < g.W;
    }

    private static long XAt(Conv2dGeometry g, int n, int c, int ih, int iw) => ((long)(n * g.C + c) * g.H + ih) * g.W + iw;

    private static long WAt(Conv2dGeometry g, int k, int c, int r, int s) => ((long)(k * g.C + c) * g.R + r) * g.S + s;

    private static long YAt(Conv2dGeometry g, int n, int k, int oh, int ow) => ((long)(n * g.K + k) * g.OutH + oh) * g.OutW + ow;

    // y[n,k,oh,ow] = Σ_{c,r,s} x[n,c,ih,iw]·w[k,c,r,s]
    internal static double[] Forward(Conv2dGeometry g, double[] x, double[] w)
    {
        var y = new double[(long)g.N * g.K * g.OutH * g.OutW];
        for (int n = 0; n < g.N; n++)
            for (int k = 0; k < g.K; k++)
                for (int oh = 0; oh < g.OutH; oh++)
                    for (int ow = 0; ow < g.OutW; ow++)
                    {
                        double sum = 0;
                        for (int c = 0; c < g.C; c++)
                            for (int r = 0; r < g.R; r++)
                                for (int s = 0; s < g.S; s++)
                                    if (Tap(g, oh, ow, r, s, out int ih, out int iw)) sum += x[XAt(g, n, c, ih, iw)] * w[WAt(g, k, c, r, s)];
                        y[YAt(g, n, k, oh, ow)] = sum;
                    }
        return y;
    }

    // dx[n,c,ih,iw] = Σ over every (k, oh, ow, r, s) that read x[n,c,ih,iw] of dy[n,k,oh,ow]·w[k,c,r,s]
    internal static double[] BackwardData(Conv2dGeometry g, double[] dy, double[] w)
    {
        var dx = new double[(long)g.N * g.C * g.H * g.W];
        for (int n = 0; n < g.N; n++)
            for (int k = 0; k < g.K; k++)
                for (int oh = 0; oh < g.OutH; oh++)
                    for (int ow = 0; ow < g.OutW; ow++)
                        for (int c = 0; c < g.C; c++)
                            for (int r = 0; r < g.R; r++)
                                for (int s = 0; s < g.S; s++)
                                    if (Tap(g, oh, ow, r, s, out int ih, out int iw)) dx[XAt(g, n, c, ih, iw)] += dy[YAt(g, n, k, oh, ow)] * w[WAt(g, k, c, r, s)];
        return dx;
    }

    // dw[k,c,r,s] = Σ_{n,oh,ow} dy[n,k,oh,ow]·x[n,c,ih,iw]
    internal static double[] BackwardWeight(Conv2dGeometry g, double[] x, double[] dy)
    {
        var dw = new double[(long)g.K * g.C * g.R * g.S];
        for (int n = 0; n < g.N; n++)
            for (int k = 0; k < g.K; k++)
                for (int oh = 0; oh < g.OutH; oh++)
                    for (int ow = 0; ow < g.OutW; ow++)
                        for (int c = 0; c < g.C; c++)
                            for (int r = 0; r < g.R; r++)
                                for (int s = 0; s < g.S; s++)
                                    if (Tap(g, oh, ow, r, s, out int ih, out int iw)) dw[WAt(g, k, c, r, s)] += dy[YAt(g, n, k, oh, ow)] * x[XAt(g, n, c, ih, iw)];
        return dw;
    }
}
