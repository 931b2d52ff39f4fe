using RawGan.Engine;
using RawGan.Tests.TestSupport;

namespace RawGan.Tests.Ops;

using Ops = RawGan.Engine.Ops;

/// <summary>
/// Every op the bf16 policy runs, forward and backward, on BFloat16 activations on the CPU, against the same op in
/// Float32 on the same values (BFloat16 inputs widen exactly). Each case states the output dtype the policy gives.
/// Tolerances: a BFloat16 output is within one bfloat16 rounding of the Float32 result, element by element
/// (|got − want| ≤ 2^-8·|want|: half an ulp); a Float32 output (sums, softmax, the gradients of Float32 parameters)
/// equals the Float32 op's to 1e-6 (norm-wise relative, max |got − want| / max |want|). A gradient is a chain of
/// such ops (a backward may read the rounded output, as tanh's does, and round again), so BFloat16 gradients are
/// held to 2^-7 norm-wise, two roundings, unless a case says otherwise. The CUDA kernels are checked against these
/// CPU results in Cuda/MixedPrecisionCudaTests.
/// </summary>
public class MixedPrecisionOpTests
{
    /// <summary>
    /// One op: BFloat16 activations and Float32 parameters (both leaves that require grad), the op, and the dtype of its
    /// output under the policy. Values are drawn in [lo, hi) (magnitudes there with <paramref name="AwayFromZero"/>).
    /// </summary>
    public sealed record OpCase(string Name, int[][] Activations, int[][] Parameters, Func<Tensor[], Tensor[], Tensor> Forward, DType Output,
                                double Lo = -2, double Hi = 2, bool AwayFromZero = false, double GradientTolerance = 1.0 / 128)
    {
        public override string ToString() => Name;
    }

    private static readonly int[] Image = [2, 3, 6, 8];

