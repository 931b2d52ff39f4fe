using System.Globalization;
using System.Text.Json;

namespace RawGan.Model.Training;

/// <summary>One logged step: losses, the run's training time up to it (over all its sessions), and this session's throughput.</summary>
public readonly record struct LogEntry(long Step, double DLossReal, double DLossFake, double GLoss, double Seconds, double ImagesPerSecond);

/// <summary>
/// Appends each logged step to log.csv and log.jsonl in the run folder, flushed line by line so that a killed run
/// keeps its log. A resumed run first drops the rows after the step it resumes from (a killed session logged
/// steps its last checkpoint does not hold), so that every step appears once, then appends.
/// </summary>
public sealed class TrainingLog : IDisposable
{
    private const string CsvHeader = "step,d_loss_real,d_loss_fake,g_loss,seconds,images_per_second";
    private readonly StreamWriter _csv;
    private readonly StreamWriter _jsonl;

    /// <summary>Opens the logs of a run folder at <paramref name="step"/> (0 for a new run), writing the CSV header when the file is new.</summary>
    public TrainingLog(RunFolder run, long step = 0)
    {
        string csvPath = Path.Combine(run.Path, "log.csv");
        string jsonlPath = Path.Combine(run.Path, "log.jsonl");
        DropRowsAfter(csvPath, step);
        DropRowsAfter(jsonlPath, step);
        bool fresh = !File.Exists(csvPath) || new FileInfo(csvPath).Length == 0;
        _csv = new StreamWriter(csvPath, append: true) { AutoFlush = true };
        _jsonl = new StreamWriter(jsonlPath, append: true) { AutoFlush = true };
        if (fresh) _csv.WriteLine(CsvHeader);
    }

    /// <summary>Writes one entry to both files.</summary>
    public void Append(LogEntry e)
    {
        var c = CultureInfo.InvariantCulture;
        _csv.WriteLine(string.Join(',', e.Step.ToString(c), e.DLossReal.ToString("R", c), e.DLossFake.ToString("R", c), e.GLoss.ToString("R", c),
                                   e.Seconds.ToString("F3", c), e.ImagesPerSecond.ToString("F2", c)));
        _jsonl.WriteLine(JsonSerializer.Serialize(new Dictionary<string, double>
        {
            ["step"] = e.Step, ["d_loss_real"] = e.DLossReal, ["d_loss_fake"] = e.DLossFake, ["g_loss"] = e.GLoss,
            ["seconds"] = Math.Round(e.Seconds, 3), ["images_per_second"] = Math.Round(e.ImagesPerSecond, 2),
        }));
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _csv.Dispose();
        _jsonl.Dispose();
    }

    // Both files start each row with its step ({"step":N,... in the JSON lines); the CSV header has none and stays.
    private static void DropRowsAfter(string path, long step)
    {
        if (!File.Exists(path)) return;
        var lines = File.ReadAllLines(path);
        var kept = lines.Where(line => StepOf(line) is not { } s || s <= step).ToList();
        if (kept.Count < lines.Length) File.WriteAllLines(path, kept);
    }

    private static long? StepOf(string line)
    {
        const string jsonStart = "{\"step\":";
        var digits = line.StartsWith(jsonStart, StringComparison.Ordinal) ? line.AsSpan(jsonStart.Length) : line.AsSpan();
        int end = 0;
        while (end < digits.Length && char.IsAsciiDigit(digits[end])) end++;
        return end > 0 ? long.Parse(digits[..end], CultureInfo.InvariantCulture) : null;
    }
}
