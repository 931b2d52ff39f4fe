using RawGan.Engine;
using RawGan.Engine.Backends.Cpu;
using static RawGan.Tests.Ops.GemmTests;

namespace RawGan.Tests.Ops;

/// <summary>
/// The CPU reference of TF32 and bfloat16 products (GEMM and the three convolution passes): inputs rounded as the
/// tensor cores see them, float32 accumulation, one rounding of a bfloat16 output; checked against double-precision
/// products of the rounded inputs. Also the Autocast policy that chooses the math of the product ops.
/// </summary>
public class ReducedPrecisionProductTests
{
    private static readonly IBackend Cpu = CpuBackend.Instance;

    private const double Float32Tolerance = 1e-5;

    private static double[] Rounded(double[] d, DType inputs) =>
        Array.ConvertAll(d, v => inputs == DType.BFloat16 ? (double)BFloat16.Round((float)v) : Tf32.Round((float)v));

    private static Storage Store(double[] d, DType dtype)
    {
        var t = Tensor.FromArray(d).ToDType(dtype);
        return t.Storage;
    }

    private static double[] Load(Storage s) => new Tensor(s.Retain(), new Shape((int)s.Length)).ToDoubleArray();

    // Each element within half a bfloat16 ulp of the exact value, plus the float32 accumulation's slack.
    private static void AssertWithinBFloat16Rounding(double[] got, double[] want, string what)
    {
        double scale = want.Max(Math.Abs);
        for (int i = 0; i < got.Length; i++)
        {
            double allowed = Math.Abs(want[i]) * Math.Pow(2, -8) + 1e-6 * scale;
            if (!(Math.Abs(got[i] - want[i]) <= allowed)) Assert.Fail($"element {i}: {got[i]:R} vs exact {want[i]:R}: {what}");
        }
    }

