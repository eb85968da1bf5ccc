using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Fog.Crypto.Digestible;
using Fog.Crypto.Ristretto;
using Fog.Model.Addresses;
using Fog.Model.Encoding;
using Fog.Model.FogData;
using Fog.Model.Memos;
using Google.Protobuf;

namespace Fog.Model.Transactions;

/// <summary>
/// A transaction output (<c>external.TxOut</c>): masked amount, one-time target key P, public key R, the
/// encrypted fog hint (84 bytes) and, from block version 1, the encrypted memo (66 bytes).
/// </summary>
public sealed class TxOut : IDigestible
{
    private readonly byte[] _targetKey;
    private readonly byte[] _publicKey;
    private readonly byte[] _eFogHint;
    private readonly byte[]? _eMemo;

    /// <summary>A TxOut from its fields (lengths are checked; points are not decompressed).</summary>
    public TxOut(MaskedAmount maskedAmount, ReadOnlySpan<byte> targetKey, ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> eFogHint, ReadOnlySpan<byte> eMemo)
    {
        MaskedAmount = maskedAmount ?? throw new ArgumentNullException(nameof(maskedAmount));
        _targetKey = CheckLength(targetKey, 32, nameof(targetKey));
        _publicKey = CheckLength(publicKey, 32, nameof(publicKey));
        _eFogHint = CheckLength(eFogHint, FogHint.Size, nameof(eFogHint));
        _eMemo = eMemo.IsEmpty ? null : CheckLength(eMemo, MemoPayload.Size, nameof(eMemo));
    }

    /// <summary>The masked amount.</summary>
    public MaskedAmount MaskedAmount { get; }

    /// <summary>The one-time target key P (compressed).</summary>
    public ReadOnlySpan<byte> TargetKey => _targetKey;

    /// <summary>The TxOut public key R (compressed); unique in the ledger.</summary>
    public ReadOnlySpan<byte> PublicKey => _publicKey;

    /// <summary>The encrypted fog hint (84 bytes).</summary>
    public ReadOnlySpan<byte> EFogHint => _eFogHint;

    /// <summary>The encrypted memo (66 bytes), or empty for outputs before block version 1.</summary>
    public ReadOnlySpan<byte> EMemo => _eMemo;

    /// <summary>Whether this output carries an encrypted memo.</summary>
    public bool HasMemo => _eMemo is not null;

    /// <summary>
    /// Creates an output paying <paramref name="amount"/> to <paramref name="recipient"/> with transaction key r,
    /// as MobileCoin's <c>TxOut::new_with_memo</c> does. <paramref name="memo"/> builds the memo from the TxOut
    /// public key (authenticated memos bind to it); null writes the unused memo.
    /// </summary>
    public static TxOut Create(
        BlockVersion blockVersion,
        Amount amount,
        PublicAddress recipient,
        RistrettoPrivate txPrivateKey,
        ReadOnlySpan<byte> eFogHint,
        Func<ReadOnlyMemory<byte>, MemoPayload>? memo = null)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        ArgumentNullException.ThrowIfNull(txPrivateKey);
        if (blockVersion > BlockVersion.Max)
        {
            throw new ArgumentOutOfRangeException(nameof(blockVersion), blockVersion, $"Block version {blockVersion} is newer than this build supports ({BlockVersion.Max}).");
        }

        if (amount.TokenId != Amount.MobTokenId && !blockVersion.MaskedTokenIdIsSupported)
        {
            throw new ArgumentException($"Block version {blockVersion} supports only token 0.", nameof(amount));
        }

