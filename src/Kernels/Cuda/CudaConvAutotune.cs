using System.Collections.Concurrent;
using System.Globalization;
using RawGan.Engine;
using RawGan.Kernels.Native;

namespace RawGan.Kernels.Cuda;

/// <summary>What the convolution autotune keys its choices by: pass, input and output dtypes (float32 inputs mean TF32), geometry.</summary>
public readonly record struct ConvChoiceKey(ConvPass Pass, DType Inputs, DType Output, Conv2dGeometry Geometry)
{
    /// <summary>"forward TF32 N64 C1536 8x8 → K1536 3x3 stride 1x1 pad 1x1".</summary>
    public override string ToString()
    {
        var g = Geometry;
        string precision = Inputs == DType.Float32 ? "TF32" : Output == DType.Float32 ? "bf16→f32" : "bf16";
        string pass = Pass switch { ConvPass.Forward => "forward", ConvPass.BackwardData => "backward-data", _ => "backward-weight" };
        return string.Create(CultureInfo.InvariantCulture,
            $"{pass} {precision} N{g.N} C{g.C} {g.H}x{g.W} → K{g.K} {g.R}x{g.S} stride {g.StrideH}x{g.StrideW} pad {g.PadH}x{g.PadW}");
    }
}

/// <summary>
/// The autotune's choice for one key: the tensor-core tile, or null for im2col + cuBLAS, with the time of every
/// candidate (milliseconds per call, CUDA events, after one untimed call).
/// </summary>
public sealed record ConvChoice(TensorCoreTile? Tile, IReadOnlyList<(string Candidate, double Milliseconds)> Timings)
{
    /// <summary>The candidate's name: "tensor-core 128x128" or "im2col+cuBLAS".</summary>
    public static string NameOf(TensorCoreTile? tile) => tile is null ? "im2col+cuBLAS" : $"tensor-core {tile}";

    /// <summary>
    /// Whether a candidate's output agrees with the reference's (im2col + cuBLAS on the same operands): every element
    /// within <paramref name="tolerance"/> of the reference's largest magnitude. Both round their inputs the same way
    /// and differ only in summation order (and a bf16 output's last rounding), so a correct kernel is far inside the
    /// tolerance, and a wrong one (an indexing or fragment-layout error) far outside. Returns the largest difference.
    /// </summary>
    public static (bool Agrees, double MaxDifference, double Scale) Compare(ReadOnlySpan<float> reference, ReadOnlySpan<float> candidate, double tolerance)
    {
        if (reference.Length != candidate.Length) throw new ArgumentException($"Outputs of {reference.Length} and {candidate.Length} elements.");
        double scale = 0, worst = 0;
        for (int i = 0; i < reference.Length; i++) scale = Math.Max(scale, Math.Abs((double)reference[i]));
        for (int i = 0; i < reference.Length; i++)
        {
            double d = Math.Abs((double)candidate[i] - reference[i]);
            if (!(d <= worst)) worst = double.IsNaN(d) ? double.PositiveInfinity : d; // a NaN never agrees
        }
        return (worst <= tolerance * Math.Max(scale, float.Epsilon), worst, scale);
    }

    /// <summary>The agreement tolerance for an output dtype: relative to the output's largest magnitude.</summary>
    public static double ToleranceFor(DType output) => output == DType.BFloat16 ? 3e-2 : 1e-2;

    /// <summary>The one log line of a choice.</summary>
    public string Describe(ConvChoiceKey key)
    {
        string winner = NameOf(Tile);
        var others = Timings.Where(t => t.Candidate != winner).Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Candidate} {t.Milliseconds:0.000} ms"));
        double best = Timings.First(t => t.Candidate == winner).Milliseconds;
        return string.Create(CultureInfo.InvariantCulture, $"conv autotune: {key}: {winner} {best:0.000} ms ({string.Join(", ", others)})");
    }
}

// The one-time choice of algorithm per (pass, precision, geometry) under ConvAlgorithm.Auto: im2col + cuBLAS and every
// tensor-core tile variant run on the call's own operands (each overwrites the output), timed with CUDA events; a tile
// whose output disagrees with im2col + cuBLAS's is left out (logged); the winner runs last, so the call's result is the winner's as on every later call. Never inside a CUDA-graph
// capture (event synchronisation is illegal there, and timing would be meaningless): a capture that meets an untuned
// shape gets the shape's default tile, uncached, and the next eager call tunes it.
public sealed partial class CudaBackend
{
    private const int TimedRepeats = 5;
    private readonly ConcurrentDictionary<ConvChoiceKey, ConvChoice> _convChoices = new();

