namespace RawGan.Kernels.Cuda;

/// <summary>How the CUDA backend computes convolutions (<see cref="CudaBackend.ConvAlgorithm"/>).</summary>
public enum ConvAlgorithm
{
    /// <summary>
    /// The default. Exact float32 and float64 convolutions: im2col + cuBLAS. TF32 and bfloat16 convolutions: timed once
    /// per shape, pass and precision, at first use, among the tensor-core kernels' tile variants and im2col + cuBLAS,
    /// and the fastest kept for the run (logged once per shape).
    /// </summary>
    Auto,

    /// <summary>im2col/col2im into a column buffer around cuBLAS GEMMs (kernels-cu/conv.cu), for every convolution.</summary>
    Im2colGemm,

    /// <summary>
    /// Our FMA implicit-GEMM kernels (kernels-cu/conv_igemm.cu) for exact float32 and float64 convolutions; TF32 and
    /// bfloat16 ones use im2col + cuBLAS.
    /// </summary>
    ImplicitGemm,

    /// <summary>
    /// Our tensor-core implicit-GEMM kernels (kernels-cu/conv_tc.cu) for every TF32 and bfloat16 convolution, with the
    /// tile variant chosen from the shape without timing; exact float32 and float64 ones use im2col + cuBLAS.
    /// </summary>
    TensorCore,
}

/// <summary>One of the three convolution passes.</summary>
public enum ConvPass
{
    /// <summary>y from x and w.</summary>
    Forward,

    /// <summary>dx from dy and w.</summary>
    BackwardData,

    /// <summary>dw from x and dy.</summary>
    BackwardWeight,
}

/// <summary>
/// A tile variant of the tensor-core convolution: each block computes <see cref="Rows"/> x <see cref="Columns"/> of
/// the product (rows: positions, or output channels for the weight gradient) with <see cref="Threads"/> threads and a
/// <see cref="Stages"/>-deep cp.async pipeline of 128-byte-deep k slices.
/// </summary>
public sealed record TensorCoreTile(int Rows, int Columns, int Threads, int Stages)
{
    /// <summary>128 x 128, eight warps of 64 x 32, three stages: large products.</summary>
    public static TensorCoreTile Large { get; } = new(128, 128, 256, 3);

    /// <summary>128 x 64, four warps of 64 x 32, four stages.</summary>
    public static TensorCoreTile Medium { get; } = new(128, 64, 128, 4);

    /// <summary>64 x 64, four warps of 32 x 32, four stages: small products (BigGAN's 4x4 and 8x8 maps, few channels).</summary>
    public static TensorCoreTile Small { get; } = new(64, 64, 128, 4);

    /// <summary>Every variant, largest first.</summary>
    public static IReadOnlyList<TensorCoreTile> All { get; } = [Large, Medium, Small];

    /// <summary>Dynamic shared memory per block: every stage holds 128 bytes of k for each row and column.</summary>
    public int SharedBytes => Stages * (Rows + Columns) * 128;

    /// <summary>"128x128": the variant's part of the kernel names.</summary>
    public override string ToString() => $"{Rows}x{Columns}";

    /// <summary>The variant named "128x128", "128x64" or "64x64".</summary>
    public static TensorCoreTile Parse(string name) =>
        All.FirstOrDefault(t => t.ToString() == name.Trim())
        ?? throw new ArgumentException($"No tensor-core tile \"{name}\"; use one of {string.Join(", ", All)}.");
}

/// <summary>The default <see cref="ConvAlgorithm"/>, from the RAWGAN_CONV_ALGO environment variable read once.</summary>
public static class ConvAlgorithmSetting
{
    /// <summary>The environment variable's name.</summary>
    public const string Variable = "RAWGAN_CONV_ALGO";

    private static readonly Lazy<ConvAlgorithm> FromEnvironment = new(() => Parse(Environment.GetEnvironmentVariable(Variable)));

    /// <summary>The algorithm RAWGAN_CONV_ALGO names (case-insensitive), <see cref="ConvAlgorithm.Auto"/> when it is unset.</summary>
    public static ConvAlgorithm Default => FromEnvironment.Value;

    /// <summary>Parses a value of RAWGAN_CONV_ALGO; null or empty gives the default.</summary>
    public static ConvAlgorithm Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return ConvAlgorithm.Auto;
        foreach (var algorithm in Enum.GetValues<ConvAlgorithm>())
        {
            if (string.Equals(value.Trim(), algorithm.ToString(), StringComparison.OrdinalIgnoreCase)) return algorithm;
        }
        throw new ArgumentException(
            $"{Variable}={value} is not a convolution algorithm; use one of {string.Join(", ", Enum.GetNames<ConvAlgorithm>())} or leave it unset.");
    }
}
