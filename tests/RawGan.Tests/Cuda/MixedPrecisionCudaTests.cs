using RawGan.Engine;
using RawGan.Tests.BigGan;
using RawGan.Tests.Ops;
using RawGan.Tests.TestSupport;

namespace RawGan.Tests.Cuda;

/// <summary>
/// The bf16 kernels (elementwise, unary, affine, 2x2 pooling, upsampling, sums, batch norm and conditional BN + ReLU:
/// load bfloat16, compute float, store bfloat16) against the CPU reference on the same BFloat16 values, forward and
/// backward, for every op of <see cref="MixedPrecisionOpTests"/>. Both sides compute in float32 and round once, in
/// different orders, so they may round to neighbouring bfloat16 values: BFloat16 outputs are held to 2^-7 norm-wise
/// (one bfloat16 ulp), BFloat16 gradients to 2^-6 (a chain of two such ops), Float32 outputs and gradients to 1e-4
/// (the order of float32 additions). Dtypes must agree exactly.
/// </summary>
public class MixedPrecisionCudaTests : CudaTestBase
{
    private const double BFloat16Tolerance = 1.0 / 128, BFloat16GradientTolerance = 1.0 / 64, Float32Tolerance = 1e-4;

    private static IEnumerable<MixedPrecisionOpTests.OpCase> Cases() => MixedPrecisionOpTests.Cases();

    [TestCaseSource(nameof(Cases))]
    public void BFloat16KernelsMatchTheCpuReference(MixedPrecisionOpTests.OpCase c)
    {
        var rng = TestRng.Fresh();
        var activations = c.Activations.Select(s => MixedPrecisionOpTests.BFloat16Values(rng, s, c)).ToArray();
        var parameters = c.Parameters.Select(s => MixedPrecisionOpTests.BFloat16Values(rng, s, c)).ToArray();
        var cpu = MixedPrecisionOpTests.Run(c, activations, parameters, DType.BFloat16, rng.Seed);
        var gpu = MixedPrecisionOpTests.Run(c, activations, parameters, DType.BFloat16, rng.Seed, Gpu);
        Assert.That(gpu.Output.DType, Is.EqualTo(cpu.Output.DType), $"{c.Name}: output dtype");
        AssertClose(gpu.Output, cpu.Output, $"{c.Name}: output; {rng}", cpu.Output.DType == DType.BFloat16 ? BFloat16Tolerance : Float32Tolerance);
        for (int i = 0; i < cpu.Gradients.Length; i++)
        {
            Assert.That(gpu.Gradients[i].DType, Is.EqualTo(cpu.Gradients[i].DType), $"{c.Name}: gradient {i} dtype");
            if (double.IsFinite(c.GradientTolerance))
                AssertClose(gpu.Gradients[i], cpu.Gradients[i], $"{c.Name}: gradient {i}; {rng}",
                            cpu.Gradients[i].DType == DType.BFloat16 ? BFloat16GradientTolerance : Float32Tolerance);
        }
    }

    /// <summary>
    /// BigGAN G and D (Mnist32Small, attention included), forward and backward under the bf16 policy on the GPU against
    /// the same on the CPU, held to the bf16-versus-fp32 tolerances of <see cref="MixedPrecisionNetworkTests"/> (both
    /// sides round to bfloat16 at the same places, from float32 results computed in different orders).
    /// </summary>
    [Test]
    public void BigGanForwardAndBackwardUnderBf16MatchTheCpu()
    {
        var rng = TestRng.Fresh();
        var gpu = MixedPrecisionNetworkTests.Step(Precision.Bf16, rng.Seed, Gpu);
        var cpu = MixedPrecisionNetworkTests.Step(Precision.Bf16, rng.Seed, Device.Cpu);
        Assert.That((gpu.Images.DType, gpu.Scores.DType), Is.EqualTo((DType.BFloat16, DType.Float32)), "bfloat16 images, Float32 scores");
        MixedPrecisionNetworkTests.AssertClose(gpu, cpu, $"bf16 on the GPU against the CPU; {rng}");
    }
}
