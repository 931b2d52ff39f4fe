using RawGan.Engine.Autograd;

namespace RawGan.Engine;

public static partial class Ops
{
    /// <summary>The same values in another dtype; returns x itself when the dtype already matches.</summary>
    public static Tensor ToDType(Tensor x, DType dtype)
    {
        if (x.DType == dtype) return x;
        var y = Tensor.Empty(x.Shape, dtype, x.Device);
        x.Backend.Cast(x.Storage, y.Storage, x.Numel);
        if (!dtype.IsFloatingPoint() || !x.DType.IsFloatingPoint()) return y;
        return Tape.Record(nameof(ToDType), y, [x], dy => [ToDType(dy, x.DType)]);
    }
}
