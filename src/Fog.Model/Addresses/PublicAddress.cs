using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using Fog.Crypto.Codecs;
using Fog.Crypto.Digestible;
using Fog.Crypto.Ristretto;
using Fog.Model.Encoding;
using Google.Protobuf;

namespace Fog.Model.Addresses;

/// <summary>
/// A subaddress's public address (<c>external.PublicAddress</c>): view public key Cᵢ, spend public key Dᵢ and,
/// for fog users, the fog report URL, report id and authority signature. Its printable form is Base58 of
/// CRC-32 (LE) ‖ <c>printable.PrintableWrapper { public_address = 1 }</c>.
/// </summary>
public sealed class PublicAddress : IEquatable<PublicAddress>, IDigestible
{
    private readonly byte[] _fogAuthoritySig;

    /// <summary>An address; the fog fields default to empty (no fog).</summary>
    public PublicAddress(RistrettoPublic viewPublicKey, RistrettoPublic spendPublicKey, string fogReportUrl = "", string fogReportId = "", ReadOnlySpan<byte> fogAuthoritySig = default)
    {
        ViewPublicKey = viewPublicKey ?? throw new ArgumentNullException(nameof(viewPublicKey));
        SpendPublicKey = spendPublicKey ?? throw new ArgumentNullException(nameof(spendPublicKey));
        FogReportUrl = fogReportUrl ?? throw new ArgumentNullException(nameof(fogReportUrl));
        FogReportId = fogReportId ?? throw new ArgumentNullException(nameof(fogReportId));
        _fogAuthoritySig = fogAuthoritySig.ToArray();
    }

    /// <summary>The subaddress view public key C.</summary>
    public RistrettoPublic ViewPublicKey { get; }

    /// <summary>The subaddress spend public key D.</summary>
    public RistrettoPublic SpendPublicKey { get; }

    /// <summary>The fog report server URL, or empty.</summary>
    public string FogReportUrl { get; }

    /// <summary>The fog report id, or empty.</summary>
    public string FogReportId { get; }

    /// <summary>The fog authority signature (64 bytes), or empty.</summary>
    public ReadOnlySpan<byte> FogAuthoritySig => _fogAuthoritySig;

    /// <summary>Whether this address asks senders to use fog.</summary>
    public bool HasFog => FogReportUrl.Length > 0;

    /// <summary>The 16-byte hash memos use to name this address.</summary>
    public ShortAddressHash ShortHash => ShortAddressHash.Of(this);

    /// <summary>Checks the fog authority signature over <paramref name="authoritySpki"/> with the view public key.</summary>
    public bool VerifyFogAuthoritySignature(ReadOnlySpan<byte> authoritySpki) =>
        ViewPublicKey.VerifySchnorrkel(FogAuthority.SignatureContext, authoritySpki, _fogAuthoritySig);

    /// <summary>The <c>external.PublicAddress</c> protobuf encoding.</summary>
    public byte[] ToProtobuf() => Proto.Write(WriteTo);

    /// <summary>Parses an <c>external.PublicAddress</c>; false if malformed or a key is not a valid point.</summary>
    public static bool TryParseProtobuf(ReadOnlySpan<byte> encoded, [NotNullWhen(true)] out PublicAddress? address)
    {
        address = null;
        byte[]? view = null, spend = null, sig = null;
        string url = "", id = "";
        var wellFormed = Proto.TryRead(encoded, (field, wire, input) =>
        {
            if (wire != WireFormat.WireType.LengthDelimited)
            {
                return false;
            }

            switch (field)
            {
                case 1:
                    view = Proto.UnwrapData(input.ReadBytes().Span);
                    return true;
                case 2:
                    spend = Proto.UnwrapData(input.ReadBytes().Span);
                    return true;
                case 3:
                    url = input.ReadString();
                    return true;
                case 4:
                    id = input.ReadString();
                    return true;
                case 5:
                    sig = input.ReadBytes().ToByteArray();
                    return true;
                default:
                    return false;
            }
        });
        if (!wellFormed || !RistrettoPublic.TryFrom(view, out var viewKey) || !RistrettoPublic.TryFrom(spend, out var spendKey))
        {
            return false;
        }

        address = new PublicAddress(viewKey, spendKey, url, id, sig);
        return true;
    }

    /// <summary>The printable Base58 form.</summary>
    public string ToB58()
    {
        var wrapper = Proto.Write(s => Proto.Message(s, PrintableWrapperPublicAddressField, ToProtobuf()));
        var bytes = new byte[4 + wrapper.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, Crc32.Compute(wrapper));
        wrapper.CopyTo(bytes, 4);
        return Base58.Encode(bytes);
    }

