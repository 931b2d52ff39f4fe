using RawGan.Engine;
using RawGan.Engine.Nn;

namespace RawGan.Tests.Parity;

// Inside the namespace, so that it wins over the sibling namespace RawGan.Tests.Ops.
using Ops = RawGan.Engine.Ops;

/// <summary>
/// Orthogonal initialisation against torch.nn.init.orthogonal_ given the same Gaussian draw g: PyTorch takes a
/// Householder QR and multiplies Q by sign(diag R); CholeskyQR's R has a positive diagonal, so its Q must be that
/// very matrix (tall, wide, square, nearly square, conv-shaped and single-row weights).
/// </summary>
[Category("Parity")]
public class OrthogonalInitParityTests
{
    private static IEnumerable<TestCaseData> Cases() => ParityFixture.Cases("orthogonal_init");

    [TestCaseSource(nameof(Cases))]
    public void CholeskyQrGivesTorchsSignCorrectedQ(string name)
    {
        var c = ParityFixture.Case("orthogonal_init", name);
        c.Check(x =>
        {
            if (c.Op != "orthogonal_init") throw c.UnknownOp();
            var g = x["g"];
            int rows = g.Shape[0], cols = (int)(g.Numel / rows);
            var matrix = Ops.Reshape(g, rows, cols).ToDType(DType.Float64);
            bool wide = rows < cols;
            // The rows of CholeskyQR's input are the columns of the matrix PyTorch factorises.
            var y = CholeskyQr.OrthonormalRows(wide ? matrix : Ops.Transpose(matrix, 0, 1));
            var w = wide ? y : Ops.Transpose(y, 0, 1);
            return [Ops.Reshape(w, g.Shape).ToDType(g.DType)];
        });
    }
}
