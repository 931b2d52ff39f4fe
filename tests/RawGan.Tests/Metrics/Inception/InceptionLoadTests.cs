using RawGan.Engine;
using RawGan.Model.Metrics.Inception;

namespace RawGan.Tests.Metrics.Inception;

/// <summary>Weights that are not pytorch-fid's Inception-v3 fail with a message naming what is wrong.</summary>
public class InceptionLoadTests
{
    private static Dictionary<string, Tensor> Copy() => new(HashedWeights.InceptionState);

    [Test]
    public void AMissingTensorIsNamed()
    {
        var state = Copy();
        state.Remove("Mixed_6c.branch7x7dbl_3.bn.running_var");
        var e = Assert.Throws<InvalidDataException>(() => InceptionV3.FromState(state, source: "w.safetensors"));
        Assert.That(e!.Message, Does.Contain("w.safetensors").And.Contain("Mixed_6c.branch7x7dbl_3.bn.running_var").And.Contain("convert_inception.py"));
    }

    [Test]
    public void AnUnexpectedTensorIsNamed()
    {
        var state = Copy();
        state["AuxLogits.fc.weight"] = Tensor.Zeros([1008, 768]);
        var e = Assert.Throws<InvalidDataException>(() => InceptionV3.FromState(state));
        Assert.That(e!.Message, Does.Contain("AuxLogits.fc.weight"));
    }

    [Test]
    public void AMisShapedTensorIsNamedWithBothShapes()
    {
        var state = Copy();
        state["Mixed_7b.branch3x3_2a.conv.weight"] = Tensor.Zeros([384, 384, 3, 1]);
        var e = Assert.Throws<InvalidDataException>(() => InceptionV3.FromState(state));
        Assert.That(e!.Message, Does.Contain("Mixed_7b.branch3x3_2a.conv.weight").And.Contain("(384, 384, 3, 1)").And.Contain("(384, 384, 1, 3)"));
    }

    [Test]
    public void WithoutTheClassifierTheFileIsNotInception()
    {
        var state = Copy();
        state.Remove("fc.weight");
        var e = Assert.Throws<InvalidDataException>(() => InceptionV3.FromState(state));
        Assert.That(e!.Message, Does.Contain("fc.weight"));
    }

    [Test]
    public void TheClassCountComesFromTheClassifier()
    {
        var state = Copy();
        state["fc.weight"] = Tensor.Zeros([1000, 2048]);
        state["fc.bias"] = Tensor.Zeros([1000]);
        using var net = InceptionV3.FromState(state);
        Assert.That((net.NumClasses, net.FeatureSize, net.Name), Is.EqualTo((1000, 2048, "inception-v3")));
    }

    [Test]
    public void AMissingFileSaysHowToMakeOne()
    {
        var e = Assert.Throws<FileNotFoundException>(() => InceptionV3.Load("/nonexistent/inception.safetensors"));
        Assert.That(e!.Message, Does.Contain("convert_inception.py"));
    }

    [Test]
    public void ImagesMustBeGreyOrRgb()
    {
        var state = Copy();
        using var net = InceptionV3.FromState(state);
        Assert.Throws<ArgumentException>(() => net.Evaluate(Tensor.Zeros([1, 2, 8, 8])));
        Assert.Throws<ArgumentException>(() => net.Evaluate(Tensor.Zeros([3, 8, 8])));
    }
}
