using RawGan.Engine;
using RawGan.Engine.Nn;

namespace RawGan.Tests.Nn;

using Ops = RawGan.Engine.Ops;

public class ModuleTests
{
    private sealed class Block : Module
    {
        public Block()
        {
            Conv = Child("conv", new Conv2d(3, 4, 3, padding: 1, sn: new SpectralNormOptions(), seed: 1));
            Bn = Child("bn", new BatchNorm(4));
            Head = Child("head", new Linear(4, 2, bias: false));
        }

        public Conv2d Conv { get; }

        public BatchNorm Bn { get; }

        public Linear Head { get; }
    }

    [Test]
    public void NamesAreDottedPathsAndCountsExcludeBuffers()
    {
        var b = new Block();
        Assert.That(b.NamedParameters().Select(p => p.Key), Is.EqualTo(new[] { "conv.weight", "conv.bias", "bn.weight", "bn.bias", "head.weight" }));
        Assert.That(b.NamedBuffers().Select(p => p.Key), Is.EqualTo(new[] { "conv.u0", "conv.sv0", "bn.running_mean", "bn.running_var" }));
        Assert.That(b.ParameterCount, Is.EqualTo(4 * 3 * 9 + 4 + 4 + 4 + 8));
        Assert.That(b.NamedParameters().All(p => p.Value.RequiresGrad), Is.True);
    }

    [Test]
    public void TrainAndEvalReachEveryDescendant()
    {
        var b = new Block();
        b.Eval();
        Assert.That(new Module[] { b, b.Conv, b.Bn, b.Head }.All(m => !m.Training), Is.True);
        b.Train();
        Assert.That(b.Bn.Training, Is.True);
    }

    [Test]
    public void StateDictRoundTripsAndLoadingChecksNamesAndShapes()
    {
        var a = new Block();
        Init.Orthogonal(a.Conv.Weight, 5);
        var state = a.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Clone());
        var b = new Block();
        b.LoadStateDict(state);
        foreach (var (name, t) in b.StateDict())
            Assert.That(t.ToArray<float>(), Is.EqualTo(state[name].ToArray<float>()), name);

        var missing = new Dictionary<string, Tensor>(state);
        missing.Remove("bn.running_var");
        Assert.That(() => b.LoadStateDict(missing), Throws.TypeOf<KeyNotFoundException>().With.Message.Contains("bn.running_var"));
        var extra = new Dictionary<string, Tensor>(state) { ["ghost"] = Tensor.Zeros([1]) };
        Assert.That(() => b.LoadStateDict(extra), Throws.ArgumentException.With.Message.Contains("ghost"));
        var wrong = new Dictionary<string, Tensor>(state) { ["head.weight"] = Tensor.Zeros([3, 3]) };
        Assert.That(() => b.LoadStateDict(wrong), Throws.ArgumentException.With.Message.Contains("head.weight"));
    }

    [TestCase(4, 36)]
    [TestCase(36, 4)]
    [TestCase(5, 5)]
    public void OrthogonalInitGivesOrthonormalRowsOrColumns(int rows, int cols)
    {
        var w = Tensor.Zeros([rows, cols], DType.Float64);
        Init.Orthogonal(w, (ulong)Random.Shared.NextInt64());
        var small = rows <= cols ? w : Ops.Transpose(w, 0, 1);
        var gram = Ops.MatMul(small, small, transB: true).ToArray<double>();
        int k = Math.Min(rows, cols);
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
                Assert.That(gram[i * k + j], Is.EqualTo(i == j ? 1.0 : 0.0).Within(1e-12), $"({i}, {j})");
    }

    [Test]
    public void SpectralNormLeavesTheEffectiveWeightWithUnitTopSingularValue()
    {
        var layer = new Linear(12, 8, sn: new SpectralNormOptions(Eps: 1e-12), dtype: DType.Float64, seed: 3);
        Init.Normal(layer.Weight, 1.0, 9);
        Tensor w = layer.Weight;
        using (RawGan.Engine.Autograd.GradMode.Disable())
        {
            for (int i = 0; i < 200; i++) w = layer.EffectiveWeight();
        }
        var sigma = Ops.SpectralNormSigma(w, Tensor.RandomNormal([8], 1, dtype: DType.Float64), updateU: false, eps: 1e-12, iterations: 500);
        Assert.That(sigma.Item(), Is.EqualTo(1.0).Within(1e-9));
        layer.Eval();
        var before = layer.NamedBuffers().First(b => b.Key == "u0").Value.ToArray<double>();
        _ = layer.EffectiveWeight();
        Assert.That(layer.NamedBuffers().First(b => b.Key == "u0").Value.ToArray<double>(), Is.EqualTo(before), "u stays in eval");
    }
}
