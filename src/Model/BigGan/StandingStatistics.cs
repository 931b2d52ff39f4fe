using RawGan.Engine;
using RawGan.Engine.Autograd;
using RawGan.Engine.Nn;

namespace RawGan.Model.BigGan;

/// <summary>
/// The paper's "standing statistics" (BigGAN-PyTorch's utils.accumulate_standing_stats): before sampling, G runs
/// in training mode over N batches of fresh latents and labels, and every batch norm's running statistics become
/// the plain average of those N batches' statistics (reset first, then PyTorch's cumulative average, momentum
/// None); G then samples in eval mode with them. Two choices differ from the reference, on purpose:
/// <list type="bullet">
/// <item>Only the batch norms train. The reference puts all of G in training mode, so every spectral-norm layer also
/// takes N power-iteration steps and G's weights W/σ move a little; here σ stays the checkpoint's, so the statistics
/// are the only change and accumulating twice (e.g. once per truncation) gives the same G.</item>
/// <item>The variance averaged is each batch's unbiased one, as PyTorch's running statistics (and this engine's) keep
/// it; the reference's myBN averages the biased one, (n−1)/n of it for n values per channel (n ≥ 1,600 at batch
/// 100 on G's smallest 4×4 maps, a difference under 0.07 %).</item>
/// </list>
/// </summary>
public static class StandingStatistics
{
    /// <summary>
    /// Re-estimates the running statistics of every batch norm of <paramref name="g"/> over <paramref name="batches"/>
    /// batches of <paramref name="batchSize"/> from <paramref name="latents"/> (n → z, labels), and leaves G in eval
    /// mode using them. The momenta are restored afterwards, so training may continue from the new statistics.
    /// </summary>
    public static void Accumulate(BigGanGenerator g, int batches, int batchSize, Func<int, (Tensor Z, Tensor Labels)> latents)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(latents);
        ArgumentOutOfRangeException.ThrowIfLessThan(batches, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 2); // training-mode batch statistics need two values per channel
        var norms = RunningStatistics(g).ToList();
        var momenta = norms.Select(n => n.Norm.Momentum).ToList();
        g.Eval();
        try
        {
            foreach (var (module, norm) in norms)
            {
                norm.ResetStatistics();
                norm.Momentum = null;
                module.Train();
                // The conditional gains and biases (spectrally normalised with a shared embedding) stay in eval mode.
                foreach (var (_, child) in module.NamedChildren()) child.Eval();
            }
            for (int i = 0; i < batches; i++)
            {
                using var scope = new TensorScope();
                using var noGrad = GradMode.Disable();
                var (z, labels) = latents(batchSize);
                g.Generate(z, labels);
            }
        }
        finally
        {
            for (int i = 0; i < norms.Count; i++) norms[i].Norm.Momentum = momenta[i];
            g.Eval();
        }
    }

    /// <summary>Every batch norm of G with running statistics, in module order.</summary>
    public static IEnumerable<(Module Module, IRunningStatistics Norm)> RunningStatistics(Module root)
    {
        ArgumentNullException.ThrowIfNull(root);
        if (root is IRunningStatistics norm) yield return (root, norm);
        foreach (var (_, child) in root.NamedChildren())
            foreach (var found in RunningStatistics(child)) yield return found;
    }
}
