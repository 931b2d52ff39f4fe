namespace RawGan.Model.Data;

/// <summary>
/// Where a <see cref="DataLoader"/> stands: the batch it hands out next is batch <paramref name="Batch"/> of epoch
/// <paramref name="Epoch"/>. Together with the loader's seed and batch size this fixes every later batch, so a
/// checkpoint stores it to resume with exactly the batches an uninterrupted run would have seen.
/// </summary>
/// <param name="Epoch">Epoch of the next batch, from 0.</param>
/// <param name="Batch">Index of the next batch within its epoch, from 0.</param>
public readonly record struct LoaderState(long Epoch, int Batch)
{
    /// <summary>The start of training.</summary>
    public static LoaderState Start => default;
}
