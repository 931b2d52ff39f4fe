using RawGan.Engine;
using RawGan.Tests.TestSupport;
using static RawGan.Engine.Ops;

namespace RawGan.Tests.GradCheck;

[Category("GradCheck")]
public class ElementwiseGradCheckTests
{
    private static IEnumerable<TestCaseData> BinaryCases() =>
        from op in new[] { BinaryOp.Add, BinaryOp.Sub, BinaryOp.Mul, BinaryOp.Div }
        from pair in BroadcastShapes.Pairs
        select new TestCaseData(op, pair.A, pair.B).SetArgDisplayNames(op.ToString(), new Shape(pair.A).ToString(), new Shape(pair.B).ToString());

    [TestCaseSource(nameof(BinaryCases))]
    public void BinaryWithBroadcasting(BinaryOp op, int[] aShape, int[] bShape)
    {
        var rng = TestRng.Fresh();
        var a = rng.Normal(aShape, requiresGrad: true);
        // Divisors stay clear of zero so that 1/b is smooth at the step size.
        var b = op == BinaryOp.Div ? rng.AwayFromZero(bShape, 0.5, 2.0, requiresGrad: true) : rng.Normal(bShape, requiresGrad: true);
        GradientChecker.Check($"{op} {new Shape(aShape)} {new Shape(bShape)}", rng, xs => Apply(op, xs[0], xs[1]), [a, b]);
    }

    [TestCase(BinaryOp.Sub, true, false)]
    [TestCase(BinaryOp.Sub, false, true)]
    [TestCase(BinaryOp.Mul, false, true)]
    [TestCase(BinaryOp.Div, true, false)]
    [TestCase(BinaryOp.Div, false, true)]
    public void BinaryWithOneOperandConstant(BinaryOp op, bool aGrad, bool bGrad)
    {
        var rng = TestRng.Fresh();
        var a = rng.Normal([2, 3, 4], requiresGrad: aGrad);
        var b = rng.AwayFromZero([3, 1], 0.5, 2.0, requiresGrad: bGrad);
        GradientChecker.Check($"{op} constant operand", rng, xs => Apply(op, xs[0], xs[1]), [a, b]);
        Assert.That((aGrad ? b : a).Grad, Is.Null, "the constant operand gets no gradient");
    }

    private static Tensor Apply(BinaryOp op, Tensor a, Tensor b) => op switch
    {
        BinaryOp.Add => Add(a, b),
        BinaryOp.Sub => Sub(a, b),
        BinaryOp.Mul => Mul(a, b),
        _ => Div(a, b),
    };

    [Test]
    public void ScalarOps()
    {
        var rng = TestRng.Fresh();
        double scale = rng.Uniform(-2, 2), shift = rng.Uniform(-2, 2);
        var x = rng.Normal([2, 3, 5], requiresGrad: true);
        GradientChecker.Check("Affine", rng, xs => Affine(xs[0], scale, shift), [x]);
        GradientChecker.Check("AddScalar", rng, xs => AddScalar(xs[0], shift), [x]);
        GradientChecker.Check("MulScalar", rng, xs => MulScalar(xs[0], scale), [x]);
        GradientChecker.Check("Neg", rng, xs => Neg(xs[0]), [x]);
        GradientChecker.Check("operators", rng, xs => (2.5 * xs[0] - 1.0) / 3.0 + 0.5 - -xs[0] * 4.0, [x]);
    }

    [TestCase(new[] { 2, 3, 4, 5 })]
    [TestCase(new[] { 1, 7 })]
    [TestCase(new[] { 13 })]
    public void Relu_AwayFromTheKink(int[] shape)
    {
        var rng = TestRng.Fresh();
        // Both branches in every draw: with all 7 inputs negative the gradient is all zeros, which checks nothing.
        var values = rng.AwayFromZeroArray(Nd.Numel(shape), 0.05, 2.0);
        values[0] = Math.Abs(values[0]);
        values[1] = -Math.Abs(values[1]);
        var x = TestRng.Make(values, shape, requiresGrad: true);
        GradientChecker.Check("Relu", rng, xs => Relu(xs[0]), [x]);
    }

    [TestCase(new[] { 2, 3, 4, 5 })]
    [TestCase(new[] { 1, 7 })]
    public void Tanh_(int[] shape)
    {
        var rng = TestRng.Fresh();
        var x = rng.Normal(shape, requiresGrad: true, std: 1.5);
        GradientChecker.Check("Tanh", rng, xs => Tanh(xs[0]), [x]);
    }

    [TestCase(new[] { 2, 3, 4, 5 })]
    [TestCase(new[] { 1, 7 })]
    public void Exp_(int[] shape)
    {
        var rng = TestRng.Fresh();
        var x = rng.Normal(shape, requiresGrad: true);
        GradientChecker.Check("Exp", rng, xs => Exp(xs[0]), [x]);
    }

    [TestCase(new[] { 2, 3, 4, 5 })]
    [TestCase(new[] { 1, 7 })]
    public void Log_OfPositiveInputs(int[] shape)
    {
        var rng = TestRng.Fresh();
        var x = rng.Uniform(shape, 0.2, 3.0, requiresGrad: true);
        GradientChecker.Check("Log", rng, xs => Log(xs[0]), [x]);
    }

    [TestCase(new[] { 3, 1 }, new[] { 2, 3, 4 })]
    [TestCase(new[] { 1, 3, 1, 1 }, new[] { 2, 3, 2, 5 })]
    [TestCase(new[] { 5 }, new[] { 1, 3, 5 })]
    [TestCase(new[] { 2, 3 }, new[] { 2, 3 })]
    public void ExpandAndSumTo(int[] small, int[] large)
    {
        var rng = TestRng.Fresh();
        var x = rng.Normal(small, requiresGrad: true);
        GradientChecker.Check("Expand", rng, xs => Expand(xs[0], large), [x]);
        var g = rng.Normal(large, requiresGrad: true);
        GradientChecker.Check("SumTo", rng, xs => SumTo(xs[0], small), [g]);
    }
}
