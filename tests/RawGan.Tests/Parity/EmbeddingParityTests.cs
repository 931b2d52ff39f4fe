using RawGan.Engine;

namespace RawGan.Tests.Parity;

// Inside the namespace, so that it wins over the sibling namespace RawGan.Tests.Ops.
using Ops = RawGan.Engine.Ops;

/// <summary>Embedding lookups with repeated indices (their weight gradients add up) against PyTorch.</summary>
[Category("Parity")]
public class EmbeddingParityTests
{
    private static IEnumerable<TestCaseData> Cases() => ParityFixture.Cases("embedding");

    [TestCaseSource(nameof(Cases))]
    public void Embedding(string name)
    {
        var c = ParityFixture.Case("embedding", name);
        Assert.That(c.Reference("indices").DType, Is.EqualTo(DType.Int32), $"{c.Label}: indices are stored as I32");
        c.Check(x => [c.Op == "embedding" ? Ops.Embedding(x["weight"], x["indices"]) : throw c.UnknownOp()]);
    }
}
