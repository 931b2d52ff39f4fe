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

    /// <summary>The one log line of a choice.</summary>
    public string Describe(ConvChoiceKey key)
    {
        string winner = NameOf(Tile);
        var others = Timings.Where(t => t.Candidate != winner).Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Candidate} {t.Milliseconds:0.000} ms"));
        double best = Timings.First(t => t.Candidate == winner).Milliseconds;
        return string.Create(CultureInfo.InvariantCulture, $"conv autotune: {key}: {winner} {best:0.000} ms ({string.Join(", ", others)})");
    }
}

// The one-time choice of algorithm per (pass, precision, geometry) under ConvAlgorithm.Auto: every tensor-core tile
// variant and im2col + cuBLAS run on the call's own operands (each overwrites the output), timed with CUDA events;
// the winner runs last, so the call's result is the winner's as on every later call. Never inside a CUDA-graph
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
        foreach (var candidate in TensorCoreTile.All.Cast<TensorCoreTile?>().Append(null))
        {
            var geometry = g;
            double ms = TimeMilliseconds(() => Convolve(pass, candidate, first, second, output, geometry, math), ConvChoice.NameOf(candidate), key);
            timings.Add((ConvChoice.NameOf(candidate), ms));
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

    private bool IsCapturing()
    {
        Context.MakeCurrent();
        CudaDriver.Check(CudaDriver.cuStreamIsCapturing(Context.Stream, out int status));
        return status != 0;
    }
}
