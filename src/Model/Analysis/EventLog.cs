using System.Text.Json;
using System.Text.Json.Serialization;

namespace RawGan.Model.Analysis;

/// <summary>
/// events.jsonl in a run folder: one JSON object per line for each collapse event and what was done about it
/// (the signals with their values and thresholds, the action, the checkpoint, the learning rates). Never truncated:
/// it is the run's history, rollbacks included.
/// </summary>
public static class EventLog
{
    /// <summary>The file name inside a run folder.</summary>
    public const string FileName = "events.jsonl";

    private static readonly JsonSerializerOptions Json = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals, // evidence not yet available is NaN
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    /// <summary>Appends one event line.</summary>
    public static void Append(string runPath, string kind, CollapseEvent e, CollapseAction action, string? checkpoint, double gLearningRate, double dLearningRate)
    {
        var line = JsonSerializer.Serialize(new
        {
            Time = DateTime.UtcNow.ToString("O"),
            Event = kind,
            e.Step,
            Action = action.ToString().ToLowerInvariant(),
            Checkpoint = checkpoint,
            GLr = gLearningRate,
            DLr = dLearningRate,
            Signals = e.Signals.Select(s => new { s.Name, s.Fired, s.Layer, s.Evidence }),
        }, Json);
        File.AppendAllText(Path.Combine(runPath, FileName), line + Environment.NewLine);
    }

    /// <summary>Every line of a run's events.jsonl, parsed (empty when there is none).</summary>
    public static List<JsonElement> Read(string runPath)
    {
        string path = Path.Combine(runPath, FileName);
        return File.Exists(path) ? File.ReadLines(path).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList() : [];
    }
}
