using RawGan.Model.Training;

namespace RawGan.Tests.Distributed;

/// <summary>A training observer that prints nothing; <paramref name="onLogged"/> sees each logged step (to stop a run at one).</summary>
internal sealed class QuietObserver(Action<LogEntry>? onLogged = null) : ITrainingObserver
{
    public void Started(long fromStep, long toStep) { }

    public void Logged(LogEntry entry) => onLogged?.Invoke(entry);

    public void Message(string text) { }
}