    /// <summary>Parses the printable Base58 form; on failure <paramref name="error"/> says what was wrong.</summary>
    public static bool TryParseB58(string text, [NotNullWhen(true)] out PublicAddress? address, out AddressParseError error)
    {
        ArgumentNullException.ThrowIfNull(text);
        address = null;
        if (!Base58.TryDecode(text.Trim(), out var bytes))
        {
            error = AddressParseError.NotBase58;
            return false;
        }

        if (bytes.Length < 5)
        {
            error = AddressParseError.TooShort;
            return false;
        }

        var wrapper = bytes.AsSpan(4);
        if (BinaryPrimitives.ReadUInt32LittleEndian(bytes) != Crc32.Compute(wrapper))
        {
            error = AddressParseError.ChecksumMismatch;
            return false;
        }

        byte[]? inner = null;
        var otherVariant = false;
        if (!Proto.TryRead(wrapper, (field, wire, input) =>
            {
                if (field == PrintableWrapperPublicAddressField && wire == WireFormat.WireType.LengthDelimited)
                {
                    inner = input.ReadBytes().ToByteArray();
                    return true;
                }

                otherVariant |= field is >= 2 and <= 4;
                return false;
            }))
        {
            error = AddressParseError.InvalidEncoding;
            return false;
        }

        if (inner is null)
        {
            error = otherVariant ? AddressParseError.NotAPublicAddress : AddressParseError.InvalidEncoding;
            return false;
        }

        if (!TryParseProtobuf(inner, out address))
        {
            error = AddressParseError.InvalidKey;
            return false;
        }

        error = AddressParseError.None;
        return true;
    }

    /// <summary>Parses the printable Base58 form.</summary>
    /// <exception cref="FormatException">It is not a valid B58 public address; the message says why.</exception>
    public static PublicAddress ParseB58(string text) =>
        TryParseB58(text, out var address, out var error) ? address : throw new FormatException(error.Describe());

    /// <inheritdoc />
    public void AppendTo(ReadOnlySpan<byte> context, DigestTranscript transcript)
    {
        ArgumentNullException.ThrowIfNull(transcript);

        // The fog fields are never omitted, even when empty.
        transcript.AppendAggregateHeader(context, "PublicAddress"u8);
        transcript.AppendRistretto("view_public_key"u8, ViewPublicKey.Bytes);
        transcript.AppendRistretto("spend_public_key"u8, SpendPublicKey.Bytes);
        transcript.AppendString("fog_report_url"u8, FogReportUrl);
        transcript.AppendString("fog_report_id"u8, FogReportId);
        transcript.AppendBytes("fog_authority_sig"u8, _fogAuthoritySig);
        transcript.AppendAggregateCloser(context, "PublicAddress"u8);
    }

    /// <inheritdoc />
    public bool Equals(PublicAddress? other) =>
        other is not null &&
        ViewPublicKey.Equals(other.ViewPublicKey) &&
        SpendPublicKey.Equals(other.SpendPublicKey) &&
        FogReportUrl == other.FogReportUrl &&
        FogReportId == other.FogReportId &&
        _fogAuthoritySig.AsSpan().SequenceEqual(other._fogAuthoritySig);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is PublicAddress other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(ViewPublicKey, SpendPublicKey, FogReportUrl);

    /// <summary>The B58 form.</summary>
    public override string ToString() => ToB58();

    internal void WriteTo(CodedOutputStream stream)
    {
        Proto.Wrapped(stream, 1, ViewPublicKey.Bytes);
        Proto.Wrapped(stream, 2, SpendPublicKey.Bytes);
        Proto.StringIfAny(stream, 3, FogReportUrl);
        Proto.StringIfAny(stream, 4, FogReportId);
        Proto.BytesIfAny(stream, 5, _fogAuthoritySig);
    }

    private const int PrintableWrapperPublicAddressField = 1;
}

/// <summary>Why a B58 public address did not parse.</summary>
public enum AddressParseError
{
    /// <summary>No error.</summary>
    None,

    /// <summary>A character is outside the Base58 alphabet.</summary>
    NotBase58,

    /// <summary>Too short to hold a checksum and a payload.</summary>
    TooShort,

    /// <summary>The CRC-32 checksum does not match (a typo or a truncated copy).</summary>
    ChecksumMismatch,

    /// <summary>The payload is not valid protobuf.</summary>
    InvalidEncoding,

    /// <summary>The payload is another printable kind (payment request, transfer payload, gift code).</summary>
    NotAPublicAddress,

    /// <summary>A key in the address is not a valid ristretto255 point.</summary>
    InvalidKey,
}

/// <summary>Readable messages for <see cref="AddressParseError"/>.</summary>
public static class AddressParseErrorExtensions
{
    /// <summary>A one-line explanation a person can act on.</summary>
    public static string Describe(this AddressParseError error) => error switch
    {
        AddressParseError.None => "no error",
        AddressParseError.NotBase58 => "not a Base58 string (it contains a character outside the Bitcoin alphabet)",
        AddressParseError.TooShort => "too short to be an address",
        AddressParseError.ChecksumMismatch => "the checksum does not match: the address is mistyped or truncated",
        AddressParseError.InvalidEncoding => "the address payload is not valid protobuf",
        AddressParseError.NotAPublicAddress => "this is a payment request, transfer payload or gift code, not a public address",
        AddressParseError.InvalidKey => "a key in the address is not a valid ristretto255 point",
        _ => error.ToString(),
    };
}
