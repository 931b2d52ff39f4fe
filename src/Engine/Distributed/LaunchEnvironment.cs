using System.Globalization;

namespace RawGan.Engine.Distributed;

/// <summary>
/// Where this process stands in a multi-process launch, read from the variables launchers set: OpenMPI's mpirun
/// (OMPI_COMM_WORLD_RANK, OMPI_COMM_WORLD_SIZE, OMPI_COMM_WORLD_LOCAL_RANK), else torchrun-style RANK, WORLD_SIZE
/// and LOCAL_RANK; without either, one process of one.
/// </summary>
/// <param name="Rank">This process's rank, from 0.</param>
/// <param name="Size">Number of processes.</param>
/// <param name="LocalRank">Index among the processes on this host (picks the GPU).</param>
/// <param name="Source">Which variables said so, for messages.</param>
public sealed record LaunchEnvironment(int Rank, int Size, int LocalRank, string Source)
{
    /// <summary>True when mpirun started this process (MPI_Init can find its peers).</summary>
    public bool UnderMpirun => Source.StartsWith("OMPI", StringComparison.Ordinal);

    /// <summary>Reads this process's environment.</summary>
    public static LaunchEnvironment Current() => From(Environment.GetEnvironmentVariable);

    /// <summary>Reads the launch variables through <paramref name="variable"/> (tests pass a dictionary).</summary>
    public static LaunchEnvironment From(Func<string, string?> variable)
    {
        foreach (var (rank, size, local, source) in new[]
                 {
                     ("OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_LOCAL_RANK", "OMPI_COMM_WORLD_*"),
                     ("RANK", "WORLD_SIZE", "LOCAL_RANK", "RANK/WORLD_SIZE/LOCAL_RANK"),
                 })
        {
            if (variable(rank) is null && variable(size) is null) continue;
            int r = Read(variable, rank), n = Read(variable, size);
            int l = variable(local) is null ? r : Read(variable, local);
            if (n < 1 || r < 0 || r >= n || l < 0)
                throw new ArgumentException($"The launch variables ({source}) say rank {r} of {n}, local rank {l}: a rank must be in [0, size) and the local rank ≥ 0.");
            return new LaunchEnvironment(r, n, l, source);
        }
        return new LaunchEnvironment(0, 1, 0, "single process");
    }

    private static int Read(Func<string, string?> variable, string name) =>
        int.TryParse(variable(name), NumberStyles.None, CultureInfo.InvariantCulture, out int v)
            ? v
            : throw new ArgumentException($"The launch variable {name} is \"{variable(name)}\", not a whole number; set it (or unset the launch variables) and retry.");
}
