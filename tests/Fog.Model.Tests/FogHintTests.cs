using Fog.Crypto.Ristretto;
using Fog.Model.FogData;
using Fog.Model.Keys;

namespace Fog.Model.Tests;

public class FogHintTests
{
    [Fact]
    public void Hint_decrypts_to_the_recipient_view_key_under_the_ingress_key_only()
    {
        using var ingress = RistrettoPrivate.Generate();
        using var other = RistrettoPrivate.Generate();
        using var account = AccountKey.FromRootEntropy(new byte[32]);
        var view = account.DefaultSubaddress.ViewPublicKey;
        var hint = FogHint.Encrypt(ingress.PublicKey, view);
        Assert.Equal(FogHint.Size, hint.Length);

        var output = new byte[32];
        Assert.True(FogHint.TryDecrypt(ingress, hint, output));
        Assert.Equal(view.ToArray(), output);

        Assert.False(FogHint.TryDecrypt(other, hint, output));
        Assert.Equal(new byte[32], output);
    }

    [Fact]
    public void Fake_hint_has_the_real_size_and_decrypts_under_no_ingress_key()
    {
        using var ingress = RistrettoPrivate.Generate();
        var fake = FogHint.Fake();
        Assert.Equal(FogHint.Size, fake.Length);
        var output = new byte[32];
        Assert.False(FogHint.TryDecrypt(ingress, fake, output));
        Assert.False(FogHint.TryDecrypt(ingress, new byte[FogHint.Size], output));
        Assert.False(FogHint.TryDecrypt(ingress, fake.AsSpan(1), output));
    }

    [Fact]
    public void Hint_without_magic_bytes_is_rejected_even_though_it_authenticates()
    {
        using var ingress = RistrettoPrivate.Generate();
        var plaintext = new byte[FogHint.PlaintextSize];
        ingress.PublicKey.Bytes.CopyTo(plaintext);
        plaintext[32] = FogHint.Magic;
        plaintext[33] = 41;
        var hint = Crypto.Box.VersionedCryptoBox.Encrypt(ingress.PublicKey, plaintext);
        Assert.False(FogHint.TryDecrypt(ingress, hint, new byte[32]));
    }
}
