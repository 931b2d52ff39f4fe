namespace RawGan.Engine;

public sealed partial class Tensor
{
    /// <summary>
    /// This tensor on another device (a copy through host memory), or itself when it is already there.
    /// The copy is a new leaf, cut from the graph.
    /// </summary>
    public Tensor To(Device device)
    {
        if (ReferenceEquals(device.Backend, Backend)) return this;
        var t = Empty(Shape, DType, device);
        switch (DType)
        {
            case DType.Float32: t.Backend.CopyFromHost<float>(ToArray<float>(), t.Storage, 0); break;
            case DType.Float64: t.Backend.CopyFromHost<double>(ToArray<double>(), t.Storage, 0); break;
            case DType.BFloat16: t.Backend.CopyFromHost<BFloat16>(ToArray<BFloat16>(), t.Storage, 0); break;
            default: t.Backend.CopyFromHost<int>(ToArray<int>(), t.Storage, 0); break;
        }
        return t;
    }

    /// <summary>
    /// Copies <paramref name="source"/>'s elements into this tensor (same shape and dtype, on the same device), in
    /// order with the device's other work; not recorded for autograd.
    /// </summary>
    public void CopyFrom(Tensor source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.Shape != Shape || source.DType != DType)
            throw new ArgumentException($"Cannot copy a {source.DType} tensor of shape {source.Shape} into a {DType} tensor of shape {Shape}.", nameof(source));
        if (!ReferenceEquals(source.Backend, Backend))
            throw new ArgumentException($"The source is on {source.Device}, this tensor on {Device}; move it first.", nameof(source));
        var strides = Shape.ContiguousStrides();
        Backend.StridedCopy(source.Storage, 0, strides, Storage, 0, strides, Shape.AsSpan());
    }
}
