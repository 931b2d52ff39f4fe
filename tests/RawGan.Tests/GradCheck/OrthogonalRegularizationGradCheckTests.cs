using RawGan.Engine;
using RawGan.Engine.Autograd;
using RawGan.Tests.TestSupport;
using static RawGan.Engine.Ops;

namespace RawGan.Tests.GradCheck;

[Category("GradCheck")]
public class OrthogonalRegularizationGradCheckTests
{
    private static readonly int[][] WeightShapes = [[4, 6], [5, 3], [2, 7], [3, 2, 3, 3], [4, 2, 1, 1]];

    [TestCaseSource(nameof(WeightShapes))]
    public void OrthogonalPenaltyHasTheRightAutogradGradient(int[] shape)
    {
        var rng = TestRng.Fresh();
        var w = rng.Normal(shape, requiresGrad: true, std: 0.5);
        GradientChecker.Check("OrthogonalPenalty", rng, xs => OrthogonalPenalty(xs[0]), [w]);
    }

    [TestCaseSource(nameof(WeightShapes))]
    public void GradientTermIsTheNumericalGradientOfThePenalty(int[] shape)
    {
        var rng = TestRng.Fresh();
        var w = rng.Normal(shape, std: 0.5);
        var term = OrthogonalRegularizationGradient(w);
        Assert.That(term.Shape, Is.EqualTo(w.Shape));
        Assert.That(term.RequiresGrad, Is.False, "the term is not recorded");
        // ½‖W Wᵀ ⊙ (1 − I)‖²_F written out independently of the engine, on W viewed as (out, rest).
        var numeric = GradientChecker.CentralDifference(v => Penalty(v, shape[0]), w.ToDoubleArray());
        Tolerance.AssertClose(term.ToDoubleArray(), numeric, GradientChecker.DefaultRelative, GradientChecker.DefaultAbsolute,
                              "orthogonal regularisation gradient", rng, shape);
    }

    [Test]
    public void AddOrthogonalRegularizationAddsStrengthTimesTheTerm()
    {
        var rng = TestRng.Fresh();
        var w = rng.Normal([3, 5], requiresGrad: true);
        const double strength = 1e-2;
        var term = OrthogonalRegularizationGradient(w).ToDoubleArray();

        AddOrthogonalRegularization(w, strength);
        Tolerance.AssertClose(w.Grad!.ToDoubleArray(), term.Select(t => strength * t).ToArray(), 1e-12, 1e-15, "grad created", rng);

        var existing = rng.Normal([3, 5]);
        w.Grad = existing.Clone();
        AddOrthogonalRegularization(w, strength);
        var expected = existing.ToDoubleArray().Zip(term, (g, t) => g + strength * t).ToArray();
        Tolerance.AssertClose(w.Grad!.ToDoubleArray(), expected, 1e-12, 1e-15, "grad accumulated", rng);
    }

    [Test]
    public void PenaltyVanishesForOrthogonalRows()
    {
        // Rows of a permutation matrix are orthogonal: the penalty and its gradient are zero.
        var w = TestRng.Make([0, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0], [3, 4]);
        using var _ = GradMode.Disable();
        Assert.That(OrthogonalPenalty(w).Item(), Is.Zero);
        Assert.That(OrthogonalRegularizationGradient(w).ToDoubleArray(), Is.All.Zero);
    }

    [Test]
    public void SingleRowHasNoOffDiagonalTerms()
    {
        var rng = TestRng.Fresh();
        var w = rng.Normal([1, 4]);
        using var _ = GradMode.Disable();
        Assert.That(OrthogonalPenalty(w).Item(), Is.Zero);
        Assert.That(OrthogonalRegularizationGradient(w).ToDoubleArray(), Is.All.Zero);
    }

    private static double Penalty(double[] w, int rows)
    {
        int cols = w.Length / rows;
        double p = 0;
        for (int i = 0; i < rows; i++)
        for (int j = 0; j < rows; j++)
        {
            if (i == j) continue;
            double dot = 0;
            for (int k = 0; k < cols; k++) dot += w[i * cols + k] * w[j * cols + k];
            p += dot * dot;
        }
        return 0.5 * p;
    }
}
