using System.Text.Encodings.Web;
using System.Text.Json;

namespace RawGan.Engine.IO;

/// <summary>
/// The JSON header of a safetensors file: its tensor entries and metadata. Parsed with <see cref="Utf8JsonReader"/> and written with
/// <see cref="Utf8JsonWriter"/> (no reflection, so trimming and AOT stay safe), and validated against the
/// size of the data section.
/// </summary>
public sealed class SafeTensorsHeader
{
    /// <summary>Key of the string-to-string metadata object.</summary>
    public const string MetadataKey = "__metadata__";

    /// <summary>The largest header accepted, as in the reference implementation: anything larger is not a real header.</summary>
    internal const long MaxHeaderBytes = 100_000_000;

    internal SafeTensorsHeader(IReadOnlyList<SafeTensorInfo> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        Tensors = tensors;
        Metadata = metadata;
    }

    /// <summary>Tensor entries in header order.</summary>
    public IReadOnlyList<SafeTensorInfo> Tensors { get; }

    /// <summary>The <c>__metadata__</c> object (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Parses and validates a header against a data section of <paramref name="dataLength"/> bytes.</summary>
    internal static SafeTensorsHeader Parse(ReadOnlySpan<byte> json, long dataLength, string source)
    {
        SafeTensorsHeader header;
        try
        {
            header = ParseJson(json, source);
        }
        catch (JsonException e)
        {
            throw new SafeTensorsException(source, $"the header is not valid JSON ({e.Message})", e);
        }
        header.Validate(dataLength, source);
        return header;
    }

