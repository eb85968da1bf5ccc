namespace Fog.Model.Addresses;

/// <summary>The fog authority signature: a subaddress's view key vouching for the fog operator's root certificate.</summary>
public static class FogAuthority
{
    /// <summary>The Schnorrkel signing context.</summary>
    public static ReadOnlySpan<byte> SignatureContext => "Fog authority signature"u8;
}
