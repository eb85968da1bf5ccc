using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Fog.Crypto.Codecs;
using Fog.Model.Encoding;
using Fog.Model.Memos;
using Fog.Model.Transactions;
using Google.Protobuf;

namespace Fog.Model.FogData;

/// <summary>
/// What fog ingest records for a TxOut and a user decrypts from a view query (<c>fog_view.TxOutRecord</c>): the
/// TxOut's fields without the commitment (only its CRC-32) and without the fog hint, plus its global index,
/// block index and block timestamp.
/// </summary>
/// <remarks>
/// Wire form: fields 2–8 are always written, so a record's length depends only on whether it has a memo and
/// which masked-amount version it carries (both fixed by the block version), never on a value being zero.
/// MobileCoin's prost encoder writes fields 2–6 always and 7–8 only when non-zero; both forms decode here.
/// </remarks>
public sealed class TxOutRecord
{
    private readonly byte[] _targetKey;
    private readonly byte[] _publicKey;
    private readonly byte[] _eMemo;
    private readonly byte[] _maskedTokenId;
    private readonly byte[] _commitmentData;

    /// <summary>A record from its fields.</summary>
    public TxOutRecord(
        ulong maskedValue,
        ReadOnlySpan<byte> targetKey,
        ReadOnlySpan<byte> publicKey,
        ulong globalIndex,
        ulong blockIndex,
        ulong timestamp,
        uint commitmentCrc32,
        ReadOnlySpan<byte> eMemo,
        MaskedAmountVersion? maskedTokenIdVersion,
        ReadOnlySpan<byte> maskedTokenId,
        ReadOnlySpan<byte> commitmentData = default)
    {
        MaskedValue = maskedValue;
        _targetKey = targetKey.ToArray();
        _publicKey = publicKey.ToArray();
        GlobalIndex = globalIndex;
        BlockIndex = blockIndex;
        Timestamp = timestamp;
        CommitmentCrc32 = commitmentCrc32;
        _eMemo = eMemo.ToArray();
        MaskedTokenIdVersion = maskedTokenIdVersion;
        _maskedTokenId = maskedTokenId.ToArray();
        _commitmentData = commitmentData.ToArray();
    }

    /// <summary>Field 1: the full commitment (legacy records; empty in current ones).</summary>
    public ReadOnlySpan<byte> CommitmentData => _commitmentData;

    /// <summary>Field 2: the masked value.</summary>
    public ulong MaskedValue { get; }

    /// <summary>Field 3: the target key P.</summary>
    public ReadOnlySpan<byte> TargetKey => _targetKey;

    /// <summary>Field 4: the TxOut public key R.</summary>
    public ReadOnlySpan<byte> PublicKey => _publicKey;

    /// <summary>Field 5: the TxOut's global index in the ledger.</summary>
    public ulong GlobalIndex { get; }

    /// <summary>Field 6: the index of the block holding the TxOut.</summary>
    public ulong BlockIndex { get; }

    /// <summary>Field 7: the block's timestamp in seconds since the Unix epoch (untrusted; 0 if unknown).</summary>
    public ulong Timestamp { get; }

    /// <summary>Field 8: CRC-32 of the compressed commitment.</summary>
    public uint CommitmentCrc32 { get; }

    /// <summary>Field 9: the encrypted memo (66 bytes), or empty.</summary>
    public ReadOnlySpan<byte> EMemo => _eMemo;

    /// <summary>Which oneof field (10 = V1, 11 = V2) carries the masked token id, or null if neither is set.</summary>
    public MaskedAmountVersion? MaskedTokenIdVersion { get; }

    /// <summary>Fields 10/11: the masked token id.</summary>
    public ReadOnlySpan<byte> MaskedTokenId => _maskedTokenId;

    /// <summary>The record ingest writes for <paramref name="txOut"/>.</summary>
    public static TxOutRecord FromTxOut(TxOut txOut, ulong globalIndex, ulong blockIndex, ulong timestamp)
    {
        ArgumentNullException.ThrowIfNull(txOut);
        var amount = txOut.MaskedAmount;
        return new TxOutRecord(
            amount.MaskedValue,
            txOut.TargetKey,
            txOut.PublicKey,
            globalIndex,
            blockIndex,
            timestamp,
            Crc32.Compute(amount.Commitment),
            txOut.EMemo,
            amount.Version,
            amount.MaskedTokenId);
    }

