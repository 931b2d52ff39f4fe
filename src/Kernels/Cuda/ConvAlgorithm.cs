namespace RawGan.Kernels.Cuda;

/// <summary>How the CUDA backend computes convolutions (<see cref="CudaBackend.ConvAlgorithm"/>).</summary>
public enum ConvAlgorithm
{
    /// <summary>im2col/col2im into a column buffer around cuBLAS GEMMs (kernels-cu/conv.cu). The default.</summary>
    Im2colGemm,

    /// <summary>Our tiled implicit-GEMM kernels, which gather their operands on the fly (kernels-cu/conv_igemm.cu).</summary>
    ImplicitGemm,
}

/// <summary>The default <see cref="ConvAlgorithm"/>, from the RAWGAN_CONV_ALGO environment variable read once.</summary>
public static class ConvAlgorithmSetting
{
    /// <summary>The environment variable's name.</summary>
    public const string Variable = "RAWGAN_CONV_ALGO";

    private static readonly Lazy<ConvAlgorithm> FromEnvironment = new(() => Parse(Environment.GetEnvironmentVariable(Variable)));

    /// <summary>The algorithm RAWGAN_CONV_ALGO names (case-insensitive), <see cref="ConvAlgorithm.Im2colGemm"/> when it is unset.</summary>
    public static ConvAlgorithm Default => FromEnvironment.Value;

    /// <summary>Parses a value of RAWGAN_CONV_ALGO; null or empty gives the default.</summary>
    public static ConvAlgorithm Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return ConvAlgorithm.Im2colGemm;
        foreach (var algorithm in Enum.GetValues<ConvAlgorithm>())
        {
            if (string.Equals(value.Trim(), algorithm.ToString(), StringComparison.OrdinalIgnoreCase)) return algorithm;
        }
        throw new ArgumentException(
            $"{Variable}={value} is not a convolution algorithm; use one of {string.Join(", ", Enum.GetNames<ConvAlgorithm>())} or leave it unset.");
    }
}
