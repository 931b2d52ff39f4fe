using System.Globalization;
using RawGan.Engine;

namespace RawGan.Tests.TestSupport;

/// <summary>
/// A seeded source of random test inputs. Each test takes a fresh seed, so that runs explore new inputs, and
/// prints it; setting RAWGAN_TEST_SEED replays one. Failure messages include <see cref="ToString"/>.
/// </summary>
public sealed class TestRng
{
    /// <summary>Environment variable that fixes the seed, to reproduce a failure.</summary>
    public const string SeedVariable = "RAWGAN_TEST_SEED";

    private readonly Random _random;

    private TestRng(int seed)
    {
        Seed = seed;
        _random = new Random(seed);
    }

    /// <summary>The seed this generator started from.</summary>
    public int Seed { get; }

    /// <summary>A generator with a fresh seed (or the one in RAWGAN_TEST_SEED), written to the test's output.</summary>
    public static TestRng Fresh()
    {
        var fixedSeed = Environment.GetEnvironmentVariable(SeedVariable);
        int seed = string.IsNullOrEmpty(fixedSeed) ? Random.Shared.Next() : int.Parse(fixedSeed, CultureInfo.InvariantCulture);
        var rng = new TestRng(seed);
        TestContext.Out.WriteLine(rng.ToString());
        return rng;
    }

    /// <summary>A generator with a given seed, e.g. a second stream equal to one from <see cref="Fresh"/>.</summary>
    public static TestRng WithSeed(int seed) => new(seed);

    /// <summary>Uniform in [lo, hi).</summary>
    public double Uniform(double lo, double hi) => lo + (hi - lo) * _random.NextDouble();

    /// <summary>An integer in [lo, hi).</summary>
    public int Int(int lo, int hi) => _random.Next(lo, hi);

    /// <summary>Standard normal (Box–Muller).</summary>
    public double Normal()
    {
        double u1 = 1.0 - _random.NextDouble(), u2 = _random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>n normal numbers with the given standard deviation.</summary>
    public double[] NormalArray(long n, double std = 1.0)
    {
        var a = new double[n];
        for (long i = 0; i < n; i++) a[i] = std * Normal();
        return a;
    }

    /// <summary>n numbers uniform in [lo, hi).</summary>
    public double[] UniformArray(long n, double lo, double hi)
    {
        var a = new double[n];
        for (long i = 0; i < n; i++) a[i] = Uniform(lo, hi);
        return a;
    }

    /// <summary>n numbers with magnitude in [margin, max] and random sign: clear of a kink at 0.</summary>
    public double[] AwayFromZeroArray(long n, double margin, double max)
    {
        var a = new double[n];
        for (long i = 0; i < n; i++) a[i] = (_random.Next(2) == 0 ? -1 : 1) * Uniform(margin, max);
        return a;
    }

    /// <summary>
    /// n distinct numbers spaced at least <paramref name="spacing"/> apart, in random order (a shuffled grid with
    /// jitter): every max-pool window then has a unique maximum.
    /// </summary>
    public double[] DistinctArray(long n, double spacing = 0.05)
    {
        var a = new double[n];
        for (long i = 0; i < n; i++) a[i] = (i - n / 2.0) * spacing + Uniform(0, 0.4 * spacing);
        Shuffle(a);
        return a;
    }

    /// <summary>Random indices in [0, rows).</summary>
    public int[] Indices(int count, int rows)
    {
        var a = new int[count];
        for (int i = 0; i < count; i++) a[i] = _random.Next(rows);
        return a;
    }

    /// <summary>Shuffles in place.</summary>
    public void Shuffle<T>(T[] a) => _random.Shuffle(a);

    /// <summary>A normal tensor.</summary>
    public Tensor Normal(int[] shape, DType dtype = DType.Float64, bool requiresGrad = false, double std = 1.0) =>
        Make(NormalArray(Nd.Numel(shape), std), shape, dtype, requiresGrad);

    /// <summary>A tensor uniform in [lo, hi).</summary>
    public Tensor Uniform(int[] shape, double lo, double hi, DType dtype = DType.Float64, bool requiresGrad = false) =>
        Make(UniformArray(Nd.Numel(shape), lo, hi), shape, dtype, requiresGrad);

    /// <summary>A tensor whose magnitudes lie in [margin, max], random signs.</summary>
    public Tensor AwayFromZero(int[] shape, double margin, double max, DType dtype = DType.Float64, bool requiresGrad = false) =>
        Make(AwayFromZeroArray(Nd.Numel(shape), margin, max), shape, dtype, requiresGrad);

    /// <summary>A tensor of distinct values (see <see cref="DistinctArray"/>).</summary>
    public Tensor Distinct(int[] shape, double spacing = 0.05, DType dtype = DType.Float64, bool requiresGrad = false) =>
        Make(DistinctArray(Nd.Numel(shape), spacing), shape, dtype, requiresGrad);

    /// <summary>A tensor holding <paramref name="values"/> in the given dtype.</summary>
    public static Tensor Make(double[] values, int[] shape, DType dtype = DType.Float64, bool requiresGrad = false) => dtype switch
    {
        DType.Float64 => Tensor.FromArray(values, shape, requiresGrad: requiresGrad),
        DType.Float32 => Tensor.FromArray(Array.ConvertAll(values, v => (float)v), shape, requiresGrad: requiresGrad),
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Random tensors are Float32 or Float64."),
    };

    /// <summary>The seed and how to replay it.</summary>
    public override string ToString() => $"seed {Seed} (replay with {SeedVariable}={Seed})";
}
