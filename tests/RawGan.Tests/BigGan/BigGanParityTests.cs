using System.Globalization;
using RawGan.Engine;
using RawGan.Engine.Nn;
using RawGan.Model.BigGan;
using RawGan.Tests.Parity;

namespace RawGan.Tests.BigGan;

using Ops = RawGan.Engine.Ops;

/// <summary>
/// BigGAN's blocks and whole tiny networks against the PyTorch port of BigGAN-PyTorch
/// (tests/reference/biggan_reference.py, fixtures biggan_blocks and biggan_networks): the same weights, loaded by
/// name (the reference's names; its u0 (1, out) and sv0 (1) stored as (out) and ()), one training-mode step with
/// spectral norm on: outputs, the loss, the gradient of every parameter and input, and the buffers after the step
/// (spectral-norm u and σ, batch-norm running statistics).
/// Tolerance (max |ours − torch| / max |torch| per tensor): float64 1e-10 for blocks, 1e-9 for whole networks;
/// float32 1e-5 for blocks, 1e-4 for whole networks (rounding grows with depth and batch norm). A float32 case is
/// compared with its float64 twin (the same values run by PyTorch in double, which ours match to ~1e-13): that
/// measures our float32 error itself, where comparing with PyTorch's float32 run would add its rounding too
/// (PyTorch's float32 gradients in g_tiny_tables differ from its float64 ones by 1.4e-4).
/// Two exceptions. The bias of a convolution followed by batch norm (every GBlock's conv1; the last GBlock's
/// conv2 and conv_sc, before G's output batch norm) has a gradient of exactly zero, which both sides compute as
/// rounding noise; there ours must be zero to 1e-3 of the largest gradient of the case. The weighted-sum loss of
/// the block cases (Σ y ⊙ w, a cancelling sum) is not compared, only the outputs it is made of; hinge losses are.
/// </summary>
[Category("Parity")]
public class BigGanParityTests
{
    /// <summary>biggan_reference.py's tiny: 32x32, ch 2, z 8 in 4 chunks, shared embedding 3, attention at 16 in G and D, SN eps 1e-6.</summary>
    private static readonly BigGanConfig Tiny = BigGanConfig.Mnist32Small with { Ch = 2, DimZ = 8, SharedDim = 3, NumClasses = 3, ImageChannels = 3 };

    /// <summary>biggan_reference.py's tiny_tables: the CIFAR layout (per-class BN tables, SN eps 1e-8) at ch 2 with attention at 16.</summary>
    private static readonly BigGanConfig TinyTables = BigGanConfig.Cifar32 with { Ch = 2, DimZ = 8, NumClasses = 3, GAttention = [16] };

    private static IEnumerable<TestCaseData> Blocks() => ParityFixture.Cases("biggan_blocks");

    private static IEnumerable<TestCaseData> Networks() => ParityFixture.Cases("biggan_networks");

    [TestCaseSource(nameof(Blocks))]
    public void Block(string name) => Run(ParityFixture.Case("biggan_blocks", name), wholeNetwork: false);

    [TestCaseSource(nameof(Networks))]
    public void Network(string name) => Run(ParityFixture.Case("biggan_networks", name), wholeNetwork: true);

    private static void Run(ParityCase c, bool wholeNetwork)
    {
        double tolerance = (c.DType, wholeNetwork) switch
        {
            (DType.Float64, false) => 1e-10,
            (DType.Float64, true) => 1e-9,
            (_, false) => 1e-5,
            _ => 1e-4,
        };
        var config = (c.String("config") switch
        {
            "tiny" => Tiny,
            "tiny_tables" => TinyTables,
            var other => throw new InvalidDataException($"{c.Label}: unknown config \"{other}\"."),
        }) with { DType = c.DType };

        var modules = new Dictionary<string, Module>();
        foreach (var key in c.Strings("modules")) modules[key] = Make(c, key, config);
        foreach (var (key, module) in modules) module.LoadStateDict(State(c, "state" + key));

        var inputs = c.InputRoles.ToDictionary(r => r, r =>
        {
            var t = c.Reference(r).Clone();
            return t.DType == DType.Int32 ? t : t.RequireGrad();
        });
        var (graphOutputs, loss) = Forward(c, modules, inputs);
        // Backward frees the graph's tensors: the outputs are compared through detached views.
        var outputs = graphOutputs.ToDictionary(kv => kv.Key, kv => kv.Value.Detach());
        loss.Backward();

        var truth = c.DType == DType.Float64 ? c : ParityFixture.Case(c.Label.Split('/')[0], c.Name[..^4] + "_f64");
        var errors = new List<string>();
        void Compare(string role, Tensor ours)
        {
            var torch = truth.Reference(role);
            if (ours.Shape != torch.Shape) { errors.Add($"{role}: shape {ours.Shape}, torch {torch.Shape}"); return; }
            var (error, detail) = ParityCase.RelativeError(ours.ToDoubleArray(), torch.ToDoubleArray());
            if (!(error < tolerance)) errors.Add(string.Create(CultureInfo.InvariantCulture, $"{role}: relative error {error:E2} ({detail})"));
        }
        double worst = 0;
        var compared = 0;
        void Track(string role, Tensor ours)
        {
            var (error, _) = ParityCase.RelativeError(ours.ToDoubleArray(), truth.Reference(role).ToDoubleArray());
            worst = Math.Max(worst, error);
            compared++;
            Compare(role, ours);
        }

        foreach (var (role, t) in outputs) Track(role, t);
        if (c.Op.EndsWith("_hinge", StringComparison.Ordinal)) Track("loss", loss);
        double gradientScale = modules.SelectMany(kv => kv.Value.NamedParameters().Select(p => $"grad{kv.Key}.{p.Key}"))
            .Max(role => truth.Reference(role).ToDoubleArray().Max(Math.Abs));
        foreach (var (key, module) in modules)
        {
            foreach (var (name, p) in module.NamedParameters())
            {
                if (p.Grad is null) errors.Add($"grad{key}.{name}: no gradient");
                else if (CancelledByBatchNorm(c, key, name, module))
                {
                    double largest = p.Grad.ToDoubleArray().Max(Math.Abs);
                    if (!(largest <= 1e-3 * gradientScale))
                        errors.Add(string.Create(CultureInfo.InvariantCulture, $"grad{key}.{name}: should be zero (a bias before batch norm), max |ours| {largest:E2} vs gradient scale {gradientScale:E2}"));
                }
                else Track($"grad{key}.{name}", p.Grad);
            }
            foreach (var (name, b) in module.NamedBuffers()) Track($"after{key}.{name}", b);
        }
        foreach (var (role, t) in inputs.Where(kv => kv.Value.DType != DType.Int32))
        {
            if (t.Grad is null) errors.Add($"g{role}: no gradient");
            else Track("g" + role, t.Grad);
        }
        TestContext.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{c.Label}: {compared} tensors, worst relative error {worst:E2} (tolerance {tolerance:E0})"));
        Assert.That(errors, Is.Empty, $"{c.Label} differs from PyTorch:\n{string.Join("\n", errors)}");
    }

