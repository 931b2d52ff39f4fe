using System.Runtime.InteropServices;

namespace RawGan.Cli.Commands;

/// <summary>
/// While alive, the first Ctrl-C (SIGINT) or SIGTERM (what docker stop, systemd and Slurm send) cancels
/// <see cref="Token"/> instead of killing the process: the work stops at its next safe point and keeps its
/// results, and the command exits with <see cref="ExitCode"/>. A second signal ends the process at once.
/// </summary>
internal sealed class StopSignal : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly string _what;
    private readonly PosixSignalRegistration _interrupt;
    private readonly PosixSignalRegistration _terminate;
    private readonly Func<string?>? _fatal;
    private volatile int _exitCode = ExitCodes.Interrupted;

    /// <summary>Listens for the signals; <paramref name="what"/> says what happens on the first ("stopping after this step: ...").</summary>
    /// <param name="fatal">
    /// Asked first on each signal: a reason why the process cannot stop in order (a lost peer of a distributed job), or
    /// null. With a reason, it is printed and the signal ends the process at once.
    /// </param>
    public StopSignal(string what = "stopping at the next safe point", Func<string?>? fatal = null)
    {
        _what = what;
        _fatal = fatal;
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
    }

    /// <summary>Cancelled by the first signal.</summary>
    public CancellationToken Token => _source.Token;

    /// <summary>Whether a signal arrived.</summary>
    public bool IsCancellationRequested => _source.IsCancellationRequested;

    /// <summary>The exit code of a stopped command: 130 after Ctrl-C, 143 after SIGTERM.</summary>
    public int ExitCode => _exitCode;

    /// <inheritdoc/>
    public void Dispose()
    {
        _interrupt.Dispose();
        _terminate.Dispose();
        _source.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        if (_fatal?.Invoke() is { } reason)
        {
            Console.Error.WriteLine(reason); // the default action then ends the process: no checkpoint is written
            return;
        }
        if (_source.IsCancellationRequested) return; // the second signal: its default action ends the process
        context.Cancel = true;
        bool terminate = context.Signal == PosixSignal.SIGTERM;
        _exitCode = terminate ? ExitCodes.Terminated : ExitCodes.Interrupted;
        Console.Error.WriteLine($"{(terminate ? "SIGTERM" : "Ctrl-C (SIGINT)")}: {_what} (send it again to end at once).");
        _source.Cancel();
    }
}
