using Fog.Crypto.Ristretto;
using Fog.Model.Addresses;
using Fog.Model.Keys;
using Fog.Testing;

namespace Fog.Model.Tests;

/// <summary>vectors/mobilecoin/b58_encodings/*.</summary>
public class AddressVectorTests
{
    private const string WithoutFog = "mobilecoin/b58_encodings/b58_encode_public_address_without_fog.jsonl";
    private const string WithFog = "mobilecoin/b58_encodings/b58_encode_public_address_with_fog.jsonl";

    public static TheoryData<int> WithoutFogLines() => Vectors.LineNumbers(WithoutFog);

    public static TheoryData<int> WithFogLines() => Vectors.LineNumbers(WithFog);

    [Theory]
    [MemberData(nameof(WithoutFogLines))]
    public void Address_without_fog_encodes_and_decodes(int line)
    {
        var v = Vectors.JsonLines(WithoutFog)[line];
        var address = new PublicAddress(RistrettoPublic.From(v.Bytes("view_public_key")), RistrettoPublic.From(v.Bytes("spend_public_key")));
        Assert.Equal(v.Str("b58_encoded"), address.ToB58());
        Assert.Equal(address, PublicAddress.ParseB58(v.Str("b58_encoded")));

        // The vector's keys are the default subaddress of root entropy [n; 32].
        using var account = AccountKey.FromRootEntropy(Enumerable.Repeat((byte)line, 32).ToArray());
        Assert.Equal(address, account.DefaultSubaddress);
    }

    [Theory]
    [MemberData(nameof(WithFogLines))]
    public void Address_with_fog_encodes_decodes_and_its_authority_signature_is_reproduced(int line)
    {
        var v = Vectors.JsonLines(WithFog)[line];
        var address = new PublicAddress(
            RistrettoPublic.From(v.Bytes("view_public_key")),
            RistrettoPublic.From(v.Bytes("spend_public_key")),
            v.Str("fog_report_url"),
            v.Str("fog_report_id"),
            v.Bytes("fog_authority_sig"));
        Assert.Equal(v.Str("b58_encoded"), address.ToB58());
        Assert.Equal(address, PublicAddress.ParseB58(v.Str("b58_encoded")));
        Assert.True(address.VerifyFogAuthoritySignature([]));
        Assert.False(address.VerifyFogAuthoritySignature([0x30]));

        var fog = new FogInfo(v.Str("fog_report_url"), v.Str("fog_report_id"), ReadOnlyMemory<byte>.Empty);
        using var account = AccountKey.FromRootEntropy(Enumerable.Repeat((byte)line, 32).ToArray(), fog);
        var derived = account.DefaultSubaddress;
        Assert.Equal(v.Bytes("fog_authority_sig"), derived.FogAuthoritySig.ToArray());
        Assert.Equal(v.Str("b58_encoded"), derived.ToB58());
    }
}
