using System.Text.Json;
using Fog.Crypto.Ristretto;
using Fog.Model.Keys;
using Fog.Testing;

namespace Fog.Model.Tests;

/// <summary>vectors/mobilecoin/account_keys/*.</summary>
public class AccountKeyVectorTests
{
    private const string RootEntropyFile = "mobilecoin/account_keys/acct_priv_keys_from_root_entropy.jsonl";
    private const string Bip39File = "mobilecoin/account_keys/acct_priv_keys_from_bip39.jsonl";
    private const string DefaultSubaddressFile = "mobilecoin/account_keys/default_subaddr_keys_from_acct_priv_keys.jsonl";
    private const string SubaddressFile = "mobilecoin/account_keys/subaddr_keys_from_acct_priv_keys.jsonl";

    public static TheoryData<int> RootEntropyLines() => Vectors.LineNumbers(RootEntropyFile);

    public static TheoryData<int> Bip39Lines() => Vectors.LineNumbers(Bip39File);

    public static TheoryData<int> DefaultSubaddressLines() => Vectors.LineNumbers(DefaultSubaddressFile);

    public static TheoryData<int> SubaddressLines() => Vectors.LineNumbers(SubaddressFile);

    [Theory]
    [MemberData(nameof(RootEntropyLines))]
    public void Root_entropy_derives_the_vector_keys(int line)
    {
        var v = Vectors.JsonLines(RootEntropyFile)[line];
        using var account = AccountKey.FromRootEntropy(v.Bytes("root_entropy"));
        Assert.Equal(v.Bytes("view_private_key"), account.ViewPrivateKey.Export());
        Assert.Equal(v.Bytes("spend_private_key"), account.SpendPrivateKey.Export());
    }

    [Theory]
    [MemberData(nameof(Bip39Lines))]
    public void Mnemonic_and_account_index_derive_the_vector_keys_and_round_trip_the_entropy(int line)
    {
        var v = Vectors.JsonLines(Bip39File)[line];
        var phrase = v.Str("mnemonic");
        using var account = AccountKey.FromMnemonic(phrase, (uint)v.U64("account_index"));
        Assert.Equal(v.Bytes("view_private_key"), account.ViewPrivateKey.Export());
        Assert.Equal(v.Bytes("spend_private_key"), account.SpendPrivateKey.Export());

        Assert.True(Mnemonic.TryToEntropy(phrase, out var entropy, out _));
        Assert.Equal(v.Bytes("entropy"), entropy);
        Assert.Equal(phrase, Mnemonic.FromEntropy(v.Bytes("entropy")));
    }

    [Fact]
    public void Slip10_key_fixture_gives_the_unreduced_hkdf_outputs()
    {
        foreach (var v in Vectors.Json("mobilecoin/account_keys/slip10_key.json").EnumerateArray())
        {
            var view = new byte[64];
            var spend = new byte[64];
            AccountKey.Slip10KeyToWideScalars(Convert.FromHexString(v.Str("slip10_hex")), view, spend);
            Assert.Equal(v.Str("view_hex"), Convert.ToHexStringLower(view));
            Assert.Equal(v.Str("spend_hex"), Convert.ToHexStringLower(spend));
        }
    }

    [Fact]
    public void Slip10_mnemonic_fixture_gives_the_unreduced_hkdf_outputs_and_the_reduced_keys()
    {
        foreach (var v in Vectors.Json("mobilecoin/account_keys/slip10_mnemonic.json").EnumerateArray())
        {
            var phrase = v.Str("phrase");
            var slip10 = Slip10.DeriveMobileCoinKey(Mnemonic.ToSeed(phrase), (uint)v.U64("account_index"));
            var view = new byte[64];
            var spend = new byte[64];
            AccountKey.Slip10KeyToWideScalars(slip10, view, spend);
            Assert.Equal(v.Str("view_hex"), Convert.ToHexStringLower(view));
            Assert.Equal(v.Str("spend_hex"), Convert.ToHexStringLower(spend));

            using var account = AccountKey.FromMnemonic(phrase, (uint)v.U64("account_index"));
            using var expectedView = RistrettoPrivate.FromWideBytes(view);
            Assert.True(account.ViewPrivateKey.SecretEquals(expectedView));
        }
    }

    [Theory]
    [MemberData(nameof(DefaultSubaddressLines))]
    public void Default_subaddress_keys_match(int line) => AssertSubaddress(Vectors.JsonLines(DefaultSubaddressFile)[line], AccountKey.DefaultSubaddressIndex);

    [Theory]
    [MemberData(nameof(SubaddressLines))]
    public void Subaddress_keys_match(int line)
    {
        var v = Vectors.JsonLines(SubaddressFile)[line];
        AssertSubaddress(v, v.U64("subaddress_index"));
    }

    private static void AssertSubaddress(JsonElement v, ulong index)
    {
        using var account = new AccountKey(RistrettoPrivate.Import(v.Bytes("spend_private_key")), RistrettoPrivate.Import(v.Bytes("view_private_key")));
        using var viewPrivate = account.SubaddressViewPrivate(index);
        using var spendPrivate = account.SubaddressSpendPrivate(index);
        Assert.Equal(v.Bytes("subaddress_view_private_key"), viewPrivate.Export());
        Assert.Equal(v.Bytes("subaddress_spend_private_key"), spendPrivate.Export());

        var address = account.Subaddress(index);
        Assert.Equal(v.Bytes("subaddress_view_public_key"), address.ViewPublicKey.ToArray());
        Assert.Equal(v.Bytes("subaddress_spend_public_key"), address.SpendPublicKey.ToArray());

        // The view-only path derives the same public keys.
        using var viewOnly = account.ToViewAccountKey();
        Assert.Equal(address, viewOnly.Subaddress(index));
    }
}
