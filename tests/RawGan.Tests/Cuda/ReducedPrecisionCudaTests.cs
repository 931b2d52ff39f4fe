using RawGan.Engine;
using RawGan.Kernels.Cuda;

namespace RawGan.Tests.Cuda;

using Ops = RawGan.Engine.Ops;

/// <summary>
/// bfloat16 storage and the TF32/bfloat16 products on the GPU against the CPU reference. Tolerances, norm-wise
/// relative (max |gpu − cpu| / max |cpu|): casts, fills and copies bit for bit; bfloat16 inputs with a float32
/// output 1e-4 (the order of float32 additions alone); a bfloat16 output 2^-7 (one bfloat16 ulp, where the two
/// accumulations straddle a rounding boundary); TF32 2e-3 (the tensor cores may truncate inputs that the CPU rounds
/// to nearest, up to one TF32 ulp, 2^-10, per input).
/// </summary>
public class ReducedPrecisionCudaTests : CudaTestBase
{
    private const double Float32OutputTolerance = 1e-4, BFloat16OutputTolerance = 1.0 / 128, Tf32Tolerance = 2e-3;

    [Test]
    public void CastsToAndFromBFloat16MatchTheCpuBitForBit()
    {
        var rng = Seeded(out int seed);
        // Every kind of float: random bits (NaNs, infinities, subnormals included) and ties.
        var bits = Enumerable.Range(0, 100_003).Select(i => (uint)rng.NextInt64(0, 1L << 32) & (i % 3 == 0 ? 0xFFFF_8000u : 0xFFFF_FFFFu)).ToArray();
        var f = Array.ConvertAll(bits, BitConverter.UInt32BitsToSingle);
        var cpu = Tensor.FromArray(f).ToDType(DType.BFloat16);
        var gpu = Tensor.FromArray(f).To(Gpu).ToDType(DType.BFloat16);
        Assert.That(gpu.ToArray<BFloat16>().Select(h => h.Bits), Is.EqualTo(cpu.ToArray<BFloat16>().Select(h => h.Bits)), $"float32 → bfloat16, seed {seed}");
        var d = Array.ConvertAll(f, v => (double)v * (1 + 1e-9));
        Assert.That(Tensor.FromArray(d).To(Gpu).ToDType(DType.BFloat16).ToArray<BFloat16>().Select(h => h.Bits),
                    Is.EqualTo(Tensor.FromArray(d).ToDType(DType.BFloat16).ToArray<BFloat16>().Select(h => h.Bits)), $"float64 → bfloat16, seed {seed}");
        Assert.That(gpu.ToDType(DType.Float32).ToArray<float>().Select(BitConverter.SingleToUInt32Bits),
                    Is.EqualTo(cpu.ToDType(DType.Float32).ToArray<float>().Select(BitConverter.SingleToUInt32Bits)), "bfloat16 → float32");
        Assert.That(gpu.ToDType(DType.Float64).ToArray<double>().Select(BitConverter.DoubleToInt64Bits),
                    Is.EqualTo(cpu.ToDType(DType.Float64).ToArray<double>().Select(BitConverter.DoubleToInt64Bits)), "bfloat16 → float64");
    }

    [Test]
    public void FillAndStridedCopyOfBFloat16MatchTheCpu()
    {
        Assert.That(Tensor.Full([5, 7], -2.7, DType.BFloat16, Gpu).ToArray<BFloat16>(), Is.EqualTo(Tensor.Full([5, 7], -2.7, DType.BFloat16).ToArray<BFloat16>()));
        var rng = Seeded(out _);
        var (cpu, gpu) = Pair([3, 4, 5, 6], DType.BFloat16, rng);
        Assert.That(Ops.Permute(gpu, 3, 1, 0, 2).ToArray<BFloat16>(), Is.EqualTo(Ops.Permute(cpu, 3, 1, 0, 2).ToArray<BFloat16>()));
    }

    private static IEnumerable<TestCaseData> ProductCases()
    {
        yield return new TestCaseData(DType.Float32, DType.Float32, Tf32Tolerance).SetName("{m}(TF32)");
        yield return new TestCaseData(DType.BFloat16, DType.Float32, Float32OutputTolerance).SetName("{m}(BFloat16 to Float32)");
        yield return new TestCaseData(DType.BFloat16, DType.BFloat16, BFloat16OutputTolerance).SetName("{m}(BFloat16)");
    }

