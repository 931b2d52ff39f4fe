using System.Text.Json;
using System.Text.Json.Serialization;
using RawGan.Model.Training;

namespace RawGan.Model.Sweep;

/// <summary>How sweep files spell values: axis settings as {"axis": value or [values]}, lists of scalars, the base as config.json.</summary>
internal static class SweepJson
{
    // Lists of values (the truncations) as strings, numbers or booleans: "none", 0.5.
    internal sealed class TextListConverter : JsonConverter<IReadOnlyList<string>>
    {
        public override IReadOnlyList<string> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            using var document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind != JsonValueKind.Array) throw new JsonException("expected a list of values.");
            return document.RootElement.EnumerateArray().Select(AxisValuesConverter.Text).ToArray();
        }

        public override void Write(Utf8JsonWriter writer, IReadOnlyList<string> value, JsonSerializerOptions options)
        {
            writer.WriteStartArray();
            foreach (var v in value) writer.WriteStringValue(v);
            writer.WriteEndArray();
        }
    }

    // The base is written exactly as a run's config.json, so one can be pasted in.
    internal sealed class RunConfigConverter : JsonConverter<RunConfig>
    {
        public override RunConfig Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            using var document = JsonDocument.ParseValue(ref reader);
            return RunConfig.FromJson(document.RootElement.GetRawText(), "the sweep's base configuration");
        }

        public override void Write(Utf8JsonWriter writer, RunConfig value, JsonSerializerOptions options)
        {
            using var document = JsonDocument.Parse(value.ToJson());
            document.WriteTo(writer);
        }
    }

    // Axis values are written as {"axis": [values]} objects: a value may be a JSON string, number or boolean.
    internal sealed class AxisValuesConverter : JsonConverter<IReadOnlyList<SweepAxisValues>>
    {
        public override IReadOnlyList<SweepAxisValues> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            using var document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new JsonException("axis settings are an object: {\"axis\": [values]} or {\"axis\": value}.");
            var list = new List<SweepAxisValues>();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                var values = property.Value.ValueKind == JsonValueKind.Array
                    ? property.Value.EnumerateArray().Select(Text).ToArray()
                    : [Text(property.Value)];
                list.Add(new SweepAxisValues(property.Name, values));
            }
            return list;
        }

        public override void Write(Utf8JsonWriter writer, IReadOnlyList<SweepAxisValues> value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            foreach (var axis in value)
            {
                if (axis.Values.Count == 1)
                {
                    writer.WriteString(axis.Axis, axis.Values[0]);
                    continue;
                }
                writer.WriteStartArray(axis.Axis);
                foreach (var v in axis.Values) writer.WriteStringValue(v);
                writer.WriteEndArray();
            }
            writer.WriteEndObject();
        }

        public static string Text(JsonElement e) => e.ValueKind switch
        {
            JsonValueKind.String => e.GetString()!,
            JsonValueKind.Number => e.GetRawText(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => throw new JsonException($"an axis value must be a string, number or boolean, got {e.ValueKind}."),
        };
    }
}
