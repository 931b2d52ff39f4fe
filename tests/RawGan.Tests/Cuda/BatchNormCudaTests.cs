using RawGan.Engine;

namespace RawGan.Tests.Cuda;

using Ops = RawGan.Engine.Ops; // inside the namespace, so it wins over the RawGan.Tests.Ops namespace

public class BatchNormCudaTests : CudaTestBase
{
    private static readonly DType[] DTypes = [DType.Float32, DType.Float64];

    // Planes of single elements (odd sizes), batch 1, rank 2 (spatial 1), 16-byte packs below one 1024-element
    // reduction segment, BigGAN's 4x4 planes (four lanes per plane), packs over three segments, and a tensor larger
    // than one wave of the elementwise passes with 47 segments per plane.
    private static readonly int[][] Shapes =
    [
        [4, 3, 5, 5],
        [1, 6, 7, 3],
        [7, 5],
        [3, 4, 33, 17],
        [2, 3, 16, 32],
        [32, 6, 4, 4],
        [2, 3, 48, 48],
        [5, 7, 211, 223],
    ];

    [Test]
    public void ForwardBackwardAndRunningStatisticsMatchTheCpu([ValueSource(nameof(DTypes))] DType dtype, [Values(true, false)] bool training,
                                                              [Values(true, false)] bool affine, [Range(0, 7)] int which)
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

    [Test]
    public void StatisticsAndGradientsAreTheSameEveryRun([Values(true, false)] bool conditional)
    {
        // The reductions combine in a fixed order (no atomics), so two runs agree to the bit.
        var rng = Seeded(out _);
        Shape shape = [8, 16, 40, 40];
        var (_, x) = Pair(shape, DType.Float32, rng, offset: 3);
        var (_, dy) = Pair(shape, DType.Float32, rng);
        var (_, gain) = Pair([8, 16], DType.Float32, rng);
        var (_, bias) = Pair([8, 16], DType.Float32, rng);
        foreach (var t in new[] { x, gain, bias }) t.RequiresGrad = true;
        double[][] Run()
        {
            foreach (var t in new[] { x, gain, bias }) t.Grad = null;
            var y = conditional ? Ops.ConditionalBatchNormRelu(x, null, null, gain, bias, training: true) : Ops.BatchNorm(x, null, null, null, null, training: true);
            var values = y.ToDoubleArray();
            y.Backward(dy);
            return [values, x.Grad!.ToDoubleArray(), .. conditional ? new[] { gain.Grad!.ToDoubleArray(), bias.Grad!.ToDoubleArray() } : []];
        }
        var first = Run();
        var second = Run();
        for (int i = 0; i < first.Length; i++) Assert.That(second[i], Is.EqualTo(first[i]), $"output {i} differs between two runs");
    }

    private static void RequireGrad(params Tensor?[] tensors)
    {
        foreach (var t in tensors)
        {
            if (t is not null) t.RequiresGrad = true;
        }
    }
}
