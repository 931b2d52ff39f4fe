using RawGan.Engine;

namespace RawGan.Tests.Parity;

// Inside the namespace, so that it wins over the sibling namespace RawGan.Tests.Ops.
using Ops = RawGan.Engine.Ops;

/// <summary>Binary ops with BigGAN's broadcasts, scalar ops and unary activations against PyTorch.</summary>
[Category("Parity")]
public class ElementwiseParityTests
{
    private static IEnumerable<TestCaseData> Cases() => ParityFixture.Cases("elementwise");

    [TestCaseSource(nameof(Cases))]
    public void Elementwise(string name)
    {
        var c = ParityFixture.Case("elementwise", name);
        c.Check(x => [c.Op switch
        {
            "add" => Ops.Add(x["a"], x["b"]),
            "sub" => Ops.Sub(x["a"], x["b"]),
            "mul" => Ops.Mul(x["a"], x["b"]),
            "div" => Ops.Div(x["a"], x["b"]),
            "add_scalar" => Ops.AddScalar(x["x"], c.Double("c")),
            "mul_scalar" => Ops.MulScalar(x["x"], c.Double("c")),
            "neg" => Ops.Neg(x["x"]),
            "affine" => Ops.Affine(x["x"], c.Double("scale"), c.Double("shift")),
            "relu" => Ops.Relu(x["x"]),
            "tanh" => Ops.Tanh(x["x"]),
            "exp" => Ops.Exp(x["x"]),
            "log" => Ops.Log(x["x"]),
            _ => throw c.UnknownOp(),
        }]);
    }
}
