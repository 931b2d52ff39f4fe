using RawGan.Tests.IO;

namespace RawGan.Tests.Cli;

/// <summary>A fixture whose tests share one tiny run trained to step 2 (they read it, never change it).</summary>
public abstract class TrainedRunFixture
{
    private TempFolder? _folder;

    /// <summary>A folder of the fixture's own, for the files its tests make.</summary>
    protected string FolderPath => _folder!.Path;

    /// <summary>The run folder; its one checkpoint is step_00000002.</summary>
    protected string Run { get; private set; } = "";

    [OneTimeSetUp]
    public void TrainOnce()
    {
        _folder = new TempFolder();
        Run = TinyRun.Completed(_folder.Path, "run", 2);
    }

    [OneTimeTearDown]
    public void DeleteFolder() => _folder?.Dispose();
}
