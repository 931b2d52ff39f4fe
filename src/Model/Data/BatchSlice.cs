using RawGan.Engine;
using RawGan.Engine.Rng;

namespace RawGan.Model.Data;

/// <summary>
/// The rows of each global batch one rank of a data-parallel group trains on: [Start, Start + Count) of Total.
/// Every rank gets an equal, contiguous slice, so the ranks' slices put together are the single-process batch.
/// </summary>
/// <param name="Start">First row of the slice.</param>
/// <param name="Count">Rows in the slice.</param>
/// <param name="Total">Rows in the global batch.</param>
public readonly record struct BatchSlice(int Start, int Count, int Total)
{
    /// <summary>The whole batch (a single process).</summary>
    public static BatchSlice Whole(int total) => new(0, total, total);

    /// <summary>Rank <paramref name="rank"/>'s slice of a global batch of <paramref name="total"/> split over <paramref name="size"/> ranks.</summary>
    public static BatchSlice Of(int total, int rank, int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        if (rank < 0 || rank >= size) throw new ArgumentOutOfRangeException(nameof(rank), rank, $"A rank is in [0, {size}).");
        if (total % size != 0)
            throw new ArgumentException($"The global batch of {total} does not split evenly over {size} ranks; use a --batch-size that is a multiple of {size}.");
        return new BatchSlice(rank * (total / size), total / size, total);
    }

    /// <summary>
    /// This slice's rows of a Total × <paramref name="columns"/> draw of standard normal numbers from
    /// <paramref name="random"/>, which then moves past the whole draw. Philox gives element i the counter
    /// offset + i alone, so each rank computes only its own rows and the slices of all ranks are exactly the
    /// single-process draw, while every rank's stream stays at the same position.
    /// </summary>
    public Tensor Normal(PhiloxGenerator random, int columns, DType dtype, Device device)
    {
        var rows = Tensor.RandomNormal([Count, columns], random.Seed, unchecked(random.Offset + (ulong)Start * (ulong)columns), dtype: dtype, device: device);
        random.Offset = unchecked(random.Offset + (ulong)Total * (ulong)columns);
        return rows;
    }

    /// <summary>This slice's elements of a draw of Total uniform numbers in (0, 1), as <see cref="Normal"/> does it.</summary>
    public Tensor Uniform(PhiloxGenerator random, DType dtype, Device device)
    {
        var rows = Tensor.RandomUniform([Count], random.Seed, unchecked(random.Offset + (ulong)Start), dtype, device);
        random.Offset = unchecked(random.Offset + (ulong)Total);
        return rows;
    }
}
