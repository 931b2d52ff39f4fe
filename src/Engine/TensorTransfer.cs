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
}
