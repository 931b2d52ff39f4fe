namespace RawGan.Engine.Distributed;

/// <summary>Argument checks and host copies shared by the <see cref="ICommunicator"/> implementations.</summary>
internal static class Collectives
{
    public static void CheckDense(Tensor t, string name)
    {
        if (t.DType is not (DType.Float32 or DType.Float64 or DType.Int32))
            throw new ArgumentException($"Collectives move Float32, Float64 or Int32 tensors, got {t.DType}.", name);
    }

    public static void CheckRoot(int root, int size)
    {
        if (root < 0 || root >= size) throw new ArgumentOutOfRangeException(nameof(root), root, $"The root must be a rank in [0, {size}).");
    }

    public static void CheckGather(Tensor send, Tensor receive, int size)
    {
        CheckDense(send, nameof(send));
        if (receive.DType != send.DType) throw new ArgumentException($"AllGather receives {receive.DType} for {send.DType} sent.", nameof(receive));
        if (receive.Numel != send.Numel * size)
            throw new ArgumentException($"AllGather over {size} ranks of {send.Numel} elements needs {send.Numel * size} to receive, got {receive.Numel}.", nameof(receive));
        if (!ReferenceEquals(send.Backend, receive.Backend)) throw new ArgumentException("AllGather sends and receives on one device.", nameof(receive));
    }

    /// <summary>The tensor's elements in a host array of its own element type.</summary>
    public static Array ToHost(Tensor t) => t.DType switch
    {
        DType.Float32 => t.ToArray<float>(),
        DType.Float64 => t.ToArray<double>(),
        _ => t.ToArray<int>(),
    };

    /// <summary>Copies a host array of the tensor's element type into it.</summary>
    public static void FromHost(Array values, Tensor t)
    {
        switch (values)
        {
            case float[] f: t.Backend.CopyFromHost<float>(f, t.Storage, 0); break;
            case double[] d: t.Backend.CopyFromHost<double>(d, t.Storage, 0); break;
            case int[] i: t.Backend.CopyFromHost<int>(i, t.Storage, 0); break;
            default: throw new ArgumentException($"No host copy for {values.GetType().Name}.", nameof(values));
        }
    }
}
