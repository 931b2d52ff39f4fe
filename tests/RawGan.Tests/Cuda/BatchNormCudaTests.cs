using RawGan.Engine;

namespace RawGan.Tests.Cuda;

using Ops = RawGan.Engine.Ops; // inside the namespace, so it wins over the RawGan.Tests.Ops namespace

public class BatchNormCudaTests : CudaTestBase
{
    private static readonly DType[] DTypes = [DType.Float32, DType.Float64];

    // Spatial sizes below, at and above the 512-thread channel block, batch 1, rank 2 (spatial 1), and one
    // tensor larger than a full grid stride of the elementwise forward (its channel-tracking carries).
    private static readonly int[][] Shapes =
    [
        [4, 3, 5, 5],
        [1, 6, 7, 3],
        [7, 5],
        [3, 4, 33, 17],
        [2, 3, 16, 32],
        [5, 7, 211, 223],
    ];

    [Test]
    public void ForwardBackwardAndRunningStatisticsMatchTheCpu([ValueSource(nameof(DTypes))] DType dtype, [Values(true, false)] bool training,
                                                              [Values(true, false)] bool affine, [Range(0, 5)] int which)
    {
        var rng = Seeded(out _);
        Shape shape = Shapes[which];
        int c = shape[1];
        // An offset mean (3 ± 1) checks that the batch variance is computed without cancellation.
        var (x, gx) = Pair(shape, dtype, rng, offset: 3);
        var (dy, gdy) = Pair(shape, dtype, rng);
        var (rm, grm) = Pair([c], dtype, rng);
        var (rv, grv) = Pair([c], dtype, rng, offset: 2);
        var (gamma, ggamma) = affine ? Pair([c], dtype, rng, offset: 1) : (null, null);
        var (beta, gbeta) = affine ? Pair([c], dtype, rng) : (null, null);
        RequireGrad(x, gx, gamma, ggamma, beta, gbeta);

        var y = Ops.BatchNorm(x, rm, rv, gamma, beta, training);
        var gy = Ops.BatchNorm(gx, grm, grv, ggamma, gbeta, training);
        AssertClose(gy, y, "forward");
        AssertClose(grm, rm, "running mean");
        AssertClose(grv, rv, "running variance");
        y.Backward(dy);
        gy.Backward(gdy);
        AssertClose(gx.Grad!, x.Grad!, "dx");
        if (affine)
        {
            AssertClose(ggamma!.Grad!, gamma!.Grad!, "dgamma");
            AssertClose(gbeta!.Grad!, beta!.Grad!, "dbeta");
        }
    }

    private static void RequireGrad(params Tensor?[] tensors)
    {
        foreach (var t in tensors)
        {
            if (t is not null) t.RequiresGrad = true;
        }
    }
}
