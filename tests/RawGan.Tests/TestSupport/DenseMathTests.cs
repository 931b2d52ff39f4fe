namespace RawGan.Tests.TestSupport;

/// <summary>The independent linear algebra the spectral-norm tests lean on.</summary>
public class DenseMathTests
{
    [Test]
    public void SingularValuesOfAConstructedMatrix()
    {
        var rng = TestRng.Fresh();
        double[] s = [3.0, 1.5, 0.7, 0.2];
        var w = DenseMath.WithSingularValues(rng, 4, 7, s);
        Assert.That(DenseMath.SingularValues(w, 4, 7), Is.EqualTo(s).Within(1e-12), rng.ToString());
        var wt = DenseMath.Transpose(w, 4, 7);
        Assert.That(DenseMath.SingularValues(wt, 7, 4), Is.EqualTo(s).Within(1e-12), rng.ToString());
    }

    [Test]
    public void EigenvaluesOfAKnownSymmetricMatrix()
    {
        // [[2, 1], [1, 2]] has eigenvalues 3 and 1.
        Assert.That(DenseMath.SymmetricEigenvalues([2, 1, 1, 2], 2), Is.EqualTo(new[] { 3.0, 1.0 }).Within(1e-14));
    }
}
