namespace RawGan.Engine.Distributed;

/// <summary>
/// Another rank of the group ended (killed, crashed or stopped) while this one needed it: the collective cannot
/// finish, so this rank stops too. The message names the lost rank.
/// </summary>
public sealed class RankLostException(int lostRank, string detail)
    : Exception($"Rank {lostRank} was lost ({detail}); this rank stops without writing a checkpoint. " +
                "Resume the run from its newest checkpoint with --resume, with any number of ranks.")
{
    /// <summary>The rank that ended.</summary>
    public int LostRank { get; } = lostRank;
}