    public static IEnumerable<OpCase> Cases()
    {
        int[] x4 = [2, 3, 4, 5], bias = [1, 3, 1, 5];
        yield return new("Add with broadcasting", [x4, bias], [], (a, _) => Ops.Add(a[0], a[1]), DType.BFloat16);
        yield return new("Sub with broadcasting", [x4, bias], [], (a, _) => Ops.Sub(a[0], a[1]), DType.BFloat16);
        // Same shapes: the gradient of a broadcast factor is a sum of rounded products, which cancellation keeps from a useful bound.
        yield return new("Mul", [x4, x4], [], (a, _) => Ops.Mul(a[0], a[1]), DType.BFloat16);
        // d(a/b)/db = −(dy·y)/b: three roundings after y's.
        yield return new("Div", [x4, x4], [], (a, _) => Ops.Div(a[0], a[1]), DType.BFloat16, 0.5, 2, AwayFromZero: true, GradientTolerance: 1.0 / 64);
        yield return new("Relu", [x4], [], (a, _) => Ops.Relu(a[0]), DType.BFloat16);
        yield return new("Tanh", [x4], [], (a, _) => Ops.Tanh(a[0]), DType.BFloat16);
        yield return new("Exp", [x4], [], (a, _) => Ops.Exp(a[0]), DType.BFloat16);
        yield return new("Log", [x4], [], (a, _) => Ops.Log(a[0]), DType.BFloat16, 0.25, 4);
        yield return new("Affine", [x4], [], (a, _) => Ops.Affine(a[0], 1.7, -0.3), DType.BFloat16);
        yield return new("Sum over H, W is Float32", [x4], [], (a, _) => Ops.Sum(a[0], [2, 3]), DType.Float32);
        yield return new("Mean is Float32", [x4], [], (a, _) => Ops.Mean(a[0]), DType.Float32);
        yield return new("Softmax is Float32", [[6, 11]], [], (a, _) => Ops.Softmax(a[0]), DType.Float32);
        yield return new("AvgPool2d", [Image], [], (a, _) => Ops.AvgPool2d(a[0]), DType.BFloat16);
        yield return new("MaxPool2d", [Image], [], (a, _) => Ops.MaxPool2d(a[0]), DType.BFloat16);
        yield return new("Upsample2x", [Image], [], (a, _) => Ops.Upsample2x(a[0]), DType.BFloat16);
        yield return new("Cat, Narrow and Permute", [x4, x4], [], (a, _) => Ops.Permute(Ops.Narrow(Ops.Cat([a[0], a[1]], 1), 1, 2, 3), 0, 2, 3, 1), DType.BFloat16);
        // The scalar's gradient is a sum of rounded products (no useful bound): the gradients' dtypes are checked, their values by Mul and Add.
        yield return new("Float32 scalar times BFloat16 stays BFloat16", [x4], [[]], (a, p) => Ops.Mul(p[0], a[0]), DType.BFloat16,
                         GradientTolerance: double.PositiveInfinity);
        yield return new("BFloat16 plus Float32 is Float32", [x4], [x4], (a, p) => Ops.Add(a[0], p[0]), DType.Float32);
        yield return new("BatchNorm in training", [Image], [[3], [3]], (a, p) => Ops.BatchNorm(a[0], Stat(a, 0), Stat(a, 1), p[0], p[1], true, 0.1, 1e-5), DType.BFloat16);
        yield return new("BatchNorm in eval", [Image], [[3], [3]], (a, p) => Ops.BatchNorm(a[0], Stat(a, 0.2), Stat(a, 1.5), p[0], p[1], false, 0.1, 1e-5), DType.BFloat16);
        yield return new("ConditionalBatchNormRelu in training", [Image], [[2, 3], [2, 3]],
                         (a, p) => Ops.ConditionalBatchNormRelu(a[0], Stat(a, 0), Stat(a, 1), p[0], p[1], true, 0.1, 1e-4), DType.BFloat16);
        yield return new("ConditionalBatchNormRelu in eval", [Image], [[2, 3], [2, 3]],
                         (a, p) => Ops.ConditionalBatchNormRelu(a[0], Stat(a, -0.1), Stat(a, 0.8), p[0], p[1], false, 0.1, 1e-4), DType.BFloat16);
        yield return new("ConditionalBatchNormRelu with BFloat16 gain and bias", [Image, [2, 3], [2, 3]], [],
                         (a, _) => Ops.ConditionalBatchNormRelu(a[0], null, null, a[1], a[2], true, 0.1, 1e-4), DType.BFloat16);
    }

    // A running statistic (C = 3) in Float32, as layers keep them, on the activations' device.
    private static Tensor Stat(Tensor[] activations, double value) => Tensor.Full([3], value, DType.Float32, activations[0].Device);

    [TestCaseSource(nameof(Cases))]
    public void BFloat16IsTheFloat32OpRoundedOnce(OpCase c)
    {
        var rng = TestRng.Fresh();
        var activations = c.Activations.Select(s => BFloat16Values(rng, s, c)).ToArray();
        var parameters = c.Parameters.Select(s => BFloat16Values(rng, s, c)).ToArray();
        var narrow = Run(c, activations, parameters, DType.BFloat16, rng.Seed);
        var wide = Run(c, activations, parameters, DType.Float32, rng.Seed);
        Assert.That(narrow.Output.DType, Is.EqualTo(c.Output), $"{c.Name}: the policy's output dtype");
        AssertWithinOneRounding(narrow.Output, wide.Output, $"{c.Name}: output; {rng}");
        for (int i = 0; i < narrow.Gradients.Length; i++)
        {
            bool activation = i < activations.Length;
            string what = $"{c.Name}: gradient of {(activation ? "activation" : "parameter")} {(activation ? i : i - activations.Length)}; {rng}";
            Assert.That(narrow.Gradients[i].DType, Is.EqualTo(activation ? DType.BFloat16 : DType.Float32), $"{what}: an input's gradient has its dtype");
            if (double.IsFinite(c.GradientTolerance))
                AssertNormwise(narrow.Gradients[i], wide.Gradients[i], narrow.Gradients[i].DType == DType.BFloat16 ? c.GradientTolerance : 1e-6, what);
        }
    }

