using RawGan.Engine;
using RawGan.Engine.Autograd;
using RawGan.Engine.IO;
using RawGan.Engine.Nn;

namespace RawGan.Model.Metrics.Inception;

/// <summary>
/// Inception-v3 as FID and the Inception Score use it: the network of the TF graph of 2015-12-05
/// (pytorch-fid's <c>fid_inception_v3</c>: torchvision's Inception3 with the FIDInceptionA/C/E_1/E_2 blocks, 1008
/// classes, no auxiliary head), run on our engine with weights from a user's safetensors file
/// (<c>tools/convert_inception.py</c> converts pytorch-fid's <c>pt_inception-2015-12-05-6726825d.pth</c>).
/// <para>
/// Input handling follows pytorch-fid: images in [−1, 1] are resized to 299×299 (bilinear, align_corners=False),
/// grey images get their channel repeated three times. Features are pool3: the 2048-d global average of Mixed_7c.
/// p(y|x) is the softmax over all 1008 outputs of the graph (its 1000 ImageNet classes and a few unused ones, which
/// get almost no probability) computed without the fc bias, as the original Inception Score code
/// (Salimans et al. 2016, which multiplies pool3 by the weight of <c>softmax/logits/MatMul</c>) and torch-fidelity's
/// <c>logits_unbiased</c> do; <see cref="Logits"/> gives the biased logits of the fc layer.
/// </para>
/// </summary>
public sealed class InceptionV3 : Module, IFeatureNetwork
{
    /// <summary>Side of the square input the network was trained on.</summary>
    public const int InputSize = 299;

    /// <summary>Images per forward inside <see cref="Evaluate"/>: bounds activation memory (about 20 MB per image at the largest stage, in float32).</summary>
    public const int ChunkSize = 16;

    private readonly BasicConv2d _c1a, _c2a, _c2b, _c3b, _c4a;
    private readonly InceptionA _m5b, _m5c, _m5d;
    private readonly InceptionB _m6a;
    private readonly InceptionC _m6b, _m6c, _m6d, _m6e;
    private readonly InceptionD _m7a;
    private readonly InceptionE _m7b, _m7c;
    private readonly Linear _fc;

    /// <summary>Creates the network with zero weights on <paramref name="device"/>; load weights with <see cref="Module.LoadStateDict"/>.</summary>
    public InceptionV3(int numClasses = 1008, Device? device = null)
    {
        Device = device ?? Device.Cpu;
        var d = Device;
        _c1a = Child("Conv2d_1a_3x3", new BasicConv2d(3, 32, 3, stride: 2, device: d));
        _c2a = Child("Conv2d_2a_3x3", new BasicConv2d(32, 32, 3, device: d));
        _c2b = Child("Conv2d_2b_3x3", new BasicConv2d(32, 64, 3, padding: 1, device: d));
        _c3b = Child("Conv2d_3b_1x1", new BasicConv2d(64, 80, 1, device: d));
        _c4a = Child("Conv2d_4a_3x3", new BasicConv2d(80, 192, 3, device: d));
        _m5b = Child("Mixed_5b", new InceptionA(192, 32, d));
        _m5c = Child("Mixed_5c", new InceptionA(256, 64, d));
        _m5d = Child("Mixed_5d", new InceptionA(288, 64, d));
        _m6a = Child("Mixed_6a", new InceptionB(288, d));
        _m6b = Child("Mixed_6b", new InceptionC(768, 128, d));
        _m6c = Child("Mixed_6c", new InceptionC(768, 160, d));
        _m6d = Child("Mixed_6d", new InceptionC(768, 160, d));
        _m6e = Child("Mixed_6e", new InceptionC(768, 192, d));
        _m7a = Child("Mixed_7a", new InceptionD(768, d));
        _m7b = Child("Mixed_7b", new InceptionE(1280, PoolKind.Average, d));
        _m7c = Child("Mixed_7c", new InceptionE(2048, PoolKind.Max, d));
        _fc = Child("fc", new Linear(2048, numClasses, device: d));
        NumClasses = numClasses;
        Eval();
    }

    /// <summary>Where the weights live and the forward runs.</summary>
    public Device Device { get; }

    /// <inheritdoc/>
    public string Name => "inception-v3";

    /// <inheritdoc/>
    public int NumClasses { get; }

    /// <inheritdoc/>
    public int FeatureSize => 2048;

    /// <summary>
    /// Loads the network from a safetensors file with pytorch-fid's state-dict names (<c>Conv2d_1a_3x3.conv.weight</c>,
    /// <c>Mixed_5b.branch1x1.bn.running_mean</c>, …, <c>fc.weight</c>, <c>fc.bias</c>); the class count is read from
    /// <c>fc.weight</c>. Missing, unexpected or mis-shaped tensors raise <see cref="InvalidDataException"/> naming them.
    /// </summary>
    public static InceptionV3 Load(string safetensorsPath, Device? device = null)
    {
        if (!File.Exists(safetensorsPath))
            throw new FileNotFoundException($"No Inception-v3 weights at {safetensorsPath}. Convert pytorch-fid's pt_inception-2015-12-05-6726825d.pth with tools/convert_inception.py (see README).", safetensorsPath);
        using var file = SafeTensors.Load(safetensorsPath);
        return FromState(file, device, safetensorsPath);
    }

