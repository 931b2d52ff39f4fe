using RawGan.Kernels.Cuda;

namespace RawGan.Tests.Cuda;

/// <summary>Needs no GPU: how RAWGAN_CONV_ALGO's values map to convolution algorithms.</summary>
public class ConvAlgorithmSettingTests
{
    [TestCase(null, ConvAlgorithm.Auto)]
    [TestCase("", ConvAlgorithm.Auto)]
    [TestCase("auto", ConvAlgorithm.Auto)]
    [TestCase("Im2colGemm", ConvAlgorithm.Im2colGemm)]
    [TestCase("implicitgemm", ConvAlgorithm.ImplicitGemm)]
    [TestCase(" ImplicitGemm ", ConvAlgorithm.ImplicitGemm)]
    [TestCase("TENSORCORE", ConvAlgorithm.TensorCore)]
    public void NamesParseCaseInsensitively(string? value, ConvAlgorithm expected) =>
        Assert.That(ConvAlgorithmSetting.Parse(value), Is.EqualTo(expected));

    [TestCase("1")]
    [TestCase("winograd")]
    public void OtherValuesAreRejectedWithTheChoices(string value)
    {
        var e = Assert.Throws<ArgumentException>(() => ConvAlgorithmSetting.Parse(value));
        Assert.That(e!.Message, Does.Contain("RAWGAN_CONV_ALGO").And.Contain("ImplicitGemm").And.Contain("Im2colGemm").And.Contain("TensorCore"));
    }
}
