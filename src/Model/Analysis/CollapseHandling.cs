using System.Globalization;
using RawGan.Engine;
using RawGan.Model.Training;

namespace RawGan.Model.Analysis;

/// <summary>
/// `rawgan train --on-collapse`: runs <see cref="TrainingSession"/> and, when it ends with
/// <see cref="TrainingOutcome.Collapsed"/>, either marks the last checkpoint before the event as the run's result
/// (stop) or resumes from it with both learning rates halved (rollback, at most
/// <see cref="CollapseOptions.MaxRollbacks"/> times; then it stops). Every decision is appended to events.jsonl.
/// </summary>
public static class CollapseHandling
{
    /// <summary>The marker file naming the checkpoint a stopped run keeps as its result.</summary>
    public const string ResultFileName = "result.txt";

    /// <summary>Trains with collapse handling; returns the final session's result. With <paramref name="parallel"/>, rank 0 alone writes.</summary>
    public static TrainingResult Run(RunFolder run, RunConfig config, Device device, string? resumeFrom, ITrainingObserver observer, CancellationToken stop,
                                     Metrics.TrainingEvaluator? evaluator = null, DataParallel? parallel = null)
    {
        bool root = parallel?.IsRoot ?? true;
        for (int rollbacks = 0; ; rollbacks++)
        {
            var result = TrainingSession.Run(run, config, device, resumeFrom, observer, stop, evaluator, parallel);
            if (result.Outcome != TrainingOutcome.Collapsed || result.Collapse is not { } e) return result;
            bool canRollBack = config.Collapse.Action == CollapseAction.Rollback && rollbacks < config.Collapse.MaxRollbacks && result.Checkpoint is not null;
            if (!canRollBack)
            {
                if (root) MarkResult(run, result.Checkpoint, e);
                observer.Message(result.Checkpoint is null
                    ? $"Collapse at step {e.Step}; no checkpoint was written before it."
                    : $"Collapse at step {e.Step}; the result is {result.Checkpoint} (written to {ResultFileName}).");
                return result;
            }
            var t = config.Training;
            config = config with { Training = t with { GLearningRate = t.GLearningRate / 2, DLearningRate = t.DLearningRate / 2 } };
            resumeFrom = result.Checkpoint; // the resumed session drops the log rows after it and logs those steps again
            if (root) EventLog.Append(run.Path, "rollback", e, CollapseAction.Rollback, resumeFrom, config.Training.GLearningRate, config.Training.DLearningRate);
            observer.Message($"Rollback {rollbacks + 1}/{config.Collapse.MaxRollbacks}: resuming from {resumeFrom} with G lr {config.Training.GLearningRate:G3}, D lr {config.Training.DLearningRate:G3}.");
        }
    }

    /// <summary>Writes result.txt: the checkpoint to keep and why.</summary>
    public static void MarkResult(RunFolder run, string? checkpoint, CollapseEvent e)
    {
        var text = string.Create(CultureInfo.InvariantCulture,
            $"checkpoint: {checkpoint ?? "none (the collapse came before the first checkpoint)"}\nreason: collapse detected at step {e.Step}: {e.Describe()}\nevidence: {EventLog.FileName}\n");
        File.WriteAllText(Path.Combine(run.Path, ResultFileName), text);
    }
}