        var targetKey = OnetimeKeys.CreateTargetKey(txPrivateKey, recipient);
        var publicKey = OnetimeKeys.CreatePublicKey(txPrivateKey, recipient.SpendPublicKey);
        Span<byte> sharedSecret = stackalloc byte[32];
        try
        {
            txPrivateKey.KeyExchange(recipient.ViewPublicKey, sharedSecret);
            var version = blockVersion.MaskedAmountV2IsSupported ? MaskedAmountVersion.V2 : MaskedAmountVersion.V1;
            var maskedAmount = MaskedAmount.Create(version, amount, sharedSecret, includeTokenId: blockVersion.MaskedTokenIdIsSupported);
            byte[] eMemo = [];
            if (blockVersion.EncryptedMemoIsSupported)
            {
                var payload = memo?.Invoke(publicKey) ?? MemoPayload.Unused;
                eMemo = payload.Encrypt(sharedSecret);
            }

            return new TxOut(maskedAmount, targetKey, publicKey, eFogHint, eMemo);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(sharedSecret);
        }
    }

    /// <summary>The recipient's shared secret a·R under the root view key; false if R is not a valid point.</summary>
    public bool TryGetSharedSecret(RistrettoPrivate rootViewKey, Span<byte> sharedSecret) =>
        OnetimeKeys.TryGetSharedSecret(rootViewKey, _publicKey, sharedSecret);

    /// <summary>
    /// Whether this output belongs to subaddress <paramref name="subaddressIndex"/> of <paramref name="account"/>:
    /// P − Hs(a·R)·G = Dᵢ.
    /// </summary>
    public bool BelongsTo(Keys.AccountKey account, ulong subaddressIndex)
    {
        ArgumentNullException.ThrowIfNull(account);
        var spendPublic = RecoverSubaddressSpendPublic(account.ViewPrivateKey);
        if (spendPublic is null)
        {
            return false;
        }

        using var spend = account.SubaddressSpendPrivate(subaddressIndex);
        return spendPublic.Equals(spend.PublicKey);
    }

    /// <summary>
    /// The subaddress spend public key D' = P − Hs(a·R)·G this output pays; a wallet looks it up among its
    /// subaddresses. Null if a key in the output is not a valid point.
    /// </summary>
    public RistrettoPublic? RecoverSubaddressSpendPublic(RistrettoPrivate rootViewKey)
    {
        Span<byte> sharedSecret = stackalloc byte[32];
        Span<byte> spendPublic = stackalloc byte[32];
        try
        {
            return TryGetSharedSecret(rootViewKey, sharedSecret) &&
                   OnetimeKeys.TryRecoverSubaddressSpendPublic(sharedSecret, _targetKey, spendPublic) &&
                   RistrettoPublic.TryFrom(spendPublic, out var key)
                ? key
                : null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(sharedSecret);
        }
    }

    /// <summary>Unmasks the amount with the root view key; false if the output is not for this key.</summary>
    public bool TryGetAmount(RistrettoPrivate rootViewKey, out Amount amount)
    {
        Span<byte> sharedSecret = stackalloc byte[32];
        try
        {
            amount = default;
            return TryGetSharedSecret(rootViewKey, sharedSecret) && MaskedAmount.TryGetValue(sharedSecret, out amount);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(sharedSecret);
        }
    }

    /// <summary>Decrypts the memo with the root view key; null if the output has no memo or R is invalid.</summary>
    public MemoPayload? DecryptMemo(RistrettoPrivate rootViewKey)
    {
        if (_eMemo is null)
        {
            return null;
        }

        Span<byte> sharedSecret = stackalloc byte[32];
        try
        {
            return TryGetSharedSecret(rootViewKey, sharedSecret) ? MemoPayload.Decrypt(sharedSecret, _eMemo) : null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(sharedSecret);
        }
    }

    /// <summary>The one-time private key x = Hs(a·R) + dᵢ that spends this output.</summary>
    public RistrettoPrivate RecoverOnetimePrivateKey(RistrettoPrivate rootViewKey, RistrettoPrivate subaddressSpendPrivate)
    {
        Span<byte> sharedSecret = stackalloc byte[32];
        try
        {
            if (!TryGetSharedSecret(rootViewKey, sharedSecret))
            {
                throw new InvalidOperationException("The TxOut public key is not a valid point.");
            }

            return OnetimeKeys.RecoverOnetimePrivateKey(sharedSecret, subaddressSpendPrivate);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(sharedSecret);
        }
    }

    /// <summary>The key image this output's spend will reveal.</summary>
    public KeyImage KeyImage(RistrettoPrivate rootViewKey, RistrettoPrivate subaddressSpendPrivate)
    {
        using var onetime = RecoverOnetimePrivateKey(rootViewKey, subaddressSpendPrivate);
        return Transactions.KeyImage.FromOnetimePrivateKey(onetime);
    }

    /// <summary>The TxOut hash: its digest under "mobilecoin-txout" (Merkle leaves and ledger indexes use it).</summary>
    public byte[] Hash() => DigestTranscript.Digest32("mobilecoin-txout"u8, this);

    /// <inheritdoc />
    public void AppendTo(ReadOnlySpan<byte> context, DigestTranscript transcript)
    {
        ArgumentNullException.ThrowIfNull(transcript);
        transcript.AppendAggregateHeader(context, "TxOut"u8);
        MaskedAmount.AppendTo("amount"u8, transcript);
        transcript.AppendRistretto("target_key"u8, _targetKey);
        transcript.AppendRistretto("public_key"u8, _publicKey);
        transcript.AppendBytes("e_fog_hint"u8, _eFogHint);
        if (_eMemo is not null)
        {
            // EncryptedMemo is a non-transparent tuple struct: an aggregate with one field named "0".
            transcript.AppendAggregateHeader("e_memo"u8, "EncryptedMemo"u8);
            transcript.AppendBytes("0"u8, _eMemo);
            transcript.AppendAggregateCloser("e_memo"u8, "EncryptedMemo"u8);
        }

        transcript.AppendAggregateCloser(context, "TxOut"u8);
    }

    /// <summary>The <c>external.TxOut</c> encoding.</summary>
    public byte[] ToProtobuf() => Proto.Write(WriteTo);

    internal void WriteTo(CodedOutputStream stream)
    {
        Proto.Message(stream, MaskedAmount.Version == MaskedAmountVersion.V1 ? 1 : 6, MaskedAmount.ToProtobuf());
        Proto.Wrapped(stream, 2, _targetKey);
        Proto.Wrapped(stream, 3, _publicKey);
        Proto.Wrapped(stream, 4, _eFogHint);
        if (_eMemo is not null)
        {
            Proto.Wrapped(stream, 5, _eMemo);
        }
    }

    /// <summary>Parses an <c>external.TxOut</c>; false if malformed or a field has the wrong length.</summary>
    public static bool TryParseProtobuf(ReadOnlySpan<byte> encoded, [NotNullWhen(true)] out TxOut? txOut)
    {
        txOut = null;
        MaskedAmount? maskedAmount = null;
        byte[]? target = null, publicKey = null, hint = null, memo = null;
        var amountValid = true;
        var ok = Proto.TryRead(encoded, (field, wire, input) =>
        {
            if (wire != WireFormat.WireType.LengthDelimited)
            {
                return false;
            }

            switch (field)
            {
                case 1 or 6:
                    var version = field == 1 ? MaskedAmountVersion.V1 : MaskedAmountVersion.V2;
                    amountValid &= MaskedAmount.TryParseProtobuf(version, input.ReadBytes().Span, out maskedAmount);
                    return true;
                case 2:
                    target = Proto.UnwrapData(input.ReadBytes().Span);
                    return true;
                case 3:
                    publicKey = Proto.UnwrapData(input.ReadBytes().Span);
                    return true;
                case 4:
                    hint = Proto.UnwrapData(input.ReadBytes().Span);
                    return true;
                case 5:
                    memo = Proto.UnwrapData(input.ReadBytes().Span);
                    return true;
                default:
                    return false;
            }
        });
        if (!ok || !amountValid || maskedAmount is null || target is not { Length: 32 } || publicKey is not { Length: 32 } ||
            hint is not { Length: FogHint.Size } || memo is not (null or { Length: MemoPayload.Size }))
        {
            return false;
        }

        txOut = new TxOut(maskedAmount, target, publicKey, hint, memo);
        return true;
    }

    private static byte[] CheckLength(ReadOnlySpan<byte> value, int length, string name) =>
        value.Length == length ? value.ToArray() : throw new ArgumentException($"Expected {length} bytes, got {value.Length}.", name);
}
