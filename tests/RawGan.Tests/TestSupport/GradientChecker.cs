using System.Globalization;
using System.Text;
using RawGan.Engine;
using RawGan.Engine.Autograd;

namespace RawGan.Tests.TestSupport;

/// <summary>
/// Float64 gradient checks. The analytic gradient comes from autograd on loss = Σ_k sum(f(inputs)_k ⊙ W_k), with
/// random W_k, so that every output element gets its own weight; the numerical one from central differences of
/// the same loss, written as Σ_j W_j (f⁺_j − f⁻_j) / 2h so that rounding in a large loss does not swamp the
/// difference. Every input with RequiresGrad is checked, element by element.
/// </summary>
public static class GradientChecker
{
    /// <summary>Central-difference step: truncation error O(h²) ≈ 1e-12, rounding error O(ε/h) ≈ 1e-10.</summary>
    public const double DefaultStep = 1e-6;

    /// <summary>Relative tolerance between analytic and numerical gradients.</summary>
    public const double DefaultRelative = 1e-6;

    /// <summary>Absolute floor, for gradient elements near zero (raised for large outputs, see <see cref="RoundingFactor"/>).</summary>
    public const double DefaultAbsolute = 1e-8;

    /// <summary>
    /// Each difference f⁺_j − f⁻_j carries a rounding error of about ε·|f_j|, so the numerical gradient carries
    /// about ε·‖W ⊙ f‖₂ / h of noise whatever the gradient's size (measured: up to 0.6 of that on self-attention).
    /// The absolute floor is at least this factor times that estimate.
    /// </summary>
    public const double RoundingFactor = 4.0;

    /// <summary>The spacing of doubles at 1 (2⁻⁵²); <see cref="double.Epsilon"/> is the smallest subnormal instead.</summary>
    private const double MachineEpsilon = 2.220446049250313e-16;

    /// <summary>Checks a single-output function; see <see cref="CheckMany"/>.</summary>
    public static void Check(string name, TestRng rng, Func<Tensor[], Tensor> f, Tensor[] inputs,
                             double rtol = DefaultRelative, double atol = DefaultAbsolute, double step = DefaultStep) =>
        CheckMany(name, rng, xs => [f(xs)], inputs, rtol, atol, step);

    /// <summary>
    /// Checks the gradients of every input that requires grad (all Float64). f must be a pure function of its
    /// inputs: it is called once with recording and 2·n times without, n the number of checked elements.
    /// Fails when a gradient is missing, when it is identically zero (the check would prove nothing), or when any
    /// element differs beyond |analytic − numerical| ≤ atol + rtol·|numerical|.
    /// </summary>
    public static void CheckMany(string name, TestRng rng, Func<Tensor[], Tensor[]> f, Tensor[] inputs,
                                 double rtol = DefaultRelative, double atol = DefaultAbsolute, double step = DefaultStep)
    {
        var problems = FindProblems(rng, f, inputs, rtol, atol, step, out double worst);
        TestContext.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: worst error / tolerance = {worst:g3}"));
        if (problems.Length > 0)
            Assert.Fail($"{name}: gradient check failed (rtol {rtol:g3}, step {step:g3}); {rng}\n{problems}");
    }

