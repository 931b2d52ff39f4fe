using System.Text.Json;

namespace RawGan.Model;

/// <summary>Files of one JSON object per line (a run's eval.jsonl, a sweep's results.jsonl): appended to, read back whole.</summary>
public static class JsonLines
{
    /// <summary>Appends <paramref name="items"/>, one line each, flushed before returning; creates the folder when needed.</summary>
    public static void Append<T>(string path, IEnumerable<T> items, JsonSerializerOptions options)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var writer = new StreamWriter(path, append: true);
        foreach (var item in items) writer.WriteLine(JsonSerializer.Serialize(item, options));
        writer.Flush();
    }

    /// <summary>
    /// Every object of a file (none when it does not exist); an unreadable line is an <see cref="InvalidDataException"/>
    /// naming the file, the line and <paramref name="what"/> it should have been ("an eval record").
    /// </summary>
    public static IReadOnlyList<T> Read<T>(string path, JsonSerializerOptions options, string what)
    {
        if (!File.Exists(path)) return [];
        var items = new List<T>();
        int number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                items.Add(JsonSerializer.Deserialize<T>(line, options) ?? throw new JsonException("null"));
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{path}, line {number}: not {what} ({e.Message}).", e);
            }
        }
        return items;
    }
}
