using RawGan.Engine.Distributed;

namespace RawGan.Tests.Distributed;

public class LaunchEnvironmentTests
{
    private static LaunchEnvironment From(params (string Name, string Value)[] variables) =>
        LaunchEnvironment.From(name => variables.FirstOrDefault(v => v.Name == name).Value);

    [Test]
    public void MpirunsVariablesComeFirst()
    {
        var launch = From(("OMPI_COMM_WORLD_RANK", "3"), ("OMPI_COMM_WORLD_SIZE", "8"), ("OMPI_COMM_WORLD_LOCAL_RANK", "1"), ("RANK", "0"), ("WORLD_SIZE", "2"));
        Assert.That(launch, Is.EqualTo(new LaunchEnvironment(3, 8, 1, "OMPI_COMM_WORLD_*")));
        Assert.That(launch.UnderMpirun, Is.True);
    }

    [Test]
    public void TorchrunStyleVariablesWorkWithoutMpirun()
    {
        var launch = From(("RANK", "1"), ("WORLD_SIZE", "4"), ("LOCAL_RANK", "1"));
        Assert.That((launch.Rank, launch.Size, launch.LocalRank, launch.UnderMpirun), Is.EqualTo((1, 4, 1, false)));
        Assert.That(From(("RANK", "5"), ("WORLD_SIZE", "6")).LocalRank, Is.EqualTo(5), "without LOCAL_RANK, one host");
    }

    [Test]
    public void WithoutVariablesAProcessIsAlone() =>
        Assert.That(From(), Is.EqualTo(new LaunchEnvironment(0, 1, 0, "single process")));

    [Test]
    public void BadValuesAreNamed()
    {
        Assert.That(() => From(("RANK", "two"), ("WORLD_SIZE", "4")), Throws.ArgumentException.With.Message.Contains("RANK is \"two\""));
        Assert.That(() => From(("RANK", "4"), ("WORLD_SIZE", "4")), Throws.ArgumentException.With.Message.Contains("rank 4 of 4"));
    }
}
