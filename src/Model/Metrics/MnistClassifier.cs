using System.Text.Json;
using RawGan.Engine;
using RawGan.Engine.Autograd;
using RawGan.Engine.IO;
using RawGan.Engine.Nn;

namespace RawGan.Model.Metrics;

/// <summary>The shape of an <see cref="MnistClassifier"/>, stored in its file's metadata.</summary>
public sealed record ClassifierArchitecture
{
    /// <summary>Image channels.</summary>
    public int Channels { get; init; } = 1;

    /// <summary>Image side in pixels (square images, a multiple of 8).</summary>
    public int Resolution { get; init; } = 32;

    /// <summary>Classes.</summary>
    public int NumClasses { get; init; } = 10;

    /// <summary>Channels of the three convolution stages (5×5, then 3×3, 3×3), each followed by batch norm, ReLU and 2×2 max pooling.</summary>
    public int[] Widths { get; init; } = [16, 32, 64];

    /// <summary>Width of the hidden fully connected layer: the features FID uses.</summary>
    public int Hidden { get; init; } = 128;

    /// <summary>One-line description for tables and metadata.</summary>
    public override string ToString() =>
        $"conv5x5-{Widths[0]}/conv3x3-{Widths[1]}/conv3x3-{Widths[2]} (BN, ReLU, maxpool each), fc-{Hidden} (BN, ReLU), fc-{NumClasses}";

    /// <summary>Throws unless the shape can be built.</summary>
    public void Validate()
    {
        if (Widths is not { Length: 3 } || Widths.Any(w => w < 1)) throw new ArgumentException("The classifier needs three positive convolution widths.");
        if (Resolution < 8 || Resolution % 8 != 0) throw new ArgumentException($"The classifier's resolution must be a multiple of 8; got {Resolution}.");
        if (Channels < 1 || NumClasses < 2 || Hidden < 1) throw new ArgumentException("The classifier needs at least one channel, two classes and one hidden unit.");
    }
}

/// <summary>
/// A small CNN for MNIST-like data sets trained on our own engine (`rawgan classifier train`): three convolution
/// stages with batch norm, ReLU and max pooling, a hidden fully connected layer and a linear read-out. As a
/// <see cref="IFeatureNetwork"/> its softmax is p(y|x) for the Inception Score and its hidden layer (after ReLU,
/// the input of the read-out) the feature vector for FID, the roles Inception-v3's logits and pool3 play on ImageNet.
/// </summary>
public sealed class MnistClassifier : Module, IFeatureNetwork
{
    /// <summary>The metadata key of the architecture (JSON).</summary>
    public const string ArchitectureKey = "classifier_architecture";

    private readonly Conv2d[] _convs;
    private readonly BatchNorm[] _norms;
    private readonly Linear _hidden, _output;
    private readonly BatchNorm _hiddenNorm;

    /// <summary>Builds the network with He-normal weights drawn from <paramref name="seed"/>.</summary>
    public MnistClassifier(ClassifierArchitecture architecture, ulong seed = 0, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        architecture.Validate();
        Architecture = architecture;
        int[] kernels = [5, 3, 3];
        int inChannels = architecture.Channels;
        _convs = new Conv2d[3];
        _norms = new BatchNorm[3];
        for (int i = 0; i < 3; i++)
        {
            int w = architecture.Widths[i], k = kernels[i];
            _convs[i] = Child($"conv{i}", new Conv2d(inChannels, w, k, padding: k / 2, bias: false, device: device));
            Init.Normal(_convs[i].Weight, Math.Sqrt(2.0 / (inChannels * k * k)), seed + (ulong)i);
            _norms[i] = Child($"bn{i}", new BatchNorm(w, device: device));
            inChannels = w;
        }
        int flat = inChannels * (architecture.Resolution / 8) * (architecture.Resolution / 8);
        _hidden = Child("fc", new Linear(flat, architecture.Hidden, bias: false, device: device));
        Init.Normal(_hidden.Weight, Math.Sqrt(2.0 / flat), seed + 3);
        _hiddenNorm = Child("bn_fc", new BatchNorm(architecture.Hidden, device: device));
        _output = Child("out", new Linear(architecture.Hidden, architecture.NumClasses, device: device));
        Init.Normal(_output.Weight, Math.Sqrt(1.0 / architecture.Hidden), seed + 4);
    }