    [TestCaseSource(nameof(ProductCases))]
    public void GemmMatchesTheCpuReference(DType inputs, DType output, double tolerance)
    {
        var rng = Seeded(out _);
        var math = inputs == DType.Float32 ? MathMode.Tf32 : MathMode.Exact;
        foreach (var (m, n, k, batch, transA, transB) in new[] { (64, 48, 200, 1, false, false), (33, 17, 65, 3, true, false), (8, 130, 40, 2, false, true) })
        {
            var (ac, ag) = Pair(transA ? [batch, k, m] : [batch, m, k], inputs, rng);
            var (bc, bg) = Pair(transB ? [batch, n, k] : [batch, k, n], inputs, rng);
            var (cc, cg) = Pair([batch, m, n], output, rng);
            foreach (var (a, b, c, backend) in new[] { (ac, bc, cc, ac.Backend), (ag, bg, cg, ag.Backend) })
                backend.Gemm(transA, transB, m, n, k, 0.75, a.Storage, 0, transA ? m : k, (long)m * k, b.Storage, 0, transB ? k : n, (long)k * n,
                             0.5, c.Storage, 0, n, (long)m * n, batch, math);
            AssertClose(cg, cc, $"{inputs}→{output} gemm {m}x{n}x{k} batch {batch}", tolerance);
        }
    }

    private static IEnumerable<TestCaseData> ConvCases()
    {
        Conv2dGeometry[] geometries =
        [
            new(4, 32, 16, 16, 48, 3, 3, 1, 1, 1, 1),  // a BigGAN body convolution
            new(3, 20, 8, 8, 24, 1, 1, 1, 1, 0, 0),    // 1x1: GEMMs straight on x
            new(2, 6, 17, 15, 5, 3, 3, 2, 2, 1, 1),    // stride 2, odd sizes: col2im
        ];
        foreach (var g in geometries)
            foreach (var c in ProductCases())
                yield return new TestCaseData(c.Arguments[0], c.Arguments[1], c.Arguments[2], g);
    }

    [TestCaseSource(nameof(ConvCases))]
    public void ConvolutionPassesMatchTheCpuReference(DType inputs, DType output, double tolerance, Conv2dGeometry g)
    {
        var rng = Seeded(out _);
        var backend = (CudaBackend)Gpu.Backend;
        var (savedBudget, savedAlgorithm) = (backend.ConvChunkElements, backend.ConvAlgorithm);
        var math = inputs == DType.Float32 ? MathMode.Tf32 : MathMode.Exact;
        try
        {
            // im2col + cuBLAS (our tensor-core kernels have ConvTensorCoreCudaTests); a budget of one image per chunk
            // makes the weight gradient sum over chunks (in float32 for bfloat16).
            backend.ConvAlgorithm = ConvAlgorithm.Im2colGemm;
            backend.ConvChunkElements = 1;
            var (xc, xg) = Pair([g.N, g.C, g.H, g.W], inputs, rng);
            var (wc, wg) = Pair([g.K, g.C, g.R, g.S], inputs, rng);
            var (dyc, dyg) = Pair([g.N, g.K, g.OutH, g.OutW], inputs, rng);
            Tensor Out(Tensor like, Shape shape) => Tensor.Zeros(shape, output, like.Device);
            var (yc, yg) = (Out(xc, dyc.Shape), Out(xg, dyc.Shape));
            xc.Backend.Conv2dForward(xc.Storage, wc.Storage, yc.Storage, g, math);
            backend.Conv2dForward(xg.Storage, wg.Storage, yg.Storage, g, math);
            AssertClose(yg, yc, $"forward {g}", tolerance);
            var (dxc, dxg) = (Out(xc, xc.Shape), Out(xg, xc.Shape));
            xc.Backend.Conv2dBackwardData(dyc.Storage, wc.Storage, dxc.Storage, g, math);
            backend.Conv2dBackwardData(dyg.Storage, wg.Storage, dxg.Storage, g, math);
            AssertClose(dxg, dxc, $"backward data {g}", tolerance);
            var (dwc, dwg) = (Out(xc, wc.Shape), Out(xg, wc.Shape));
            xc.Backend.Conv2dBackwardWeight(xc.Storage, dyc.Storage, dwc.Storage, g, math);
            backend.Conv2dBackwardWeight(xg.Storage, dyg.Storage, dwg.Storage, g, math);
            AssertClose(dwg, dwc, $"backward weight {g}", tolerance);
        }
        finally
        {
            (backend.ConvChunkElements, backend.ConvAlgorithm) = (savedBudget, savedAlgorithm);
        }
    }
}
