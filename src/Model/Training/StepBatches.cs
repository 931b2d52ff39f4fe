using RawGan.Engine;
using RawGan.Model.Data;

namespace RawGan.Model.Training;

/// <summary>
/// The real batches of one generator step, read before the step starts (<see cref="Fetch"/>) so that a data error
/// surfaces between steps, where the trainer's state is whole; the step then takes them in order. Made outside
/// the step's tensor scopes, they are freed here, at the next fetch.
/// </summary>
/// <param name="perStep">The batches a generator step takes: D steps × D accumulations (more are read when asked for).</param>
/// <param name="dtype">The model's dtype: the images are handed out in it (the loader reads Float32).</param>
internal sealed class StepBatches(DataLoader loader, int perStep, DType dtype) : IRealBatches, IDisposable
{
    private readonly Queue<DataBatch> _ready = new();
    private readonly List<DataBatch> _taken = [];

    public void Fetch()
    {
        Release();
        for (int i = 0; i < perStep; i++) _ready.Enqueue(loader.Next());
    }

    public (Tensor Images, Tensor Labels) Next()
    {
        var batch = _ready.TryDequeue(out var ready) ? ready : loader.Next();
        _taken.Add(batch);
        return (batch.Images.ToDType(dtype), batch.Labels);
    }

    public void Dispose() => Release();

    private void Release()
    {
        foreach (var batch in _taken) batch.Dispose();
        _taken.Clear();
        while (_ready.TryDequeue(out var unused)) unused.Dispose();
    }
}