    /// <summary>Builds the network from named tensors (see <see cref="Load"/>); <paramref name="source"/> names them in errors.</summary>
    public static InceptionV3 FromState(IReadOnlyDictionary<string, Tensor> state, Device? device = null, string source = "the state")
    {
        if (!state.TryGetValue("fc.weight", out var fcWeight) || fcWeight.Rank != 2 || fcWeight.Shape[1] != 2048)
            throw new InvalidDataException($"{source} is not Inception-v3 weights: it needs fc.weight of shape (classes, 2048){(fcWeight is null ? "" : $", found {fcWeight.Shape}")}. Convert pytorch-fid's weights with tools/convert_inception.py.");
        var net = new InceptionV3(fcWeight.Shape[0], device);
        try
        {
            net.LoadStateDict(state);
        }
        catch (Exception e) when (e is KeyNotFoundException or ArgumentException)
        {
            throw new InvalidDataException($"{source} does not match pytorch-fid's Inception-v3: {e.Message} Convert the weights with tools/convert_inception.py.", e);
        }
        return net;
    }

    /// <summary>
    /// Pool3 features (N, 2048) of images already prepared as the network expects (N, 3, H, W) in [−1, 1], at any
    /// size the stem accepts (299×299 is what the weights were trained on). <paramref name="blockOutput"/>, when
    /// given, sees every stage's output by name (the parity test compares them with PyTorch).
    /// </summary>
    public Tensor Features(Tensor x, Action<string, Tensor>? blockOutput = null)
    {
        // Without gradients nothing needs a stage's temporaries once it has run: each stage runs in its own scope
        // that keeps only its output, so memory peaks at one stage's activations (about 20 MB per 299×299 image, against
        // 100 MB if every temporary lived to the end of the forward).
        Tensor Stage(string? name, Func<Tensor, Tensor> stage, Tensor input)
        {
            Tensor y;
            if (GradMode.IsEnabled) y = stage(input);
            else
            {
                using var scope = new TensorScope();
                y = TensorScope.Keep(stage(input));
            }
            if (name is not null) blockOutput?.Invoke(name, y);
            return y;
        }
        x = Stage(null, _c1a.Forward, x);
        x = Stage(null, _c2a.Forward, x);
        x = Stage("Conv2d_2b_3x3", _c2b.Forward, x);
        x = Stage(null, t => _c3b.Forward(Ops.MaxPool2d(t, 3, 2)), x);
        x = Stage("Conv2d_4a_3x3", _c4a.Forward, x);
        x = Ops.MaxPool2d(x, 3, 2);
        x = Stage("Mixed_5b", _m5b.Forward, x);
        x = Stage("Mixed_5c", _m5c.Forward, x);
        x = Stage("Mixed_5d", _m5d.Forward, x);
        x = Stage("Mixed_6a", _m6a.Forward, x);
        x = Stage("Mixed_6b", _m6b.Forward, x);
        x = Stage("Mixed_6c", _m6c.Forward, x);
        x = Stage("Mixed_6d", _m6d.Forward, x);
        x = Stage("Mixed_6e", _m6e.Forward, x);
        x = Stage("Mixed_7a", _m7a.Forward, x);
        x = Stage("Mixed_7b", _m7b.Forward, x);
        x = Stage("Mixed_7c", _m7c.Forward, x);
        return Ops.Mean(x, [2, 3]);
    }

    /// <summary>The fc layer's logits (N, classes), with its bias, from pool3 features.</summary>
    public Tensor Logits(Tensor features) => _fc.Forward(features);

    /// <summary>
    /// The images as the network takes them: float32 on <see cref="Device"/>, grey repeated to three channels,
    /// resized to 299×299 (bilinear, align_corners=False), as pytorch-fid prepares them.
    /// </summary>
    public Tensor Prepare(Tensor images)
    {
        if (images.Rank != 4 || (images.Shape[1] != 1 && images.Shape[1] != 3))
            throw new ArgumentException($"Inception-v3 takes images (N, 1 or 3, H, W) in [−1, 1], got {images.Shape}.", nameof(images));
        var x = images.ToDType(DType.Float32).To(Device);
        if (x.Shape[1] == 1) x = Ops.Cat([x, x, x], 1);
        return Ops.ResizeBilinear(x, InputSize, InputSize);
    }

    /// <inheritdoc/>
    public (double[,] Probabilities, double[,] Features) Evaluate(Tensor images)
    {
        int n = images.Rank == 4 ? images.Shape[0] : throw new ArgumentException($"Inception-v3 takes images (N, C, H, W), got {images.Shape}.", nameof(images));
        var probabilities = new double[n, NumClasses];
        var features = new double[n, FeatureSize];
        using var noGrad = GradMode.Disable();
        for (int start = 0; start < n; start += ChunkSize)
        {
            int count = Math.Min(ChunkSize, n - start);
            using var scope = new TensorScope();
            var f = Features(Prepare(Ops.Narrow(images, 0, start, count)));
            // Unbiased logits: pool3 times the fc weight, as the original Inception Score code; softmax in float64.
            var p = Ops.Softmax(Ops.ToDType(Ops.MatMul(f, _fc.Weight, transB: true), DType.Float64));
            Copy(f.ToDoubleArray(), features, start, FeatureSize);
            Copy(p.ToDoubleArray(), probabilities, start, NumClasses);
        }
        return (probabilities, features);
    }

    private static void Copy(double[] rows, double[,] into, int start, int width)
    {
        for (int i = 0; i < rows.Length / width; i++)
            for (int j = 0; j < width; j++) into[start + i, j] = rows[(long)i * width + j];
    }

    /// <summary>Frees the weights (device memory on a GPU).</summary>
    public void Dispose()
    {
        foreach (var (_, t) in StateDict()) t.Dispose();
    }
}
