namespace RawGan.Engine;

public static partial class Ops
{
    /// <summary>
    /// log(softmax(x)) over the last axis, computed stably as (x − c) − log Σ exp(x − c) with c the row maximum.
    /// Built from existing ops, so it runs (and differentiates) on every backend. The engine has no max reduction,
    /// so c is read on the host from a detached copy; it is a constant to autograd, which is exact because the
    /// result does not depend on c (the shift only keeps exp from overflowing and the log from seeing 0).
    /// </summary>
    public static Tensor LogSoftmax(Tensor x)
    {
        x = ToDType(x, StatisticsDType(x.DType)); // BFloat16 computes in Float32, as autocast does
        CheckSame(nameof(LogSoftmax), x);
        if (x.Rank == 0) throw new ArgumentException("LogSoftmax needs at least one dimension.", nameof(x));
        int cols = x.Shape[^1];
        if (cols == 0) throw new ArgumentException("LogSoftmax needs a non-empty last axis.", nameof(x));
        int rows = (int)(x.Numel / cols);
        var values = x.ToDoubleArray();
        var max = new double[rows];
        for (int r = 0; r < rows; r++)
        {
            double m = double.NegativeInfinity;
            for (int c = 0; c < cols; c++) m = Math.Max(m, values[r * cols + c]);
            max[r] = m;
        }
        var keptShape = x.Shape.ToArray();
        keptShape[^1] = 1;
        var shift = Tensor.FromArray(max, new Shape(keptShape), x.Device).ToDType(x.DType);
        var shifted = Sub(x, shift);
        return Sub(shifted, Log(Sum(Exp(shifted), [-1], keepDim: true)));
    }

    /// <summary>
    /// The mean cross-entropy of logits (N, K) against Int32 class labels (N): −mean_i log softmax(x_i)[y_i], as
    /// torch.nn.functional.cross_entropy with its default mean reduction.
    /// </summary>
    public static Tensor CrossEntropy(Tensor logits, Tensor labels)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(labels);
        if (logits.Rank != 2) throw new ArgumentException($"CrossEntropy takes logits (N, K); got shape {logits.Shape}.", nameof(logits));
        if (labels.DType != DType.Int32 || labels.Rank != 1 || labels.Shape[0] != logits.Shape[0])
            throw new ArgumentException($"CrossEntropy takes Int32 labels (N) with N = {logits.Shape[0]}; got {labels.DType} of shape {labels.Shape}.", nameof(labels));
        int n = logits.Shape[0], k = logits.Shape[1];
        var oneHot = new double[n * k];
        var classes = labels.ToArray<int>();
        for (int i = 0; i < n; i++)
        {
            if ((uint)classes[i] >= (uint)k) throw new ArgumentOutOfRangeException(nameof(labels), $"Label {classes[i]} of sample {i} is outside [0, {k}).");
            oneHot[i * k + classes[i]] = 1;
        }
        var target = Tensor.FromArray(oneHot, new Shape(n, k), logits.Device).ToDType(logits.DType);
        return MulScalar(Sum(Mul(LogSoftmax(logits), target)), -1.0 / n);
    }
}
