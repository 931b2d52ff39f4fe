using RawGan.Engine;
using RawGan.Tests.TestSupport;
using RawGan.Engine.Autograd;

namespace RawGan.Tests.Ops;

using Ops = RawGan.Engine.Ops;

/// <summary>
/// The bf16 policy as the ops apply it (<see cref="Autocast"/>): which ops cast what, what dtype comes out, that
/// gradients reach the Float32 originals, the per-scope cache of parameter casts, and that a backward pass runs its
/// products as the forward recorded them whatever scope is open.
/// </summary>
public class AutocastPolicyTests
{
    private static Tensor Floats(TestRng rng, int[] shape, bool requiresGrad = false) => rng.Uniform(shape, -1, 1, DType.Float32, requiresGrad);

    [Test]
    public void ProductsReadBFloat16UnderBf16AndFloat32Otherwise()
    {
        var rng = TestRng.Fresh();
        var x = Floats(rng, [2, 3, 6, 6]);
        var w = Floats(rng, [4, 3, 3, 3], requiresGrad: true);
        var b = Floats(rng, [4], requiresGrad: true);
        var m = Floats(rng, [5, 7]);
        var lw = Floats(rng, [2, 7], requiresGrad: true);
        using (Autocast.Enable(Precision.Bf16))
        {
            Assert.That(Ops.Conv2d(x, w, b, 1, 1).DType, Is.EqualTo(DType.BFloat16), "Conv2d");
            Assert.That(Ops.Linear(m, lw, Floats(rng, [2])).DType, Is.EqualTo(DType.BFloat16), "Linear (bias cast too)");
            Assert.That(Ops.MatMul(m, m, transB: true).DType, Is.EqualTo(DType.BFloat16), "MatMul");
            Assert.That(Ops.BatchedMatMul(Floats(rng, [2, 3, 4]), Floats(rng, [2, 4, 5])).DType, Is.EqualTo(DType.BFloat16), "BatchedMatMul");
            var d = rng.Uniform([3, 4], -1, 1, DType.Float64);
            Assert.That(Ops.MatMul(d, d, transB: true).DType, Is.EqualTo(DType.Float64), "Float64 is never cast (gradient checks)");
            using (Autocast.Enable(Precision.Tf32))
                Assert.That(Ops.MatMul(m, m, transB: true).DType, Is.EqualTo(DType.Float32), "an inner Tf32 scope");
        }
        foreach (var p in new[] { Precision.Fp32, Precision.Tf32 })
        {
            using var scope = Autocast.Enable(p);
            Assert.That(Ops.Conv2d(x, w, b, 1, 1).DType, Is.EqualTo(DType.Float32), p.ToString());
        }
        Assert.That(Autocast.Current, Is.EqualTo(Precision.Fp32), "outside every scope");
    }

    [Test]
    public void GradientsOfABFloat16ConvolutionReachTheFloat32WeightsCloseToFloat32Ones()
    {
        var rng = TestRng.Fresh();
        var x = Floats(rng, [2, 4, 8, 8], requiresGrad: true);
        var w = Floats(rng, [5, 4, 3, 3], requiresGrad: true);
        var b = Floats(rng, [5], requiresGrad: true);
        var dy = Floats(rng, [2, 5, 8, 8]);
        Tensor[] Gradients(Precision p)
        {
            foreach (var t in new[] { x, w, b }) t.Grad = null;
            using (Autocast.Enable(p)) Ops.Conv2d(x, w, b, 1, 1).Backward(dy.ToDType(p == Precision.Bf16 ? DType.BFloat16 : DType.Float32));
            return [x.Grad!, w.Grad!, b.Grad!];
        }
        var exact = Gradients(Precision.Fp32);
        var mixed = Gradients(Precision.Bf16);
        string[] names = ["x", "w", "bias"];
        for (int i = 0; i < 3; i++)
        {
            Assert.That(mixed[i].DType, Is.EqualTo(DType.Float32), $"{names[i]}'s gradient is in its own dtype");
            // Inputs and dy rounded to bfloat16 (2^-9 each), sums of 36-128 products in float32, one more rounding: 2^-6 norm-wise.
            MixedPrecisionOpTests.AssertNormwise(mixed[i], exact[i], 1.0 / 64, $"{names[i]}; {rng}");
        }
    }

