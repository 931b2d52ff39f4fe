using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Text.RegularExpressions;

namespace RawGan.Cli.Commands;

/// <summary>
/// Parses and runs a command line. A parse error becomes one line on stderr, in the user's terms (the option and
/// what it takes, never a .NET type name), with exit code 2; every --help ends with the exit codes.
/// </summary>
internal static class CliInvocation
{
    /// <summary>Runs <paramref name="args"/> against <paramref name="root"/>; returns the exit code.</summary>
    public static int Invoke(RootCommand root, string[] args)
    {
        foreach (var help in root.Options.OfType<HelpOption>())
        {
            if (help.Action is HelpAction standard) help.Action = new HelpWithExitCodes(standard);
        }
        var result = root.Parse(args);
        if (result.Action is not ParseErrorAction) return result.Invoke();
        string more = result.Errors.Count > 1 ? $" ({result.Errors.Count - 1} more problem{(result.Errors.Count > 2 ? "s" : "")} after this one)" : "";
        Console.Error.WriteLine($"rawgan: {Describe(result.Errors[0])}{more} See `{CommandPath(result.CommandResult)} --help`.");
        return ExitCodes.UsageOrInput;
    }

    /// <summary>One sentence for a parse error.</summary>
    private static string Describe(ParseError error)
    {
        var (symbol, valueType, tokens) = error.SymbolResult switch
        {
            OptionResult o => (o.Option.Name, o.Option.ValueType, o.Tokens),
            ArgumentResult { Parent: OptionResult o } a => (o.Option.Name, o.Option.ValueType, a.Tokens),
            ArgumentResult a => ($"<{a.Argument.Name}>", a.Argument.ValueType, a.Tokens),
            _ => (null, null, null),
        };
        // A token that does not convert, or is not among the accepted values: System.CommandLine names the CLR type
        // or lists the values over several lines; we name the kind of value, on one line.
        const string amongMarker = "Must be one of";
        if (symbol is not null && valueType is not null && tokens is { Count: > 0 })
        {
            string given = tokens[^1].Value;
            int among = error.Message.IndexOf(amongMarker, StringComparison.Ordinal);
            if (among >= 0)
            {
                var accepted = Regex.Matches(error.Message[among..], "'([^']*)'").Select(m => m.Groups[1].Value.ToLowerInvariant());
                return $"{symbol} takes one of {string.Join(", ", accepted)}, not \"{given}\".";
            }
            if (error.Message.StartsWith("Cannot parse argument", StringComparison.Ordinal))
                return $"{symbol} takes {KindOf(valueType)}, not \"{given}\".";
        }
        return OneLine(error.Message);
    }

    private static string KindOf(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return Type.GetTypeCode(type) switch
        {
            TypeCode.Byte or TypeCode.UInt16 or TypeCode.UInt32 or TypeCode.UInt64 => "a whole number ≥ 0",
            TypeCode.SByte or TypeCode.Int16 or TypeCode.Int32 or TypeCode.Int64 => "a whole number",
            TypeCode.Single or TypeCode.Double or TypeCode.Decimal => "a number (e.g. 0.5 or 2e-4)",
            TypeCode.Boolean => "true or false",
            _ => "a value of another kind",
        };
    }

    /// <summary>"rawgan train", whatever the executable is called.</summary>
    private static string CommandPath(CommandResult command)
    {
        var names = new List<string>();
        for (SymbolResult? r = command; r is CommandResult c; r = c.Parent) names.Add(c.Parent is null ? "rawgan" : c.Command.Name);
        names.Reverse();
        return string.Join(' ', names);
    }

    /// <summary>Text on one line: line breaks and tabs become spaces.</summary>
    public static string OneLine(string text) =>
        string.Join(' ', text.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private sealed class HelpWithExitCodes(HelpAction standard) : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true; // as the standard help: `train --steps x --help` shows help

        public override int Invoke(ParseResult parseResult)
        {
            int code = standard.Invoke(parseResult);
            parseResult.InvocationConfiguration.Output.Write(ExitCodes.Help);
            return code;
        }
    }
}
