using System.ComponentModel;
using System.Diagnostics;

namespace RawGan.Model.Data;

/// <summary>
/// Runs a program the data fetchers rely on (npm, apt-get, dpkg-deb) to completion and turns every way it can
/// fail into one sentence for the user's error message.
/// </summary>
internal static class ExternalTool
{
    /// <summary>
    /// Runs <paramref name="program"/> with <paramref name="arguments"/> in <paramref name="workingDirectory"/>;
    /// returns null when it exits with code 0, else why not (not found, timed out, its exit code and error output).
    /// </summary>
    public static string? Run(string program, IReadOnlyList<string> arguments, string workingDirectory, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in arguments) start.ArgumentList.Add(arg);
        string command = arguments.Count > 0 ? $"{program} {arguments[0]}" : program;

        Process? process;
        try
        {
            process = Process.Start(start);
        }
        catch (Win32Exception e)
        {
            return $"{program} not found: {e.Message}";
        }
        if (process is null) return $"{program} could not be started";

        using (process)
        {
            // Both pipes are drained so that a chatty tool cannot block on a full pipe.
            _ = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                return $"{command} did not finish within {timeout.TotalMinutes} minutes";
            }
            return process.ExitCode == 0 ? null : $"{command} exited with code {process.ExitCode}: {stderr.Result.Trim()}";
        }
    }
}