    // Values a BFloat16 tensor holds exactly, so that both runs see the same inputs.
    internal static (double[] Values, int[] Shape) BFloat16Values(TestRng rng, int[] shape, OpCase c)
    {
        long n = Nd.Numel(shape);
        var v = c.AwayFromZero ? rng.AwayFromZeroArray(n, c.Lo, c.Hi) : rng.UniformArray(n, c.Lo, c.Hi);
        return (Array.ConvertAll(v, d => (double)BFloat16.Round((float)d)), shape);
    }

    internal sealed record Result(Tensor Output, Tensor[] Gradients);

    // The activations in `activations` dtype, the parameters in Float32, on the device (the CPU by default); the output
    // gradient holds BFloat16 values too.
    internal static Result Run(OpCase c, (double[] Values, int[] Shape)[] activations, (double[] Values, int[] Shape)[] parameters, DType activationsDType,
                               int seed, Device? device = null)
    {
        Tensor Leaf((double[] Values, int[] Shape) v, DType dtype) =>
            Tensor.FromArray(Array.ConvertAll(v.Values, d => (float)d), new Shape(v.Shape)).To(device ?? Device.Cpu).ToDType(dtype).RequireGrad();
        var a = activations.Select(v => Leaf(v, activationsDType)).ToArray();
        var p = parameters.Select(v => Leaf(v, DType.Float32)).ToArray();
        var y = c.Forward(a, p);
        var dyValues = BFloat16Values(new Random(seed).Next(), y.Shape);
        y.Backward(Tensor.FromArray(dyValues, y.Shape).To(y.Device).ToDType(y.DType));
        return new Result(y, [.. a.Concat(p).Select(t => t.Grad ?? throw new AssertionException($"{c.Name}: no gradient reached an input"))]);
    }

    private static float[] BFloat16Values(int seed, Shape shape)
    {
        var r = new Random(seed);
        var v = new float[shape.Numel];
        for (int i = 0; i < v.Length; i++) v[i] = BFloat16.Round((float)(r.NextDouble() * 2 - 1));
        return v;
    }

    /// <summary>
    /// A BFloat16 result within one bfloat16 rounding of the Float32 one, element by element (|got − want| ≤ 2^-8·|want|);
    /// a Float32 result within 1e-6 of it, norm-wise.
    /// </summary>
    internal static void AssertWithinOneRounding(Tensor got, Tensor want, string what)
    {
        Assert.That(got.Shape, Is.EqualTo(want.Shape), what);
        if (got.DType != DType.BFloat16)
        {
            AssertNormwise(got, want, 1e-6, what);
            return;
        }
        var g = got.ToDoubleArray();
        var w = want.ToDoubleArray();
        for (int i = 0; i < g.Length; i++)
        {
            if (!(Math.Abs(g[i] - w[i]) <= Math.Abs(w[i]) * Math.Pow(2, -8)))
                Assert.Fail($"{what}: element {i} is {g[i]:R}, more than one bfloat16 rounding from the Float32 result {w[i]:R}");
        }
    }

    /// <summary>max |got − want| / max |want| ≤ <paramref name="tolerance"/>.</summary>
    internal static void AssertNormwise(Tensor got, Tensor want, double tolerance, string what)
    {
        Assert.That(got.Shape, Is.EqualTo(want.Shape), what);
        var g = got.ToDoubleArray();
        var w = want.ToDoubleArray();
        double diff = 0, scale = 0;
        for (int i = 0; i < g.Length; i++)
        {
            diff = Math.Max(diff, Math.Abs(g[i] - w[i]));
            scale = Math.Max(scale, Math.Abs(w[i]));
        }
        double error = scale == 0 ? diff : diff / scale;
        Assert.That(error, Is.LessThanOrEqualTo(tolerance), $"{what}: norm-wise relative error {error:e3} (tolerance {tolerance:e2})");
    }
}