    /// <summary>
    /// The comparison behind <see cref="CheckMany"/>: an empty string when every gradient matches, otherwise one
    /// line per problem. <paramref name="worst"/> is the largest error as a fraction of its tolerance.
    /// </summary>
    public static string FindProblems(TestRng rng, Func<Tensor[], Tensor[]> f, Tensor[] inputs,
                                      double rtol, double atol, double step, out double worst)
    {
        var report = new StringBuilder();
        worst = 0;
        var checkedInputs = Enumerable.Range(0, inputs.Length).Where(i => inputs[i].RequiresGrad).ToArray();
        if (checkedInputs.Length == 0) return "  no input requires grad, nothing to check";
        foreach (var i in checkedInputs)
        {
            if (inputs[i].DType != DType.Float64) return $"  input {i} is {inputs[i].DType}; gradient checks need Float64";
            inputs[i].Grad = null;
        }

        var outputs = f(inputs);
        var weights = outputs.Select(o => rng.Normal(o.Shape.ToArray())).ToArray();
        var weightData = weights.Select(w => w.ToDoubleArray()).ToArray();
        Tensor? loss = null;
        for (int k = 0; k < outputs.Length; k++)
        {
            var term = Engine.Ops.Sum(Engine.Ops.Mul(outputs[k], weights[k]));
            loss = loss is null ? term : Engine.Ops.Add(loss, term);
        }
        double weightedNorm = 0;
        for (int k = 0; k < outputs.Length; k++)
        {
            var o = outputs[k].ToDoubleArray(); // before Backward, which frees the graph's tensors
            for (int j = 0; j < o.Length; j++) weightedNorm += o[j] * o[j] * weightData[k][j] * weightData[k][j];
        }
        loss!.Backward();
        atol = Math.Max(atol, RoundingFactor * MachineEpsilon * Math.Sqrt(weightedNorm) / step);
        report.AppendLine(CultureInfo.InvariantCulture, $"  absolute floor {atol:g3}");
        int headerLength = report.Length;

        foreach (var i in checkedInputs)
        {
            var x = inputs[i];
            var grad = x.Grad;
            if (grad is null || grad.Shape != x.Shape || grad.DType != DType.Float64)
            {
                report.AppendLine(CultureInfo.InvariantCulture, $"  input {i} {x.Shape}: gradient is {grad?.ToString() ?? "missing"}");
                continue;
            }
            var analytic = grad.ToDoubleArray();
            var numeric = Numerical(f, inputs, x, weightData, step);

            if (numeric.All(v => Math.Abs(v) < 1e-9) && analytic.All(v => Math.Abs(v) < 1e-9))
                report.AppendLine(CultureInfo.InvariantCulture, $"  input {i} {x.Shape}: gradient is identically zero; choose inputs that exercise it");
            int bad = 0;
            var shape = x.Shape.ToArray();
            for (int e = 0; e < analytic.Length; e++)
            {
                double err = Math.Abs(analytic[e] - numeric[e]);
                worst = Math.Max(worst, err / (atol + rtol * Math.Abs(numeric[e])));
                if (Tolerance.IsClose(analytic[e], numeric[e], rtol, atol)) continue;
                if (bad++ < 6)
                    report.AppendLine(CultureInfo.InvariantCulture,
                        $"  input {i} {x.Shape} at [{string.Join(", ", Nd.Unravel(e, shape))}]: analytic {analytic[e]:R}, numerical {numeric[e]:R}");
            }
            if (bad > 6) report.AppendLine(CultureInfo.InvariantCulture, $"  input {i}: {bad - 6} more mismatches");
        }
        return report.Length == headerLength ? "" : report.ToString();
    }

    /// <summary>∂/∂x of Σ_k W_k·f_k by central differences, element by element, without recording.</summary>
    private static double[] Numerical(Func<Tensor[], Tensor[]> f, Tensor[] inputs, Tensor x, double[][] weights, double step)
    {
        using var noGrad = GradMode.Disable();
        var data = x.ToArray<double>();
        var result = new double[data.Length];
        for (int e = 0; e < data.Length; e++)
        {
            Set(x, e, data[e] + step);
            var plus = f(inputs).Select(o => o.ToDoubleArray()).ToArray();
            Set(x, e, data[e] - step);
            var minus = f(inputs).Select(o => o.ToDoubleArray()).ToArray();
            Set(x, e, data[e]);
            double d = 0;
            for (int k = 0; k < weights.Length; k++)
            {
                for (int j = 0; j < weights[k].Length; j++) d += weights[k][j] * (plus[k][j] - minus[k][j]);
            }
            result[e] = d / (2 * step);
        }
        return result;
    }

    /// <summary>Writes one element of a Float64 tensor in place.</summary>
    public static void Set(Tensor x, long index, double value) =>
        x.Backend.CopyFromHost<double>([value], x.Storage, index);

    /// <summary>
    /// Central-difference gradient of a scalar function of a host vector, for checks against quantities the
    /// engine does not compute (e.g. the exact largest singular value).
    /// </summary>
    public static double[] CentralDifference(Func<double[], double> f, double[] x, double step = DefaultStep)
    {
        var g = new double[x.Length];
        var p = (double[])x.Clone();
        for (int i = 0; i < x.Length; i++)
        {
            p[i] = x[i] + step;
            double fp = f(p);
            p[i] = x[i] - step;
            double fm = f(p);
            p[i] = x[i];
            g[i] = (fp - fm) / (2 * step);
        }
        return g;
    }
}
