using System.Text.Json;

namespace RawGan.Engine.Profiling;

/// <summary>
/// The profile as files: profile.json (step times, the per-op rows and the per-shape rows) and a Chrome
/// trace-event file (every scope of every measured step as a complete event; Perfetto and chrome://tracing open it).
/// </summary>
public static class ProfileFiles
{
    /// <summary>Writes profile.json: <paramref name="about"/> (what was profiled), the steps, per-op and per-shape rows.</summary>
    public static void WriteJson(string path, ProfileResults results, IReadOnlyDictionary<string, string> about)
    {
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteStartObject("about");
        foreach (var (key, value) in about) json.WriteString(key, value);
        json.WriteEndObject();
        json.WriteString("clock", results.Clock);
        json.WriteNumber("steps", results.StepMilliseconds.Count);
        json.WriteStartArray("step_ms");
        foreach (var ms in results.StepMilliseconds) json.WriteNumberValue(ms);
        json.WriteEndArray();
        json.WriteNumber("mean_step_ms", results.MeanStepMilliseconds);
        json.WriteNumber("other_ms", results.OtherRow().Milliseconds);
        json.WriteStartArray("gc_pause_ms");
        foreach (var gc in results.GarbageCollection) json.WriteNumberValue(gc.PauseMilliseconds);
        json.WriteEndArray();
        json.WriteStartArray("gc_gen2_collections");
        foreach (var gc in results.GarbageCollection) json.WriteNumberValue(gc.Gen2Collections);
        json.WriteEndArray();
        WriteRows(json, "ops", results.Rows().Where(r => r.Name != ProfileRow.OtherName));
        WriteRows(json, "shapes", results.RowsByShape());
        json.WriteEndObject();
    }

    /// <summary>Writes a Chrome trace-event file: one complete ("X") event per step and per scope, microseconds.</summary>
    public static void WriteChromeTrace(string path, ProfileResults results, string device)
    {
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream);
        json.WriteStartObject();
        json.WriteString("displayTimeUnit", "ms");
        json.WriteStartArray("traceEvents");
        json.WriteStartObject();
        json.WriteString("name", "process_name");
        json.WriteString("ph", "M");
        json.WriteNumber("pid", 1);
        json.WriteStartObject("args");
        json.WriteString("name", $"rawgan ({device})");
        json.WriteEndObject();
        json.WriteEndObject();
        for (int s = 0; s < results.StepMilliseconds.Count; s++)
            WriteEvent(json, $"step {s + 1}", "step", results.StepStarts[s], results.StepMilliseconds[s], null, default);
        foreach (var e in results.Events)
            WriteEvent(json, e.Name, e.Pass.ToString().ToLowerInvariant(), e.Start, e.Duration, e.Shapes, e.Cost);
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteRows(Utf8JsonWriter json, string name, IEnumerable<ProfileRow> rows)
    {
        json.WriteStartArray(name);
        foreach (var r in rows)
        {
            json.WriteStartObject();
            json.WriteString("name", r.Name);
            json.WriteString("pass", r.Pass?.ToString().ToLowerInvariant());
            if (r.Shapes is not null) json.WriteString("shapes", r.Shapes);
            json.WriteNumber("calls", r.Calls);
            json.WriteNumber("ms", r.Milliseconds);
            json.WriteNumber("percent", r.PercentOfStep);
            json.WriteNumber("flops", r.Flops);
            json.WriteNumber("bytes", r.Bytes);
            json.WriteNumber("tflops", r.Tflops);
            json.WriteNumber("gbps", r.GigabytesPerSecond);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    private static void WriteEvent(Utf8JsonWriter json, string name, string category, double startMs, double durationMs, string? shapes, OpCost cost)
    {
        json.WriteStartObject();
        json.WriteString("name", name);
        json.WriteString("cat", category);
        json.WriteString("ph", "X");
        json.WriteNumber("ts", Math.Round(startMs * 1000, 3));
        json.WriteNumber("dur", Math.Round(durationMs * 1000, 3));
        json.WriteNumber("pid", 1);
        json.WriteNumber("tid", 1);
        if (shapes is not null || cost.Flops > 0 || cost.Bytes > 0)
        {
            json.WriteStartObject("args");
            if (shapes is not null) json.WriteString("shapes", shapes);
            if (cost.Flops > 0) json.WriteNumber("flops", cost.Flops);
            if (cost.Bytes > 0) json.WriteNumber("bytes", cost.Bytes);
            json.WriteEndObject();
        }
        json.WriteEndObject();
    }
}