    /// <summary>
    /// Recovers the TxOut and its amount with the root view key a (<c>get_fog_tx_out</c> then
    /// <c>try_recover_tx_out</c>): S = a·R, unmask, rebuild the commitment and check its CRC-32. The recovered
    /// TxOut has an all-zero fog hint. Returns a typed error when the record is malformed or not for this key;
    /// <paramref name="txOut"/> is set exactly when the result is <see cref="TxOutRecordError.None"/>.
    /// </summary>
    public TxOutRecordError TryRecover(Crypto.Ristretto.RistrettoPrivate rootViewKey, out TxOut? txOut, out Amount amount)
    {
        ArgumentNullException.ThrowIfNull(rootViewKey);
        txOut = null;
        amount = default;
        uint expectedCrc;
        switch (_commitmentData.Length)
        {
            case 0:
                expectedCrc = CommitmentCrc32;
                break;
            case 32:
                expectedCrc = Crc32.Compute(_commitmentData);
                break;
            default:
                return TxOutRecordError.Malformed;
        }

        if (_targetKey.Length != 32 || _publicKey.Length != 32 || _eMemo.Length is not (0 or MemoPayload.Size))
        {
            return TxOutRecordError.Malformed;
        }

        // A record without the oneof is a legacy V1 amount of token 0.
        var version = MaskedTokenIdVersion ?? MaskedAmountVersion.V1;
        if (_maskedTokenId.Length is not (0 or MaskedAmount.MaskedTokenIdSize) ||
            (version == MaskedAmountVersion.V2 && _maskedTokenId.Length != MaskedAmount.MaskedTokenIdSize))
        {
            return TxOutRecordError.Malformed;
        }

        Span<byte> sharedSecret = stackalloc byte[32];
        Span<byte> blinding = stackalloc byte[32];
        try
        {
            if (!rootViewKey.TryKeyExchange(_publicKey, sharedSecret))
            {
                return TxOutRecordError.Malformed;
            }

            var maskedAmount = MaskedAmount.Reconstruct(version, MaskedValue, _maskedTokenId, sharedSecret, out var unmasked, blinding);
            if (Crc32.Compute(maskedAmount.Commitment) != expectedCrc)
            {
                return TxOutRecordError.ChecksumMismatch;
            }

            txOut = new TxOut(maskedAmount, _targetKey, _publicKey, new byte[FogHint.Size], _eMemo);
            amount = unmasked;
            return TxOutRecordError.None;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(sharedSecret);
            CryptographicOperations.ZeroMemory(blinding);
        }
    }

    /// <summary>The <c>fog_view.TxOutRecord</c> encoding (fields 2–8 always present).</summary>
    public byte[] ToProtobuf() => Proto.Write(s =>
    {
        Proto.BytesIfAny(s, 1, _commitmentData);
        Proto.Fixed64(s, 2, MaskedValue);
        Proto.Bytes(s, 3, _targetKey);
        Proto.Bytes(s, 4, _publicKey);
        Proto.Fixed64(s, 5, GlobalIndex);
        Proto.Fixed64(s, 6, BlockIndex);
        Proto.Fixed64(s, 7, Timestamp);
        Proto.Fixed32(s, 8, CommitmentCrc32);
        Proto.BytesIfAny(s, 9, _eMemo);
        if (MaskedTokenIdVersion is { } version)
        {
            Proto.Bytes(s, version == MaskedAmountVersion.V1 ? 10 : 11, _maskedTokenId);
        }
    });

    /// <summary>Parses a <c>fog_view.TxOutRecord</c>; false if it is not well-formed protobuf of that shape.</summary>
    public static bool TryParseProtobuf(ReadOnlySpan<byte> encoded, [NotNullWhen(true)] out TxOutRecord? record)
    {
        record = null;
        byte[] commitment = [], target = [], publicKey = [], memo = [], tokenId = [];
        ulong maskedValue = 0, globalIndex = 0, blockIndex = 0, timestamp = 0;
        uint crc = 0;
        MaskedAmountVersion? tokenIdVersion = null;
        var typesOk = true;
        var ok = Proto.TryRead(encoded, (field, wire, input) =>
        {
            var expected = field switch
            {
                1 or 3 or 4 or 9 or 10 or 11 => WireFormat.WireType.LengthDelimited,
                2 or 5 or 6 or 7 => WireFormat.WireType.Fixed64,
                8 => WireFormat.WireType.Fixed32,
                _ => (WireFormat.WireType?)null,
            };
            if (expected is null)
            {
                return false;
            }

            if (expected != wire)
            {
                typesOk = false;
                return false;
            }

            switch (field)
            {
                case 1: commitment = input.ReadBytes().ToByteArray(); break;
                case 2: maskedValue = input.ReadFixed64(); break;
                case 3: target = input.ReadBytes().ToByteArray(); break;
                case 4: publicKey = input.ReadBytes().ToByteArray(); break;
                case 5: globalIndex = input.ReadFixed64(); break;
                case 6: blockIndex = input.ReadFixed64(); break;
                case 7: timestamp = input.ReadFixed64(); break;
                case 8: crc = input.ReadFixed32(); break;
                case 9: memo = input.ReadBytes().ToByteArray(); break;
                case 10:
                    tokenId = input.ReadBytes().ToByteArray();
                    tokenIdVersion = MaskedAmountVersion.V1;
                    break;
                default:
                    tokenId = input.ReadBytes().ToByteArray();
                    tokenIdVersion = MaskedAmountVersion.V2;
                    break;
            }

            return true;
        });
        if (!ok || !typesOk)
        {
            return false;
        }

        record = new TxOutRecord(maskedValue, target, publicKey, globalIndex, blockIndex, timestamp, crc, memo, tokenIdVersion, tokenId, commitment);
        return true;
    }
}

/// <summary>Why a <see cref="TxOutRecord"/> did not recover.</summary>
public enum TxOutRecordError
{
    /// <summary>Recovered.</summary>
    None,

    /// <summary>A field has the wrong length or a key is not a valid point.</summary>
    Malformed,

    /// <summary>The rebuilt commitment's CRC does not match: the record is not for this view key (or is corrupt).</summary>
    ChecksumMismatch,
}