    /// <summary>The network's shape.</summary>
    public ClassifierArchitecture Architecture { get; }

    /// <summary>Metadata of the file it was loaded from (data set, accuracy, ...); empty for a fresh network.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; private set; } = new Dictionary<string, string>();

    /// <inheritdoc/>
    public string Name => Metadata.TryGetValue("dataset", out var data) ? $"{data}-classifier" : "classifier";

    /// <inheritdoc/>
    public int NumClasses => Architecture.NumClasses;

    /// <inheritdoc/>
    public int FeatureSize => Architecture.Hidden;

    /// <summary>Logits (N, K) and the hidden features (N, Hidden) of images (N, C, H, W) in [−1, 1].</summary>
    public (Tensor Logits, Tensor Features) Forward(Tensor images)
    {
        CheckImages(images);
        var h = images;
        for (int i = 0; i < 3; i++) h = Ops.MaxPool2d(Ops.Relu(_norms[i].Forward(_convs[i].Forward(h))));
        h = Ops.Reshape(h, new Shape(h.Shape[0], (int)(h.Numel / h.Shape[0])));
        var features = Ops.Relu(_hiddenNorm.Forward(_hidden.Forward(h)));
        return (_output.Forward(features), features);
    }

    /// <inheritdoc/>
    public (double[,] Probabilities, double[,] Features) Evaluate(Tensor images)
    {
        bool training = Training;
        Eval();
        try
        {
            using var scope = new TensorScope();
            using var noGrad = GradMode.Disable();
            var (logits, features) = Forward(images.DType == DType.Float32 ? images : images.ToDType(DType.Float32));
            return (ToMatrix(Ops.Softmax(logits)), ToMatrix(features));
        }
        finally
        {
            Train(training);
        }
    }

    /// <summary>Saves weights, running statistics and metadata (the architecture is added) atomically.</summary>
    public void Save(string path, IReadOnlyDictionary<string, string> metadata)
    {
        var meta = new Dictionary<string, string>(metadata) { [ArchitectureKey] = JsonSerializer.Serialize(Architecture), ["architecture"] = Architecture.ToString() };
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        SafeTensors.Save(path, StateDict().ToDictionary(kv => kv.Key, kv => kv.Value), meta);
    }

    /// <summary>Loads a classifier written by <see cref="Save"/>, in eval mode.</summary>
    public static MnistClassifier Load(string path, Device? device = null)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"No classifier at {path}; train one with `rawgan classifier train --data mnist` (or pass --classifier).", path);
        using var file = SafeTensors.Load(path);
        if (!file.Metadata.TryGetValue(ArchitectureKey, out var json))
            throw new InvalidDataException($"{path} has no \"{ArchitectureKey}\" metadata; it was not written by `rawgan classifier train`.");
        var architecture = JsonSerializer.Deserialize<ClassifierArchitecture>(json) ?? throw new InvalidDataException($"{path}: unreadable architecture.");
        var net = new MnistClassifier(architecture, 0, device);
        net.LoadStateDict(file.ToDictionary(kv => kv.Key, kv => kv.Value));
        net.Metadata = new Dictionary<string, string>(file.Metadata);
        net.Eval();
        return net;
    }

    /// <summary>Nothing to release beyond the tensors the garbage collector frees.</summary>
    public void Dispose()
    {
    }

    private void CheckImages(Tensor images)
    {
        var a = Architecture;
        if (images.Rank != 4 || images.Shape[1] != a.Channels || images.Shape[2] != a.Resolution || images.Shape[3] != a.Resolution)
            throw new ArgumentException($"The classifier takes images (N, {a.Channels}, {a.Resolution}, {a.Resolution}); got {images.Shape}. " +
                                        "Score a generator with the data set and resolution the classifier was trained on, or use --features inception.");
    }

    private static double[,] ToMatrix(Tensor t)
    {
        int n = t.Shape[0], k = t.Shape[1];
        var flat = t.ToDoubleArray();
        var m = new double[n, k];
        System.Buffer.BlockCopy(flat, 0, m, 0, flat.Length * sizeof(double));
        return m;
    }
}
