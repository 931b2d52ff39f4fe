namespace RawGan.Engine;

public static partial class Ops
{
    /// <summary>
    /// The discriminator's hinge loss, as its two terms: mean(relu(1 − D(x))) on real scores and
    /// mean(relu(1 + D(G(z)))) on fake scores. The loss is their sum.
    /// </summary>
    public static (Tensor Real, Tensor Fake) HingeLossDiscriminator(Tensor dReal, Tensor dFake) =>
        (Mean(Relu(Affine(dReal, -1, 1))), Mean(Relu(AddScalar(dFake, 1))));

    /// <summary>The generator's hinge loss: −mean(D(G(z))).</summary>
    public static Tensor HingeLossGenerator(Tensor dFake) => Neg(Mean(dFake));
}