    /// <summary>Where the autotune reports its choices, one line per key (standard error unless redirected).</summary>
    public Action<string> ConvLog { get; set; } = line => Console.Error.WriteLine(line);

    /// <summary>The autotune's choices so far, for the life of this backend.</summary>
    public IReadOnlyDictionary<ConvChoiceKey, ConvChoice> ConvChoices => _convChoices;

    private TensorCoreTile? Autotuned(ConvPass pass, Storage first, Storage second, Storage output, in Conv2dGeometry g, MathMode math)
    {
        var key = new ConvChoiceKey(pass, first.DType, output.DType, g);
        if (_convChoices.TryGetValue(key, out var known)) return known.Tile;
        if (IsCapturing()) return ConvTensorCorePlan.DefaultTile(pass, g, first.DType, Context.MultiprocessorCount);
        var timings = new List<(string, double)>();
        TensorCoreTile? best = null;
        double bestMs = double.MaxValue;
        // im2col + cuBLAS first: its output is the reference each tensor-core tile must agree with to be chosen, so a
        // kernel that computes wrongly on this GPU is never used (it is logged instead).
        float[]? reference = null;
        foreach (var candidate in TensorCoreTile.All.Cast<TensorCoreTile?>().Prepend(null))
        {
            var geometry = g;
            string name = ConvChoice.NameOf(candidate);
            double ms = TimeMilliseconds(() => Convolve(pass, candidate, first, second, output, geometry, math), name, key);
            timings.Add((name, ms));
            if (candidate is null) reference = ReadAsFloats(output);
            else if (ConvChoice.Compare(reference, ReadAsFloats(output), ConvChoice.ToleranceFor(output.DType)) is { Agrees: false } c)
            {
                ConvLog(string.Create(CultureInfo.InvariantCulture,
                    $"conv autotune: {key}: {name} disagrees with im2col+cuBLAS (largest difference {c.MaxDifference:G3} where the output reaches {c.Scale:G3}); not used"));
                continue;
            }
            if (ms < bestMs) (best, bestMs) = (candidate, ms);
        }
        Convolve(pass, best, first, second, output, g, math);
        var choice = new ConvChoice(best, timings);
        _convChoices[key] = choice;
        ConvLog(choice.Describe(key));
        return best;
    }

    // Milliseconds per call: one untimed call (module load, JIT, pool growth), then TimedRepeats between two events.
    // A failure names the candidate and the shape: a faulting kernel surfaces here, at the synchronisation.
    private double TimeMilliseconds(Action run, string candidate, ConvChoiceKey key)
    {
        Context.MakeCurrent();
        IntPtr start = IntPtr.Zero, end = IntPtr.Zero;
        try
        {
            run();
            CudaDriver.Check(CudaDriver.cuEventCreate(out start, 0));
            CudaDriver.Check(CudaDriver.cuEventCreate(out end, 0));
            CudaDriver.Check(CudaDriver.cuEventRecord(start, Context.Stream));
            for (int i = 0; i < TimedRepeats; i++) run();
            CudaDriver.Check(CudaDriver.cuEventRecord(end, Context.Stream));
            CudaDriver.Check(CudaDriver.cuEventSynchronize(end));
            CudaDriver.Check(CudaDriver.cuEventElapsedTime(out float ms, start, end));
            return ms / TimedRepeats;
        }
        catch (CudaException e)
        {
            throw new CudaException($"conv autotune: {candidate} failed on {key}: {e.Message}", e);
        }
        finally
        {
            if (start != IntPtr.Zero) CudaDriver.cuEventDestroy(start);
            if (end != IntPtr.Zero) CudaDriver.cuEventDestroy(end);
        }
    }

    // An output as float32 on the host, for the agreement check (float32 or bfloat16 storage).
    private float[] ReadAsFloats(Storage s)
    {
        var values = new float[s.Length];
        if (s.DType == DType.Float32)
        {
            CopyToHost<float>(s, 0, values);
            return values;
        }
        var raw = new BFloat16[s.Length];
        CopyToHost<BFloat16>(s, 0, raw);
        for (int i = 0; i < raw.Length; i++) values[i] = raw[i];
        return values;
    }

    private bool IsCapturing()
    {
        Context.MakeCurrent();
        CudaDriver.Check(CudaDriver.cuStreamIsCapturing(Context.Stream, out int status));
        return status != 0;
    }
}
