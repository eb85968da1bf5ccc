using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Fog.Crypto.Digestible;
using Fog.Crypto.Hashing;
using Fog.Crypto.Ristretto;
using Fog.Model.Encoding;
using Google.Protobuf;

namespace Fog.Model.Transactions;

/// <summary>Which masking scheme a <see cref="MaskedAmount"/> uses.</summary>
public enum MaskedAmountVersion
{
    /// <summary>BLAKE2b masks (block versions below 3).</summary>
    V1 = 1,

    /// <summary>HKDF-SHA512 masks (block version 3 and later, MCIP #42).</summary>
    V2 = 2,
}

/// <summary>
/// A TxOut's hidden amount: a Pedersen commitment plus the value and token id XORed with masks derived from the
/// TxOut shared secret S. The recipient, knowing S, unmasks both and checks the commitment.
/// </summary>
public sealed class MaskedAmount : IDigestible
{
    /// <summary>Size of the masked token id when present.</summary>
    public const int MaskedTokenIdSize = 8;

    private readonly byte[] _commitment;
    private readonly byte[] _maskedTokenId;

    /// <summary>A masked amount from its fields.</summary>
    public MaskedAmount(MaskedAmountVersion version, ReadOnlySpan<byte> commitment, ulong maskedValue, ReadOnlySpan<byte> maskedTokenId)
    {
        if (commitment.Length != 32)
        {
            throw new ArgumentException("A commitment is 32 bytes.", nameof(commitment));
        }

        if (maskedTokenId.Length is not (0 or MaskedTokenIdSize) || (version == MaskedAmountVersion.V2 && maskedTokenId.Length != MaskedTokenIdSize))
        {
            throw new ArgumentException("A masked token id is 8 bytes (or empty for a V1 amount of token 0).", nameof(maskedTokenId));
        }

        Version = version;
        _commitment = commitment.ToArray();
        MaskedValue = maskedValue;
        _maskedTokenId = maskedTokenId.ToArray();
    }

    /// <summary>The masking scheme.</summary>
    public MaskedAmountVersion Version { get; }

    /// <summary>The compressed Pedersen commitment v·H_token + b·G.</summary>
    public ReadOnlySpan<byte> Commitment => _commitment;

    /// <summary>The value XOR its mask.</summary>
    public ulong MaskedValue { get; }

    /// <summary>The token id XOR its mask (8 bytes LE), or empty for a legacy V1 amount of token 0.</summary>
    public ReadOnlySpan<byte> MaskedTokenId => _maskedTokenId;

