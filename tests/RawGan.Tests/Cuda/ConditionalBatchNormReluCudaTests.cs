using RawGan.Engine;

namespace RawGan.Tests.Cuda;

using Ops = RawGan.Engine.Ops; // inside the namespace, so it wins over the RawGan.Tests.Ops namespace

public class ConditionalBatchNormReluCudaTests : CudaTestBase
{
    private static readonly DType[] DTypes = [DType.Float32, DType.Float64];

    // Planes of single elements (odd sizes), batch 1, rank 2 (spatial 1), 16-byte packs within one reduction
    // segment, BigGAN's 4x4 planes (four lanes per plane), packs over three segments, and a tensor larger than one
    // wave of the elementwise passes with 47 segments per plane.
    private static readonly int[][] Shapes =
    [
        [4, 3, 5, 5],
        [1, 6, 7, 3],
        [7, 5],
        [3, 4, 16, 16],
        [32, 48, 4, 4],
        [2, 3, 33, 17],
        [2, 3, 48, 48],
        [5, 7, 211, 223],
    ];

    [Test]
    public void ForwardBackwardAndRunningStatisticsMatchTheCpu([ValueSource(nameof(DTypes))] DType dtype, [Values(true, false)] bool training,
                                                              [Range(0, 7)] int which)
    {
        var rng = Seeded(out _);
        Shape shape = Shapes[which];
        int n = shape[0], c = shape[1];
        // An offset mean (3 ± 1) checks that the batch variance is computed without cancellation.
        var (x, gx) = Pair(shape, dtype, rng, offset: 3);
        var (dy, gdy) = Pair(shape, dtype, rng);
        var (gain, ggain) = Pair([n, c], dtype, rng);
        var (bias, gbias) = Pair([n, c], dtype, rng);
        var (rm, grm) = Pair([c], dtype, rng);
        var (rv, grv) = Pair([c], dtype, rng, offset: 2);
        foreach (var t in new[] { x, gx, gain, ggain, bias, gbias }) t.RequiresGrad = true;

        var y = Ops.ConditionalBatchNormRelu(x, rm, rv, gain, bias, training);
        var gy = Ops.ConditionalBatchNormRelu(gx, grm, grv, ggain, gbias, training);
        AssertClose(gy, y, "forward");
        AssertClose(grm, rm, "running mean");
        AssertClose(grv, rv, "running variance");
        y.Backward(dy);
        gy.Backward(gdy);
        AssertClose(gx.Grad!, x.Grad!, "dx");
        AssertClose(ggain.Grad!, gain.Grad!, "dgain");
        AssertClose(gbias.Grad!, bias.Grad!, "dbias");
    }
}