    private static SafeTensorsHeader ParseJson(ReadOnlySpan<byte> json, string source)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            throw new SafeTensorsException(source, "the header is not a JSON object");
        var tensors = new List<SafeTensorInfo>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        Dictionary<string, string>? metadata = null;
        while (Next(ref reader) != JsonTokenType.EndObject)
        {
            string name = reader.GetString()!;
            reader.Read();
            if (name == MetadataKey)
            {
                if (metadata is not null) throw new SafeTensorsException(source, $"the header has two \"{MetadataKey}\" objects");
                metadata = ParseMetadata(ref reader, source);
                continue;
            }
            if (!names.Add(name)) throw new SafeTensorsException(source, $"tensor \"{name}\" appears twice in the header");
            tensors.Add(ParseEntry(ref reader, name, source));
        }
        if (reader.Read())
            throw new SafeTensorsException(source, $"the header has content after its JSON object (at byte {reader.TokenStartIndex})");
        return new SafeTensorsHeader(tensors, metadata ?? []);
    }

    /// <summary>Advances to the next property name or the end of the current object.</summary>
    private static JsonTokenType Next(ref Utf8JsonReader reader)
    {
        if (!reader.Read()) throw new JsonException("unexpected end of the header");
        return reader.TokenType;
    }

    private static Dictionary<string, string> ParseMetadata(ref Utf8JsonReader reader, string source)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new SafeTensorsException(source, $"\"{MetadataKey}\" must be an object of strings, found {reader.TokenType}");
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        while (Next(ref reader) != JsonTokenType.EndObject)
        {
            string key = reader.GetString()!;
            reader.Read();
            if (reader.TokenType != JsonTokenType.String)
                throw new SafeTensorsException(source, $"\"{MetadataKey}\" entry \"{key}\" must be a string, found {reader.TokenType}");
            if (!metadata.TryAdd(key, reader.GetString()!))
                throw new SafeTensorsException(source, $"\"{MetadataKey}\" has the key \"{key}\" twice");
        }
        return metadata;
    }

    private static SafeTensorInfo ParseEntry(ref Utf8JsonReader reader, string name, string source)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new SafeTensorsException(source, $"tensor \"{name}\" must be an object with dtype, shape and data_offsets, found {reader.TokenType}");
        string? dtypeName = null;
        int[]? dims = null;
        long[]? offsets = null;
        while (Next(ref reader) != JsonTokenType.EndObject)
        {
            string field = reader.GetString()!;
            reader.Read();
            switch (field)
            {
                case "dtype":
                    if (dtypeName is not null) throw Duplicate();
                    if (reader.TokenType != JsonTokenType.String)
                        throw new SafeTensorsException(source, $"tensor \"{name}\": \"dtype\" must be a string, found {reader.TokenType}");
                    dtypeName = reader.GetString()!;
                    break;
                case "shape":
                    if (dims is not null) throw Duplicate();
                    dims = ReadIntegers(ref reader, name, field, source, int.MaxValue).Select(d => (int)d).ToArray();
                    break;
                case "data_offsets":
                    if (offsets is not null) throw Duplicate();
                    offsets = ReadIntegers(ref reader, name, field, source, long.MaxValue);
                    if (offsets.Length != 2)
                        throw new SafeTensorsException(source, $"tensor \"{name}\": \"data_offsets\" must hold two numbers [begin, end], found {offsets.Length}");
                    break;
                default:
                    reader.Skip(); // fields other writers may add; the format does not forbid them
                    break;
            }

            SafeTensorsException Duplicate() => new(source, $"tensor \"{name}\" has the field \"{field}\" twice");
        }
        if (dtypeName is null) throw Missing("dtype");
        if (dims is null) throw Missing("shape");
        if (offsets is null) throw Missing("data_offsets");
        if (!SafeTensorsDType.TryParse(dtypeName, out var dtype, out var problem))
            throw new SafeTensorsException(source, $"tensor \"{name}\": {problem}");
        return new SafeTensorInfo(name, dtype, new Shape(dims), offsets[0], offsets[1]);

        SafeTensorsException Missing(string field) => new(source, $"tensor \"{name}\" has no \"{field}\" field");
    }

    private static long[] ReadIntegers(ref Utf8JsonReader reader, string name, string field, string source, long max)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
            throw new SafeTensorsException(source, $"tensor \"{name}\": \"{field}\" must be an array of integers, found {reader.TokenType}");
        var values = new List<long>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out long v) || v < 0 || v > max)
                throw new SafeTensorsException(source, $"tensor \"{name}\": \"{field}\" holds {Describe(ref reader)}, not an integer in [0, {max}]");
            values.Add(v);
        }
        return [.. values];
    }

    private static string Describe(ref Utf8JsonReader reader) =>
        reader.TokenType is JsonTokenType.Number or JsonTokenType.String
            ? System.Text.Encoding.UTF8.GetString(reader.ValueSpan) // parsed from one span: never a sequence
            : reader.TokenType.ToString();

    /// <summary>Checks sizes against shapes and offsets against the data section and each other.</summary>
    private void Validate(long dataLength, string source)
    {
        foreach (var t in Tensors)
        {
            if (t.DataEnd < t.DataBegin)
                throw new SafeTensorsException(source, $"tensor \"{t.Name}\": data_offsets [{t.DataBegin}, {t.DataEnd}] end before they begin");
            long bytes = ByteSize(t) ?? throw new SafeTensorsException(source, $"tensor \"{t.Name}\": shape {t.Shape} is too large to address");
            if (bytes != t.ByteLength)
                throw new SafeTensorsException(source,
                    $"tensor \"{t.Name}\": shape {t.Shape} of {SafeTensorsDType.Name(t.DType)} needs {bytes} bytes, but data_offsets [{t.DataBegin}, {t.DataEnd}] span {t.ByteLength}");
            if (t.DataEnd > dataLength)
                throw new SafeTensorsException(source,
                    $"tensor \"{t.Name}\": data_offsets [{t.DataBegin}, {t.DataEnd}] reach beyond the data section of {dataLength} bytes (is the file truncated?)");
        }
        // Empty tensors own no bytes and may sit anywhere; every other range must be disjoint from the rest.
        SafeTensorInfo? previous = null;
        foreach (var t in Tensors.Where(t => t.ByteLength > 0).OrderBy(t => t.DataBegin))
        {
            if (previous is not null && t.DataBegin < previous.DataEnd)
                throw new SafeTensorsException(source,
                    $"tensors \"{previous.Name}\" [{previous.DataBegin}, {previous.DataEnd}] and \"{t.Name}\" [{t.DataBegin}, {t.DataEnd}] overlap");
            previous = t;
        }
    }

    /// <summary>Bytes the shape and dtype need, or null when that overflows.</summary>
    private static long? ByteSize(SafeTensorInfo t)
    {
        if (t.Shape.AsSpan().Contains(0)) return 0;
        long bytes = t.DType.SizeInBytes();
        foreach (int d in t.Shape)
        {
            if (d != 0 && bytes > long.MaxValue / d) return null;
            bytes *= d;
        }
        return bytes;
    }

    /// <summary>
    /// The header as UTF-8 JSON, padded with spaces to a multiple of 8 bytes so that the data section is
    /// aligned (as the reference writer does). Metadata comes first, then tensors in the given order.
    /// </summary>
    internal byte[] Serialize()
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            if (Metadata.Count > 0)
            {
                w.WriteStartObject(MetadataKey);
                foreach (var (k, v) in Metadata) w.WriteString(k, v);
                w.WriteEndObject();
            }
            foreach (var t in Tensors)
            {
                w.WriteStartObject(t.Name);
                w.WriteString("dtype", SafeTensorsDType.Name(t.DType));
                w.WriteStartArray("shape");
                foreach (var d in t.Shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(t.DataBegin);
                w.WriteNumberValue(t.DataEnd);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        while (buffer.Length % 8 != 0) buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }
}