    [Test]
    public void AParameterIsCastOncePerScopeAndItsGradientSumsEveryUse()
    {
        var rng = TestRng.Fresh();
        var w = Floats(rng, [3, 4], requiresGrad: true);
        // Positive inputs: the column sums below do not cancel, so three bfloat16 roundings stay within 2^-7 of them.
        var a = rng.Uniform([2, 4], 0.1, 1, DType.Float32);
        var c = rng.Uniform([5, 4], 0.1, 1, DType.Float32);
        Tensor first, second, third, firstCast;
        using (Autocast.Enable(Precision.Bf16))
        {
            first = Ops.MatMul(a, w, transB: true);
            second = Ops.MatMul(c, w, transB: true);
            firstCast = first.GradFn!.Inputs[1];
            Assert.That(firstCast, Is.SameAs(second.GradFn!.Inputs[1]), "one cast of w within a scope");
            Ops.Add(Ops.Sum(first), Ops.Sum(second)).Backward();
        }
        // d/dw Σ(a wᵀ) + Σ(c wᵀ) = the column sums of a and c (read in bfloat16), broadcast over w's rows; each use's
        // product and their sum are rounded to bfloat16.
        var want = Enumerable.Range(0, 4).Select(j => ColumnSum(a, j) + ColumnSum(c, j)).ToArray();
        var got = w.Grad!.ToDoubleArray();
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 4; j++)
                Assert.That(got[i * 4 + j], Is.EqualTo(want[j]).Within(Math.Abs(want[j]) / 128), $"dw[{i},{j}]; {rng}");
        using (Autocast.Enable(Precision.Bf16)) third = Ops.MatMul(a, w, transB: true);
        Assert.That(third.GradFn!.Inputs[1], Is.Not.SameAs(firstCast), "a new scope casts again");
    }

    private static double ColumnSum(Tensor m, int column)
    {
        var v = m.ToDoubleArray();
        int cols = m.Shape[1];
        double s = 0;
        for (int i = 0; i < m.Shape[0]; i++) s += BFloat16.Round((float)v[i * cols + column]);
        return s;
    }

    [Test]
    public void CastsMadeWithoutGradientsOrOfIntermediatesAreNotShared()
    {
        var rng = TestRng.Fresh();
        var w = Floats(rng, [3, 4], requiresGrad: true);
        var a = Floats(rng, [2, 4]);
        using var scope = Autocast.Enable(Precision.Bf16);
        using (GradMode.Disable()) Ops.MatMul(a, w, transB: true);
        var recorded = Ops.MatMul(a, w, transB: true);
        Assert.That(recorded.GradFn!.Inputs[1].GradFn, Is.Not.Null, "the cast after a no-grad use is recorded, so the gradient reaches w");
        var scaled = Ops.MulScalar(w, 2); // not a leaf: cast afresh at each use, as its value may differ
        var once = Ops.MatMul(a, scaled, transB: true);
        var twice = Ops.MatMul(a, scaled, transB: true);
        Assert.That(twice.GradFn!.Inputs[1], Is.Not.SameAs(once.GradFn!.Inputs[1]));
    }

    [Test]
    public void BackwardRunsItsProductsAsRecordedInsideAnyScope()
    {
        // The spectral norm's backward calls MatMul (an outer product): inside a Bf16 scope it must stay Float32 and exact.
        var rng = TestRng.Fresh();
        var w = Floats(rng, [6, 10], requiresGrad: true);
        var u = Floats(rng, [6]);
        Tensor Gradient(bool insideScope)
        {
            w.Grad = null;
            var sigma = Ops.SpectralNormSigma(w, u.Clone(), updateU: false);
            using (insideScope ? Autocast.Enable(Precision.Bf16) : default(Autocast.Scope?)) sigma.Backward();
            return w.Grad!;
        }
        var outside = Gradient(false).ToArray<float>();
        var inside = Gradient(true);
        Assert.That(inside.DType, Is.EqualTo(DType.Float32));
        Assert.That(inside.ToArray<float>(), Is.EqualTo(outside), $"bit for bit; {rng}");
    }

    [Test]
    public void ElementwiseOpsPromoteAsPyTorchDoes()
    {
        var rng = TestRng.Fresh();
        var h = Floats(rng, [2, 3]).ToDType(DType.BFloat16).RequireGrad();
        var f = Floats(rng, [2, 3], requiresGrad: true);
        var sum = Ops.Add(h, f);
        Assert.That(sum.DType, Is.EqualTo(DType.Float32), "BFloat16 + Float32");
        Assert.That(sum.ToDoubleArray(), Is.EqualTo(h.ToDoubleArray().Zip(f.ToDoubleArray(), (p, q) => (double)(float)(p + q))), "computed in Float32");
        Assert.That(Ops.Mul(Tensor.Scalar(0.5), h).DType, Is.EqualTo(DType.BFloat16), "a zero-dimensional Float32 does not widen a BFloat16 tensor");
        Assert.That(Ops.Mul(Tensor.Full([1], 0.5), h).DType, Is.EqualTo(DType.Float32), "a one-element Float32 tensor does");
        Assert.That(Ops.Cat([h, f], 0).DType, Is.EqualTo(DType.Float32), "Cat");
        Assert.That(Ops.Cat([h, h], 0).DType, Is.EqualTo(DType.BFloat16), "Cat of BFloat16");
        Ops.Sum(Ops.Add(h, f)).Backward();
        Assert.That((h.Grad!.DType, f.Grad!.DType), Is.EqualTo((DType.BFloat16, DType.Float32)), "each gradient in its input's dtype");
        var d = rng.Uniform([2, 3], -1, 1, DType.Float64);
        Assert.That(() => Ops.Add(f, d), Throws.ArgumentException.With.Message.Contains("dtypes differ"), "Float32 with Float64 stays an error");
    }

    [Test]
    public void ReductionsSoftmaxAndNormalisationStatisticsAreFloat32()
    {
        var rng = TestRng.Fresh();
        var h = Floats(rng, [4, 3, 2, 2]).ToDType(DType.BFloat16);
        Assert.That(Ops.Sum(h).DType, Is.EqualTo(DType.Float32));
        Assert.That(Ops.Mean(h, [0, 2, 3]).DType, Is.EqualTo(DType.Float32));
        Assert.That(Ops.Softmax(h).DType, Is.EqualTo(DType.Float32));
        Assert.That(Ops.LogSoftmax(h).DType, Is.EqualTo(DType.Float32));
        var runningMean = Tensor.Zeros([3]);
        var runningVar = Tensor.Ones([3]);
        var y = Ops.BatchNorm(h, runningMean, runningVar, Tensor.Ones([3]), Tensor.Zeros([3]), true);
        Assert.That(y.DType, Is.EqualTo(DType.BFloat16), "normalised activations stay BFloat16");
        var wide = h.ToDType(DType.Float32);
        var mean = Ops.Mean(wide, [0, 2, 3]).ToArray<float>();
        Assert.That(runningMean.ToArray<float>(), Is.EqualTo(mean.Select(m => 0.1f * m)).Within(1e-6), "running mean updated in Float32");
        Assert.That(() => Ops.BatchNorm(h, runningMean, runningVar, Tensor.Ones([3]).ToDType(DType.BFloat16), null, true),
                    Throws.ArgumentException.With.Message.Contains("gamma must be Float32 for BFloat16 x"));
    }

    [Test]
    public void OpsWithoutABFloat16PathSaySo()
    {
        var h = Tensor.Ones([1, 1, 6, 6], DType.BFloat16);
        Assert.That(() => Ops.MaxPool2d(h, 3, 1), Throws.ArgumentException.With.Message.Contains("MaxPool2d has no BFloat16 path"));
        Assert.That(() => Ops.Embedding(Tensor.Ones([3, 2], DType.BFloat16), Tensor.FromArray([0, 2])),
                    Throws.ArgumentException.With.Message.Contains("Embedding has no BFloat16 path"));
        Assert.That(Ops.MaxPool2d(h, 2, 2).DType, Is.EqualTo(DType.BFloat16), "a 2x2 window takes the 2x2 kernels, which have one");
    }
}
