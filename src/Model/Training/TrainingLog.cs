using System.Globalization;
using System.Text.Json;

namespace RawGan.Model.Training;

/// <summary>One logged step: losses, wall time since the run (or resume) started, and throughput.</summary>
public readonly record struct LogEntry(long Step, double DLossReal, double DLossFake, double GLoss, double Seconds, double ImagesPerSecond);

/// <summary>
/// Appends each logged step to log.csv and log.jsonl in the run folder, flushed line by line so that a killed run
/// keeps its log. A resumed run appends to the same files.
/// </summary>
public sealed class TrainingLog : IDisposable
{
    private readonly StreamWriter _csv;
    private readonly StreamWriter _jsonl;

    /// <summary>Opens the logs of a run folder (writing the CSV header when the file is new).</summary>
    public TrainingLog(RunFolder run)
    {
        string csvPath = Path.Combine(run.Path, "log.csv");
        bool fresh = !File.Exists(csvPath) || new FileInfo(csvPath).Length == 0;
        _csv = new StreamWriter(csvPath, append: true) { AutoFlush = true };
        _jsonl = new StreamWriter(Path.Combine(run.Path, "log.jsonl"), append: true) { AutoFlush = true };
        if (fresh) _csv.WriteLine("step,d_loss_real,d_loss_fake,g_loss,seconds,images_per_second");
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
}
