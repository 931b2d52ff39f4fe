using RawGan.Engine;

namespace RawGan.Tests.Parity;

// Inside the namespace, so that it wins over the sibling namespace RawGan.Tests.Ops.
using Ops = RawGan.Engine.Ops;

/// <summary>cat, split, permute, transpose and narrow, with their gradients, against PyTorch.</summary>
[Category("Parity")]
public class ShapeOpsParityTests
{
    private static IEnumerable<TestCaseData> Cases() => ParityFixture.Cases("shape_ops");

    [TestCaseSource(nameof(Cases))]
    public void ShapeOps(string name)
    {
        var c = ParityFixture.Case("shape_ops", name);
        c.Check(x => c.Op switch
        {
            "cat" => [Ops.Cat(c.InputRoles.Select(r => x[r]).ToArray(), c.Int("axis"))],
            "split" => Ops.Split(x["x"], c.Int("axis"), c.Ints("sizes")),
            "permute" => [Ops.Permute(x["x"], c.Ints("perm"))],
            "transpose" => [Ops.Transpose(x["x"], c.Int("axis0"), c.Int("axis1"))],
            "narrow" => [Ops.Narrow(x["x"], c.Int("axis"), c.Int("start"), c.Int("length"))],
            _ => throw c.UnknownOp(),
        });
    }
}
