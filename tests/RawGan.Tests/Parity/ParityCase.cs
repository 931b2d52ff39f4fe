using System.Text.Json;
using RawGan.Engine;

namespace RawGan.Tests.Parity;

// Inside the namespace, so that it wins over the sibling namespace RawGan.Tests.Ops.
using Ops = RawGan.Engine.Ops;

/// <summary>
/// One fixture case: its parameters (from the metadata JSON), the PyTorch tensors, and the comparison of our
/// outputs and gradients with them by norm-wise relative error max|ours − torch| / max|torch|.
/// </summary>
internal sealed class ParityCase
{
    private readonly ParityFixture _fixture;
    private readonly JsonElement _meta;

    public ParityCase(ParityFixture fixture, string name)
    {
        _fixture = fixture;
        Name = name;
        if (!fixture.File.Metadata.TryGetValue(name, out var json))
            throw new ArgumentException($"{fixture.Family} has no case \"{name}\".", nameof(name));
        _meta = JsonDocument.Parse(json).RootElement;
        Op = String("op");
        DType = String("dtype") switch
        {
            "f32" => DType.Float32,
            "f64" => DType.Float64,
            var other => throw new InvalidDataException($"{Label}: unknown dtype tag \"{other}\"."),
        };
        InputRoles = Strings("inputs");
        OutputRoles = Strings("outputs");
        GradRoles = Strings("grads");
    }

    public string Name { get; }

    /// <summary>"family/case", the prefix of every failure message.</summary>
    public string Label => $"{_fixture.Family}/{Name}";

    public string Op { get; }

    public DType DType { get; }

    public string[] InputRoles { get; }

    public string[] OutputRoles { get; }

    /// <summary>Inputs whose gradient PyTorch computed (stored as "g" + role).</summary>
    public string[] GradRoles { get; }

    /// <summary>Relative error allowed: float32 implementations differ in rounding; float64 ones barely.</summary>
    public double Tolerance => DType == DType.Float32 ? 1e-5 : 1e-10;

    public string String(string key) => _meta.GetProperty(key).GetString()!;

    public double Double(string key) => _meta.GetProperty(key).GetDouble();

    public int Int(string key) => _meta.GetProperty(key).GetInt32();

    public bool Bool(string key) => _meta.GetProperty(key).GetBoolean();

    public int[] Ints(string key) => _meta.GetProperty(key).EnumerateArray().Select(e => e.GetInt32()).ToArray();

    public string[] Strings(string key) =>
        _meta.TryGetProperty(key, out var a) ? a.EnumerateArray().Select(e => e.GetString()!).ToArray() : [];

    /// <summary>The PyTorch tensor of a role (shared: never modify it).</summary>
    public Tensor Reference(string role) => _fixture.File[$"{Name}.{role}"];

    /// <summary>Fresh copies of the inputs; those PyTorch differentiated collect gradients.</summary>
    public Dictionary<string, Tensor> Inputs()
    {
        var inputs = new Dictionary<string, Tensor>();
        foreach (var role in InputRoles)
        {
            var t = Reference(role).Clone();
            if (GradRoles.Contains(role)) t.RequireGrad();
            inputs[role] = t;
        }
        return inputs;
    }

    public InvalidOperationException UnknownOp() => new($"{Label}: the parity test has no mapping for op \"{Op}\".");

    /// <summary>
    /// Runs <paramref name="forward"/> on fresh inputs, compares its outputs with y (y0, y1, ...), back-propagates
    /// loss = Σ sum(yᵢ ⊙ gyᵢ) and compares each input gradient. Returns the inputs for further checks.
    /// </summary>
    public Dictionary<string, Tensor> Check(Func<Dictionary<string, Tensor>, Tensor[]> forward)
    {
        var inputs = Inputs();
        var outputs = forward(inputs);
        Assert.That(outputs, Has.Length.EqualTo(OutputRoles.Length), $"{Label}: number of outputs");
        using (Assert.EnterMultipleScope())
        {
            for (int i = 0; i < outputs.Length; i++) AssertClose(OutputRoles[i], outputs[i]);
        }
        if (GradRoles.Length == 0) return inputs;

        Tensor? loss = null;
        for (int i = 0; i < outputs.Length; i++)
        {
            var term = Ops.Sum(Ops.Mul(outputs[i], Reference(OutputRoles[i].Replace("y", "gy", StringComparison.Ordinal))));
            loss = loss is null ? term : Ops.Add(loss, term);
        }
        loss!.Backward();
        using (Assert.EnterMultipleScope())
        {
            foreach (var role in GradRoles)
            {
                var grad = inputs[role].Grad;
                Assert.That(grad, Is.Not.Null, $"{Label}: no gradient reached input {role}");
                if (grad is not null) AssertClose("g" + role, grad);
            }
        }
        return inputs;
    }

    /// <summary>Asserts that <paramref name="ours"/> matches the PyTorch tensor of <paramref name="role"/>.</summary>
    public void AssertClose(string role, Tensor ours)
    {
        var torch = Reference(role);
        Assert.That(ours.Shape, Is.EqualTo(torch.Shape), $"{Label}: shape of {role}");
        Assert.That(ours.DType, Is.EqualTo(torch.DType), $"{Label}: dtype of {role}");
        if (ours.Shape != torch.Shape || ours.DType != torch.DType) return;
        var (error, detail) = RelativeError(ours.ToDoubleArray(), torch.ToDoubleArray());
        Assert.That(error, Is.LessThan(Tolerance), $"{Label}: {role} differs from PyTorch: relative error {error:E2} > {Tolerance:E0} ({detail})");
    }

    /// <summary>max|a − b| / max|b| (absolute when b is all zeros); NaN anywhere counts as infinite.</summary>
    internal static (double Error, string Detail) RelativeError(double[] ours, double[] torch)
    {
        double maxDiff = 0, maxRef = 0;
        int worst = -1;
        for (int i = 0; i < ours.Length; i++)
        {
            double d = Math.Abs(ours[i] - torch[i]);
            if (double.IsNaN(d)) d = double.PositiveInfinity;
            if (d > maxDiff || worst < 0)
            {
                maxDiff = d;
                worst = i;
            }
            maxRef = Math.Max(maxRef, Math.Abs(torch[i]));
        }
        double error = maxRef > 0 ? maxDiff / maxRef : maxDiff;
        string detail = worst < 0 ? "empty" : $"max |diff| {maxDiff:E3} at element {worst}: ours {ours[worst]:R}, torch {torch[worst]:R}; max |torch| {maxRef:E3}";
        return (error, detail);
    }
}
