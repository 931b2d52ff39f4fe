namespace RawGan.Tests.TestSupport;

/// <summary>
/// Operand shape pairs for broadcasting tests: equal, per-channel, per-sample, rank-extending, both sides
/// broadcast, batch 1, scalar-like and odd sizes. Shared by the reference and gradient-check suites.
/// </summary>
internal static class BroadcastShapes
{
    public static readonly (int[] A, int[] B)[] Pairs =
    [
        ([2, 3, 4, 5], [2, 3, 4, 5]),
        ([2, 3, 4, 5], [1, 3, 1, 1]),
        ([1, 3, 1, 1], [2, 3, 3, 5]),
        ([3, 2, 3, 3], [3, 1, 1, 1]),
        ([2, 3, 5], [5]),
        ([7], [2, 3, 7]),
        ([2, 1, 4], [3, 1]),
        ([1, 1, 3, 3], [1, 1, 1, 1]),
        ([5, 1], [1, 3]),
        ([3, 4], []),
        ([2, 1, 3, 1], [1, 4, 1, 5]),
    ];
}
