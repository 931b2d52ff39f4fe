using RawGan.Engine.Distributed;

namespace RawGan.Engine.Nn;

/// <summary>A batch-norm layer whose training statistics can be taken over every replica of a data-parallel group.</summary>
public interface ICrossReplicaNorm
{
    /// <summary>The group whose batches the statistics span, or null for this replica's batch alone.</summary>
    ICommunicator? CrossReplica { get; set; }
}

/// <summary>Switches cross-replica batch norm on or off for every layer of a network.</summary>
public static class CrossReplicaNorm
{
    /// <summary>Sets <paramref name="replicas"/> (null: off) on every <see cref="ICrossReplicaNorm"/> in <paramref name="network"/>; returns how many.</summary>
    public static int Apply(Module network, ICommunicator? replicas)
    {
        int count = 0;
        if (network is ICrossReplicaNorm norm)
        {
            norm.CrossReplica = replicas;
            count++;
        }
        foreach (var (_, child) in network.NamedChildren()) count += Apply(child, replicas);
        return count;
    }
}
