using RawGan.Engine;

namespace RawGan.Model.Data;

/// <summary>One batch from a <see cref="DataLoader"/>; disposing it frees both tensors.</summary>
/// <param name="Images">Float32 (B, C, H, W) in [−1, 1], on the loader's device.</param>
/// <param name="Labels">Int32 (B), on the loader's device.</param>
/// <param name="State">The position this batch was drawn from (its epoch and index within the epoch).</param>
public sealed record DataBatch(Tensor Images, Tensor Labels, LoaderState State) : IDisposable
{
    /// <inheritdoc/>
    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}
