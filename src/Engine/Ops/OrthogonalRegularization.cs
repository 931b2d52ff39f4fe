using RawGan.Engine.Autograd;
using RawGan.Engine.Profiling;

namespace RawGan.Engine;

public static partial class Ops
{
    /// <summary>
    /// BigGAN's orthogonal-regularisation gradient term for W viewed as (out, rest): 2·((W Wᵀ) ⊙ (1 − I))·W,
    /// the gradient of ½‖W Wᵀ ⊙ (1 − I)‖²_F. Not recorded on the tape: the trainer adds β times it to W's gradient.
    /// </summary>
    public static Tensor OrthogonalRegularizationGradient(Tensor w)
    {
        using var _ = GradMode.Disable();
        var m = Reshape(w, w.Shape[0], -1);
        var gram = MatMul(m, m, transB: true);
        var term = MatMul(Mul(gram, OffDiagonalMask(w, w.Shape[0])), m);
        return Reshape(MulScalar(term, 2), w.Shape);
    }

    /// <summary>Adds strength · <see cref="OrthogonalRegularizationGradient"/> to W's gradient (creating it when absent).</summary>
    public static void AddOrthogonalRegularization(Tensor w, double strength)
    {
        // An update of the parameters: its products are "update" rows of the profile, not forward ones.
        using var _ = Profiler.Scope("OrthogonalRegularization", ProfilePass.Update, OpCost.Memory(w.DType, 2 * w.Numel, w.Numel), w.Shape);
        var term = OrthogonalRegularizationGradient(w);
        if (w.Grad is null) w.Grad = MulScalar(term, strength);
        else w.Backend.Axpby(strength, term.Storage, 1.0, w.Grad.Storage, w.Numel);
    }

    /// <summary>½‖W Wᵀ ⊙ (1 − I)‖²_F, differentiable: the penalty whose gradient the term above is.</summary>
    public static Tensor OrthogonalPenalty(Tensor w)
    {
        var m = Reshape(w, w.Shape[0], -1);
        var off = Mul(MatMul(m, m, transB: true), OffDiagonalMask(w, w.Shape[0]));
        return MulScalar(Sum(Mul(off, off)), 0.5);
    }

    // 1 − I built on the tensor's device (no host array and upload on every training step): a ones-filled
    // matrix whose diagonal, read with stride n + 1, is overwritten by zeros.
    private static Tensor OffDiagonalMask(Tensor like, int n)
    {
        var mask = Tensor.Ones(new Shape(n, n), like.DType, like.Device);
        var zeros = Tensor.Zeros(new Shape(n), like.DType, like.Device);
        mask.Backend.StridedCopy(zeros.Storage, 0, [1], mask.Storage, 0, [n + 1], [n]);
        return mask;
    }
}