    [TestCase(DType.Float32, DType.Float32)]   // TF32 math
    [TestCase(DType.BFloat16, DType.Float32)]  // bfloat16 inputs, float32 output
    [TestCase(DType.BFloat16, DType.BFloat16)] // bfloat16 throughout, rounded once
    public void GemmMatchesDoubleProductsOfRoundedInputs(DType inputs, DType output)
    {
        int seed = NewSeed();
        var rng = new Random(seed);
        const int m = 13, n = 11, k = 37, batch = 2;
        double alpha = 1.5, beta = output == DType.BFloat16 ? 0.5 : 0.0;
        var a = Rounded(Random(rng, batch * m * k), inputs);
        var b = Rounded(Random(rng, batch * k * n), inputs);
        var c = Rounded(Random(rng, batch * m * n), DType.BFloat16);
        var want = new double[c.Length];
        for (int bi = 0; bi < batch; bi++)
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    double s = 0;
                    for (int p = 0; p < k; p++) s += a[bi * m * k + i * k + p] * b[bi * k * n + p * n + j];
                    int at = bi * m * n + i * n + j;
                    want[at] = alpha * s + beta * c[at];
                }
        var sc = Store(c, output);
        // TF32 math is asked for with float32 inputs; the bfloat16 cases pass Exact, which bfloat16 ignores.
        var math = inputs == DType.Float32 ? MathMode.Tf32 : MathMode.Exact;
        Cpu.Gemm(false, false, m, n, k, alpha, Store(a, inputs), 0, k, m * k, Store(b, inputs), 0, n, k * n, beta, sc, 0, n, m * n, batch, math);
        string what = $"{inputs} → {output}, seed {seed}";
        if (output == DType.BFloat16) AssertWithinBFloat16Rounding(Load(sc), want, what);
        else AssertClose(Load(sc), want, Float32Tolerance, what);
    }

    [Test]
    public void Tf32GemmRoundsItsInputsAndExactDoesNot()
    {
        int seed = NewSeed();
        var rng = new Random(seed);
        var a = Random(rng, 64 * 64);
        RoundToFloat(a);
        Storage Product(MathMode math)
        {
            var c = Cpu.Allocate(DType.Float32, 64 * 64);
            Cpu.Gemm(false, false, 64, 64, 64, 1, Store(a, DType.Float32), 0, 64, 0, Store(a, DType.Float32), 0, 64, 0, 0, c, 0, 64, 0, 1, math);
            return c;
        }
        var exact = Load(Product(MathMode.Exact));
        var tf32 = Load(Product(MathMode.Tf32));
        var rounded = Rounded(a, DType.Float32);
        var want = new double[64 * 64];
        for (int i = 0; i < 64; i++)
            for (int j = 0; j < 64; j++)
                for (int p = 0; p < 64; p++) want[i * 64 + j] += rounded[i * 64 + p] * rounded[p * 64 + j];
        AssertClose(tf32, want, Float32Tolerance, $"TF32 product, seed {seed}");
        Assert.That(exact.Zip(tf32).Count(p => p.First != p.Second), Is.GreaterThan(64 * 64 / 2), $"Exact must not round its inputs, seed {seed}");
    }

    [Test]
    public void MismatchedProductDTypesAreRejected()
    {
        var f = Cpu.Allocate(DType.Float32, 4);
        var h = Cpu.Allocate(DType.BFloat16, 4);
        var d = Cpu.Allocate(DType.Float64, 4);
        Assert.That(() => Cpu.Gemm(false, false, 2, 2, 2, 1, f, 0, 2, 0, h, 0, 2, 0, 0, f, 0, 2, 0, 1, MathMode.Exact),
                    Throws.ArgumentException.With.Message.Contains("share a dtype"));
        Assert.That(() => Cpu.Gemm(false, false, 2, 2, 2, 1, h, 0, 2, 0, h, 0, 2, 0, 0, d, 0, 2, 0, 1, MathMode.Exact),
                    Throws.ArgumentException.With.Message.Contains("BFloat16 inputs may write Float32"));
    }

    private static IEnumerable<TestCaseData> ConvCases()
    {
        Conv2dGeometry[] geometries = [new(2, 5, 9, 11, 7, 3, 3, 1, 1, 1, 1), new(3, 9, 5, 6, 4, 1, 1, 1, 1, 0, 0), new(2, 3, 10, 9, 5, 3, 3, 2, 2, 1, 1)];
        foreach (var g in geometries)
        {
            yield return new TestCaseData(DType.Float32, DType.Float32, g);
            yield return new TestCaseData(DType.BFloat16, DType.BFloat16, g);
            yield return new TestCaseData(DType.BFloat16, DType.Float32, g);
        }
    }

    [TestCaseSource(nameof(ConvCases))]
    public void ConvolutionPassesMatchDoubleProductsOfRoundedInputs(DType inputs, DType output, Conv2dGeometry g)
    {
        int seed = NewSeed();
        var rng = new Random(seed);
        var x = Rounded(Random(rng, (long)g.N * g.C * g.H * g.W), inputs);
        var w = Rounded(Random(rng, (long)g.K * g.C * g.R * g.S), inputs);
        var dy = Rounded(Random(rng, (long)g.N * g.K * g.OutH * g.OutW), inputs);
        var math = inputs == DType.Float32 ? MathMode.Tf32 : MathMode.Exact;
        string what = $"{inputs} → {output} {g}, seed {seed}";
        void Check(double[] got, double[] want, string pass)
        {
            if (output == DType.BFloat16) AssertWithinBFloat16Rounding(got, want, pass + " " + what);
            else AssertClose(got, want, Float32Tolerance, pass + " " + what);
        }
        var y = Cpu.Allocate(output, dy.Length);
        Cpu.Conv2dForward(Store(x, inputs), Store(w, inputs), y, g, math);
        Check(Load(y), ConvTests.Forward(g, x, w), "forward");
        var dx = Cpu.Allocate(output, x.Length);
        Cpu.Conv2dBackwardData(Store(dy, inputs), Store(w, inputs), dx, g, math);
        Check(Load(dx), ConvTests.BackwardData(g, dy, w), "backward data");
        var dw = Cpu.Allocate(output, w.Length);
        Cpu.Conv2dBackwardWeight(Store(x, inputs), Store(dy, inputs), dw, g, math);
        Check(Load(dw), ConvTests.BackwardWeight(g, x, dy), "backward weight");
    }

    [Test]
    public void AutocastChoosesTheMathAndTheBackwardKeepsTheForwardsChoice()
    {
        int seed = NewSeed();
        var rng = new Random(seed);
        var a = Random(rng, 16 * 24);
        var b = Random(rng, 24 * 8);
        RoundToFloat(a);
        RoundToFloat(b);
        Tensor Leaf(double[] d, int r, int c) => Tensor.FromArray(Array.ConvertAll(d, v => (float)v), [r, c]).RequireGrad();
        var (ta, tb) = (Leaf(a, 16, 24), Leaf(b, 24, 8));
        Assert.That(Autocast.Current, Is.EqualTo(Precision.Fp32));
        Tensor y;
        using (Autocast.Enable(Precision.Tf32))
        {
            Assert.That(Autocast.ProductMath, Is.EqualTo(MathMode.Tf32));
            using (Autocast.Enable(Precision.Fp32)) Assert.That(Autocast.ProductMath, Is.EqualTo(MathMode.Exact), "scopes nest");
            Assert.That(Autocast.Current, Is.EqualTo(Precision.Tf32), "and restore");
            y = RawGan.Engine.Ops.MatMul(ta, tb);
        }
        Assert.That(Autocast.Current, Is.EqualTo(Precision.Fp32));
        var (ra, rb) = (Rounded(a, DType.Float32), Rounded(b, DType.Float32));
        var want = new double[16 * 8];
        for (int i = 0; i < 16; i++) for (int j = 0; j < 8; j++) for (int p = 0; p < 24; p++) want[i * 8 + j] += ra[i * 24 + p] * rb[p * 8 + j];
        AssertClose(y.ToDoubleArray(), want, Float32Tolerance, $"forward under TF32, seed {seed}");

        // Backward outside the scope: dA = dY·Bᵀ with dY = 1 must still use TF32-rounded B.
        RawGan.Engine.Ops.Sum(y).Backward();
        var wantDa = new double[16 * 24];
        for (int i = 0; i < 16; i++) for (int p = 0; p < 24; p++) for (int j = 0; j < 8; j++) wantDa[i * 24 + p] += rb[p * 8 + j];
        AssertClose(ta.Grad!.ToDoubleArray(), wantDa, Float32Tolerance, $"backward keeps TF32, seed {seed}");
    }
}
