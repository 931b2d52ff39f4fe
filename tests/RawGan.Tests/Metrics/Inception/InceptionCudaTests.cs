using RawGan.Engine;
using RawGan.Engine.Autograd;
using RawGan.Model.Metrics.Inception;
using RawGan.Tests.Cuda;

namespace RawGan.Tests.Metrics.Inception;

/// <summary>The whole Inception-v3 forward (resize, rectangular convs, general pools) on the GPU against the CPU.</summary>
public class InceptionCudaTests : CudaTestBase
{
    [Test]
    public void ForwardMatchesTheCpu()
    {
        using var cpu = InceptionV3.FromState(HashedWeights.InceptionState);
        using var gpu = InceptionV3.FromState(HashedWeights.InceptionState, Gpu);
        var images = HashedWeights.Image("image:rgb75", new Shape(2, 3, 75, 75));
        using var noGrad = GradMode.Disable();
        var cpuStages = new Dictionary<string, Tensor>();
        var cpuFeatures = cpu.Features(cpu.Prepare(images), (name, y) => cpuStages[name] = y);
        var gpuFeatures = gpu.Features(gpu.Prepare(images.To(Gpu)), (name, y) => AssertClose(y, cpuStages[name], name));
        AssertClose(gpuFeatures, cpuFeatures, "pool3 features");
        var (p, f) = gpu.Evaluate(images);
        var (pc, fc) = cpu.Evaluate(images);
        Assert.That(RelativeError(f.Cast<double>().ToArray(), fc.Cast<double>().ToArray()), Is.LessThan(1e-4), "Evaluate features");
        Assert.That(RelativeError(p.Cast<double>().ToArray(), pc.Cast<double>().ToArray()), Is.LessThan(1e-4), "Evaluate probabilities");
    }
}