    /// <summary>Whether a parameter is a conv bias whose per-channel shift the next batch norm removes (gradient exactly zero).</summary>
    private static bool CancelledByBatchNorm(ParityCase c, string key, string name, Module module)
    {
        if (c.Op == "gblock") return name == "conv1.bias";
        if (module is not BigGanGenerator g) return false;
        string last = $"blocks.{g.Blocks.Count - 1}.0.";
        return (name.StartsWith("blocks.", StringComparison.Ordinal) && name.EndsWith(".0.conv1.bias", StringComparison.Ordinal))
            || name == last + "conv2.bias" || name == last + "conv_sc.bias";
    }

    /// <summary>The module a case names, built from the config (its own weights are then replaced by the fixture's).</summary>
    private static Module Make(ParityCase c, string key, BigGanConfig config)
    {
        var seeds = new SeedSequence(0);
        return (c.Op, key) switch
        {
            ("gblock", "") => new GBlock(3, 4, config, seeds),
            ("dblock", "") => new DBlock(c.Int("in"), c.Int("out"), c.Bool("preactivation"), c.Bool("downsample"), config, seeds),
            ("attention", "") => new SelfAttention(c.Int("channels"), config, seeds),
            (_, "G") => new BigGanGenerator(config, initialize: false),
            (_, "D") => new BigGanDiscriminator(config, initialize: false),
            _ => throw c.UnknownOp(),
        };
    }

    /// <summary>The state a module had before the step: fixture tensors "&lt;prefix&gt;.&lt;name&gt;".</summary>
    private static Dictionary<string, Tensor> State(ParityCase c, string prefix)
    {
        string head = $"{c.Name}.{prefix}.";
        return ParityFixture.For(c.Label.Split('/')[0]).File.Keys
            .Where(k => k.StartsWith(head, StringComparison.Ordinal))
            .ToDictionary(k => k[head.Length..], k => c.Reference(k[(c.Name.Length + 1)..]));
    }

    /// <summary>One training-mode forward as the fixture's and its loss (see biggan_reference.py).</summary>
    private static (Dictionary<string, Tensor> Outputs, Tensor Loss) Forward(ParityCase c, Dictionary<string, Module> m, Dictionary<string, Tensor> x)
    {
        var outputs = new Dictionary<string, Tensor>();
        switch (c.Op)
        {
            case "gblock":
                outputs["y"] = ((GBlock)m[""]).Forward(x["x"], x.TryGetValue("cond", out var cond) ? cond : x["labels"]);
                return (outputs, Weighted(c, outputs));
            case "dblock":
                outputs["y"] = ((DBlock)m[""]).Forward(x["x"]);
                return (outputs, Weighted(c, outputs));
            case "attention":
                outputs["y"] = ((SelfAttention)m[""]).Forward(x["x"]);
                return (outputs, Weighted(c, outputs));
            case "generator":
                outputs["y"] = ((BigGanGenerator)m["G"]).Generate(x["z"], x["labels"]);
                return (outputs, Weighted(c, outputs));
            case "discriminator_hinge":
            {
                var scores = ((BigGanDiscriminator)m["D"]).Score(x["images"], x["labels"]);
                outputs["y"] = scores;
                int real = c.Int("real");
                var (lossReal, lossFake) = Ops.HingeLossDiscriminator(Ops.Narrow(scores, 0, 0, real), Ops.Narrow(scores, 0, real, scores.Shape[0] - real));
                return (outputs, Ops.Add(lossReal, lossFake));
            }
            case "generator_hinge":
            {
                var images = ((BigGanGenerator)m["G"]).Generate(x["z"], x["labels"]);
                var scores = ((BigGanDiscriminator)m["D"]).Score(images, x["labels"]);
                outputs["images"] = images;
                outputs["y"] = scores;
                return (outputs, Ops.HingeLossGenerator(scores));
            }
            default:
                throw c.UnknownOp();
        }
    }

    /// <summary>Σ sum(y ⊙ wy), the fixture's random weights per output.</summary>
    private static Tensor Weighted(ParityCase c, Dictionary<string, Tensor> outputs)
    {
        Tensor? loss = null;
        foreach (var (role, y) in outputs)
        {
            var term = Ops.Sum(Ops.Mul(y, c.Reference("w" + role)));
            loss = loss is null ? term : Ops.Add(loss, term);
        }
        return loss!;
    }
}