    /// <summary>Masks <paramref name="amount"/> under shared secret S.</summary>
    /// <param name="version">The masking scheme.</param>
    /// <param name="amount">The amount.</param>
    /// <param name="sharedSecret">The TxOut shared secret (compressed, 32 bytes).</param>
    /// <param name="includeTokenId">Whether to write the masked token id (false only for V1 before block version 2, and then the token must be 0).</param>
    public static MaskedAmount Create(MaskedAmountVersion version, Amount amount, ReadOnlySpan<byte> sharedSecret, bool includeTokenId = true)
    {
        if (!includeTokenId && (version == MaskedAmountVersion.V2 || amount.TokenId != Amount.MobTokenId))
        {
            throw new ArgumentException("Only a V1 amount of token 0 may omit the masked token id.", nameof(includeTokenId));
        }

        Span<byte> blinding = stackalloc byte[32];
        try
        {
            var masks = DeriveMasks(version, sharedSecret, blinding);
            var commitment = new byte[32];
            PedersenGenerators.Commit(amount.Value, amount.TokenId, blinding, commitment);
            var maskedTokenId = includeTokenId ? new byte[MaskedTokenIdSize] : [];
            if (includeTokenId)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(maskedTokenId, amount.TokenId ^ masks.TokenIdMask);
            }

            return new MaskedAmount(version, commitment, amount.Value ^ masks.ValueMask, maskedTokenId);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(blinding);
        }
    }

    /// <summary>
    /// Unmasks the value and token id under S and rebuilds the commitment they imply (what a fog TxOutRecord,
    /// which carries no commitment, is checked against). <paramref name="blinding"/> receives the blinding factor.
    /// </summary>
    public static MaskedAmount Reconstruct(MaskedAmountVersion version, ulong maskedValue, ReadOnlySpan<byte> maskedTokenId, ReadOnlySpan<byte> sharedSecret, out Amount amount, Span<byte> blinding)
    {
        var masks = DeriveMasks(version, sharedSecret, blinding);
        var tokenId = maskedTokenId.Length switch
        {
            0 when version == MaskedAmountVersion.V1 => Amount.MobTokenId,
            MaskedTokenIdSize => BinaryPrimitives.ReadUInt64LittleEndian(maskedTokenId) ^ masks.TokenIdMask,
            _ => throw new ArgumentException("A masked token id is 8 bytes (or empty for V1).", nameof(maskedTokenId)),
        };
        amount = new Amount(maskedValue ^ masks.ValueMask, tokenId);
        var commitment = new byte[32];
        PedersenGenerators.Commit(amount.Value, amount.TokenId, blinding, commitment);
        return new MaskedAmount(version, commitment, maskedValue, maskedTokenId);
    }

    /// <summary>
    /// Unmasks under S and checks the commitment; false if S is not this output's (the commitment does not match).
    /// </summary>
    public bool TryGetValue(ReadOnlySpan<byte> sharedSecret, out Amount amount, Span<byte> blinding)
    {
        var rebuilt = Reconstruct(Version, MaskedValue, _maskedTokenId, sharedSecret, out amount, blinding);
        if (CryptographicOperations.FixedTimeEquals(rebuilt._commitment, _commitment))
        {
            return true;
        }

        amount = default;
        CryptographicOperations.ZeroMemory(blinding);
        return false;
    }

    /// <summary>Unmasks under S and checks the commitment, without returning the blinding.</summary>
    public bool TryGetValue(ReadOnlySpan<byte> sharedSecret, out Amount amount)
    {
        Span<byte> blinding = stackalloc byte[32];
        var ok = TryGetValue(sharedSecret, out amount, blinding);
        CryptographicOperations.ZeroMemory(blinding);
        return ok;
    }

    /// <inheritdoc />
    public void AppendTo(ReadOnlySpan<byte> context, DigestTranscript transcript)
    {
        ArgumentNullException.ThrowIfNull(transcript);
        var name = Version == MaskedAmountVersion.V1 ? "Amount"u8 : "MaskedAmountV2"u8;
        transcript.AppendAggregateHeader(context, name);
        transcript.AppendRistretto("commitment"u8, _commitment);
        transcript.AppendUInt64("masked_value"u8, MaskedValue);
        transcript.AppendBytesAllowOmit("masked_token_id"u8, _maskedTokenId);
        transcript.AppendAggregateCloser(context, name);
    }

    /// <summary>The <c>external.MaskedAmount</c> encoding.</summary>
    public byte[] ToProtobuf() => Proto.Write(s =>
    {
        Proto.Wrapped(s, 1, _commitment);
        if (MaskedValue != 0)
        {
            Proto.Fixed64(s, 2, MaskedValue);
        }

        Proto.BytesIfAny(s, 3, _maskedTokenId);
    });

    /// <summary>Parses an <c>external.MaskedAmount</c> of the given version.</summary>
    public static bool TryParseProtobuf(MaskedAmountVersion version, ReadOnlySpan<byte> encoded, [NotNullWhen(true)] out MaskedAmount? amount)
    {
        amount = null;
        byte[]? commitment = null;
        ulong maskedValue = 0;
        byte[] maskedTokenId = [];
        var ok = Proto.TryRead(encoded, (field, wire, input) =>
        {
            switch (field)
            {
                case 1 when wire == WireFormat.WireType.LengthDelimited:
                    commitment = Proto.UnwrapData(input.ReadBytes().Span);
                    return true;
                case 2 when wire == WireFormat.WireType.Fixed64:
                    maskedValue = input.ReadFixed64();
                    return true;
                case 3 when wire == WireFormat.WireType.LengthDelimited:
                    maskedTokenId = input.ReadBytes().ToByteArray();
                    return true;
                default:
                    return false;
            }
        });
        if (!ok || commitment is not { Length: 32 } || maskedTokenId.Length is not (0 or MaskedTokenIdSize) ||
            (version == MaskedAmountVersion.V2 && maskedTokenId.Length != MaskedTokenIdSize))
        {
            return false;
        }

        amount = new MaskedAmount(version, commitment, maskedValue, maskedTokenId);
        return true;
    }

    private readonly record struct Masks(ulong ValueMask, ulong TokenIdMask);

    private static Masks DeriveMasks(MaskedAmountVersion version, ReadOnlySpan<byte> sharedSecret, Span<byte> blinding)
    {
        if (sharedSecret.Length != 32)
        {
            throw new ArgumentException("The shared secret is 32 bytes.", nameof(sharedSecret));
        }

        Span<byte> digest = stackalloc byte[64];
        Span<byte> scalar = stackalloc byte[32];
        try
        {
            if (version == MaskedAmountVersion.V1)
            {
                // The value mask comes from the reduced scalar; the token mask from the raw hash.
                Blake2b.Hash512("mc_amount_value"u8, sharedSecret, digest);
                Ristretto255.ReduceWide(digest, scalar);
                var valueMask = BinaryPrimitives.ReadUInt64LittleEndian(scalar);
                Blake2b.Hash512("mc_amount_token_id"u8, sharedSecret, digest);
                var tokenMask = BinaryPrimitives.ReadUInt64LittleEndian(digest);
                Blake2b.Hash512("mc_amount_blinding"u8, sharedSecret, digest);
                Ristretto255.ReduceWide(digest, blinding);
                return new Masks(valueMask, tokenMask);
            }
            else
            {
                Span<byte> prk = stackalloc byte[64];
                Blake2b.Hash512("mc_amount_shared_secret"u8, sharedSecret, digest);
                HKDF.Extract(HashAlgorithmName.SHA512, digest[..32], "mc_amount_blinding_factors"u8, prk);
                Span<byte> mask = stackalloc byte[8];
                HKDF.Expand(HashAlgorithmName.SHA512, prk, mask, "mc_amount_value"u8);
                var valueMask = BinaryPrimitives.ReadUInt64LittleEndian(mask);
                HKDF.Expand(HashAlgorithmName.SHA512, prk, mask, "mc_amount_token_id"u8);
                var tokenMask = BinaryPrimitives.ReadUInt64LittleEndian(mask);
                HKDF.Expand(HashAlgorithmName.SHA512, prk, digest, "mc_amount_blinding"u8);
                Ristretto255.ReduceWide(digest, blinding);
                CryptographicOperations.ZeroMemory(prk);
                return new Masks(valueMask, tokenMask);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(digest);
            CryptographicOperations.ZeroMemory(scalar);
        }
    }
}
