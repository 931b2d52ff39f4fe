using RawGan.Engine.Rng;

namespace RawGan.Tests.Rng;

/// <summary>
/// Philox4x32-10 against the known-answer vectors of Random123 (D. E. Shaw Research), file tests/kat_vectors,
/// lines "philox4x32 10 CTR[4] KEY[2] EXPECTED[4]" (the same three lines are reproduced by many ports,
/// e.g. pure-Python and Rust re-implementations of Random123).
/// </summary>
public class PhiloxKnownAnswerTests
{
    [TestCase(0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u,
              0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u, TestName = "Counter 0, key 0")]
    [TestCase(0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu,
              0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu, TestName = "Counter all ones, key all ones")]
    [TestCase(0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u, 0xa4093822u, 0x299f31d0u,
              0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u, TestName = "Counter and key from the digits of pi")]
    public void MatchesRandom123(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1, uint e0, uint e1, uint e2, uint e3)
    {
        var got = Philox4x32.Hash(new UInt4(c0, c1, c2, c3), new UInt2(k0, k1));
        Assert.That(got, Is.EqualTo(new UInt4(e0, e1, e2, e3)), $"got {got.X:x8} {got.Y:x8} {got.Z:x8} {got.W:x8}");
    }
}
