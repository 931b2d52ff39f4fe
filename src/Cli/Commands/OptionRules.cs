using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;

namespace RawGan.Cli.Commands;

/// <summary>
/// Range rules for numeric options, checked while parsing: a value out of range is a one-line parse error naming
/// the option and its range (exit code 2), before anything runs or any folder is created.
/// </summary>
internal static class OptionRules
{
    /// <summary>Values below <paramref name="min"/> are rejected.</summary>
    public static Option<T> AtLeast<T>(this Option<T> option, T min) where T : struct, INumber<T> =>
        option.Rule(v => v >= min, $"at least {Text(min)}");

    /// <summary>Values below <paramref name="min"/> are rejected (an omitted value is not checked).</summary>
    public static Option<T?> AtLeast<T>(this Option<T?> option, T min) where T : struct, INumber<T> =>
        option.Rule(v => v >= min, $"at least {Text(min)}");

    /// <summary>Only values above 0 are accepted.</summary>
    public static Option<T> Positive<T>(this Option<T> option) where T : struct, INumber<T> =>
        option.Rule(v => v > T.Zero, "positive");

    /// <summary>Only values above 0 are accepted (an omitted value is not checked).</summary>
    public static Option<T?> Positive<T>(this Option<T?> option) where T : struct, INumber<T> =>
        option.Rule(v => v > T.Zero, "positive");

    /// <summary>Only values in [<paramref name="min"/>, <paramref name="max"/>] (or [min, max) when <paramref name="maxIncluded"/> is false) are accepted.</summary>
    public static Option<T> Between<T>(this Option<T> option, T min, T max, bool maxIncluded = true) where T : struct, INumber<T> =>
        option.Rule(v => v >= min && (maxIncluded ? v <= max : v < max), Range(min, max, maxIncluded));

    /// <summary>As <see cref="Between{T}(Option{T}, T, T, bool)"/>; an omitted value is not checked.</summary>
    public static Option<T?> Between<T>(this Option<T?> option, T min, T max, bool maxIncluded = true) where T : struct, INumber<T> =>
        option.Rule(v => v >= min && (maxIncluded ? v <= max : v < max), Range(min, max, maxIncluded));

    /// <summary>Only values above <paramref name="min"/> are accepted (an omitted value is not checked).</summary>
    public static Option<T?> Above<T>(this Option<T?> option, T min) where T : struct, INumber<T> =>
        option.Rule(v => v > min, $"above {Text(min)}");

    /// <summary>Only values strictly between <paramref name="min"/> and <paramref name="max"/> are accepted (an omitted value is not checked).</summary>
    public static Option<T?> Inside<T>(this Option<T?> option, T min, T max) where T : struct, INumber<T> =>
        option.Rule(v => v > min && v < max, $"strictly between {Text(min)} and {Text(max)}");

    private static Option<T> Rule<T>(this Option<T> option, Func<T, bool> valid, string range) where T : struct, INumber<T>
    {
        option.Validators.Add(result =>
        {
            if (Given<T>(result) is { } value && !valid(value)) result.AddError(Message(option.Name, value, range));
        });
        return option;
    }

    private static Option<T?> Rule<T>(this Option<T?> option, Func<T, bool> valid, string range) where T : struct, INumber<T>
    {
        option.Validators.Add(result =>
        {
            if (Given<T>(result) is { } value && !valid(value)) result.AddError(Message(option.Name, value, range));
        });
        return option;
    }

    // The value typed on the command line; null when none was (the defaults are in range) or when it is not a number
    // at all, an error System.CommandLine reports itself (validators run even then).
    private static T? Given<T>(OptionResult result) where T : struct, INumber<T>
    {
        if (result.Tokens.Count == 0) return null;
        var style = typeof(T) == typeof(double) || typeof(T) == typeof(float) ? NumberStyles.Float : NumberStyles.Integer;
        return T.TryParse(result.Tokens[^1].Value, style, CultureInfo.InvariantCulture, out var value) ? value : null;
    }

    private static string Message<T>(string name, T value, string range) => $"{name} must be {range}, not {Text(value)}.";

    private static string Range<T>(T min, T max, bool maxIncluded) => maxIncluded
        ? $"between {Text(min)} and {Text(max)}"
        : $"at least {Text(min)} and below {Text(max)}";

    private static string Text<T>(T value) => string.Format(CultureInfo.InvariantCulture, "{0}", value);
}
