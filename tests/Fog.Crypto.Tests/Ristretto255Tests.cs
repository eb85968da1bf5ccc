using Fog.Crypto.Ristretto;

namespace Fog.Crypto.Tests;

public class Ristretto255Tests
{
    [Fact]
    public void Canonical_scalar_check_accepts_below_order_and_rejects_order_and_above()
    {
        var order = Ristretto255.Order.ToArray();
        Assert.False(Ristretto255.IsCanonicalScalar(order));

        var orderMinusOne = (byte[])order.Clone();
        orderMinusOne[0]--;
        Assert.True(Ristretto255.IsCanonicalScalar(orderMinusOne));
        Assert.True(Ristretto255.IsCanonicalScalar(new byte[32]));
        Assert.False(Ristretto255.IsCanonicalScalar(Enumerable.Repeat((byte)0xff, 32).ToArray()));
        Assert.False(Ristretto255.IsCanonicalScalar(new byte[31]));
    }

    [Fact]
    public void Zero_scalar_gives_the_identity_rather_than_an_error()
    {
        var result = new byte[32];
        Ristretto255.ScalarMultiplyBase(new byte[32], result);
        Assert.True(Ristretto255.IsIdentity(result));

        Assert.True(Ristretto255.TryScalarMultiply(new byte[32], Ristretto255.BasePoint, result));
        Assert.True(Ristretto255.IsIdentity(result));
        Assert.True(Ristretto255.IsValidPoint(result));
    }

    [Fact]
    public void Invalid_point_is_reported_not_thrown()
    {
        var one = new byte[32];
        one[0] = 1;
        var result = new byte[32];
        Assert.False(Ristretto255.TryScalarMultiply(one, Enumerable.Repeat((byte)0xff, 32).ToArray(), result));
        Assert.False(RistrettoPublic.TryFrom(Enumerable.Repeat((byte)0xff, 32).ToArray(), out _));
        Assert.False(RistrettoPublic.TryFrom(new byte[31], out _));
    }

    [Fact]
    public void Identity_adds_as_the_neutral_element()
    {
        var result = new byte[32];
        Assert.True(Ristretto255.TryAdd(Ristretto255.BasePoint, new byte[32], result));
        Assert.Equal(Ristretto255.BasePoint.ToArray(), result);
    }

    [Fact]
    public void Wide_and_narrow_reduction_agree_with_arithmetic()
    {
        // ℓ + 5 reduces to 5, narrowly and widely.
        var order = Ristretto255.Order.ToArray();
        var orderPlusFive = (byte[])order.Clone();
        orderPlusFive[0] += 5;
        var narrow = new byte[32];
        Ristretto255.Reduce(orderPlusFive, narrow);
        var five = new byte[32];
        Ristretto255.ScalarFromUInt64(5, five);
        Assert.Equal(five, narrow);

        var wide = new byte[64];
        orderPlusFive.CopyTo(wide, 0);
        var reduced = new byte[32];
        Ristretto255.ReduceWide(wide, reduced);
        Assert.Equal(five, reduced);
    }

    [Fact]
    public void Scalar_arithmetic_matches_point_arithmetic()
    {
        var a = new byte[32];
        var b = new byte[32];
        Ristretto255.RandomScalar(a);
        Ristretto255.RandomScalar(b);
        var sum = new byte[32];
        Ristretto255.ScalarAdd(a, b, sum);
        var product = new byte[32];
        Ristretto255.ScalarMultiplyScalar(a, b, product);

        var aG = RistrettoPublic.FromScalarTimesBase(a);
        var bG = RistrettoPublic.FromScalarTimesBase(b);
        Assert.Equal(RistrettoPublic.FromScalarTimesBase(sum), aG.Add(bG));
        Assert.Equal(RistrettoPublic.FromScalarTimesBase(product), aG.Multiply(b));

        var inverse = new byte[32];
        Assert.True(Ristretto255.TryScalarInvert(a, inverse));
        Assert.Equal(RistrettoPublic.BasePoint, aG.Multiply(inverse));
        Assert.False(Ristretto255.TryScalarInvert(new byte[32], inverse));
    }

    [Fact]
    public void Hash_to_group_matches_rfc9496()
    {
        // RFC 9496 A.3, first vector.
        var input = Convert.FromHexString(
            "5d1be09e3d0c82fc538112490e35701979d99e06ca3e2b5b54bffe8b4dc772c1" +
            "4d98b696a1bbfb5ca32c436cc61c16563790306c79eaca7705668b47dffe5bb6");
        Assert.Equal("3066f82a1a747d45120d1740f14358531a8f04bbffe6a819f86dfe50f44a0a46", RistrettoPublic.FromUniformBytes(input).ToString());
    }

    [Fact]
    public void Private_key_rejects_noncanonical_scalars_and_hides_itself()
    {
        Assert.False(RistrettoPrivate.TryImport(Ristretto255.Order, out _));
        Assert.Throws<ArgumentException>(() => RistrettoPrivate.Import(new byte[33]));
        using var key = RistrettoPrivate.Generate();
        Assert.DoesNotContain(Convert.ToHexStringLower(key.Export()), key.ToString(), StringComparison.Ordinal);
        using var copy = RistrettoPrivate.Import(key.Export());
        Assert.True(key.SecretEquals(copy));
        Assert.Equal(key.PublicKey, copy.PublicKey);
    }

    [Fact]
    public void Disposed_private_key_refuses_use()
    {
        var key = RistrettoPrivate.Generate();
        key.Dispose();
        Assert.Throws<ObjectDisposedException>(() => key.Export());
    }
}
