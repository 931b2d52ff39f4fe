using RawGan.Engine;

namespace RawGan.Tests.Cuda;

using Ops = RawGan.Engine.Ops;

/// <summary>
/// Conv2d with a bias on the GPU (IBackend.Conv2dForwardWithBias's default: the convolution, then the broadcast add
/// in place) against the CPU (the bias fused into the GEMM's output tiles), forward and every gradient.
/// </summary>
public class ConvBiasCudaTests : CudaTestBase
{
    [TestCase(DType.Float32)]
    [TestCase(DType.Float64)]
    public void ConvWithBiasMatchesTheCpu(DType dtype)
    {
        var rng = Seeded(out _);
        var (x, gx) = Pair([3, 6, 16, 16], dtype, rng);
        var (w, gw) = Pair([8, 6, 3, 3], dtype, rng);
        var (b, gb) = Pair([8], dtype, rng);
        var (dy, gdy) = Pair([3, 8, 16, 16], dtype, rng);
        foreach (var t in new[] { x, gx, w, gw, b, gb }) t.RequiresGrad = true;
        var y = Ops.Conv2d(x, w, b, padding: 1);
        var gy = Ops.Conv2d(gx, gw, gb, padding: 1);
        AssertClose(gy, y, "forward");
        y.Backward(dy);
        gy.Backward(gdy);
        AssertClose(gx.Grad!, x.Grad!, "dx");
        AssertClose(gw.Grad!, w.Grad!, "dw");
        AssertClose(gb.Grad!, b.Grad!, "dbias");
    }
}
