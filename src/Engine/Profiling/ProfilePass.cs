namespace RawGan.Engine.Profiling;

/// <summary>Which part of a training step a profiled scope belongs to.</summary>
public enum ProfilePass
{
    /// <summary>Ops computing outputs (and host work around them).</summary>
    Forward,
    /// <summary>The backward of an op on the tape, the graph walk, and the ops that backward formulas run.</summary>
    Backward,
    /// <summary>Work on parameters after the gradients: optimiser steps, EMA, orthogonal regularisation.</summary>
    Update,
}
