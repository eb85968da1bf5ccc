using System.Security.Cryptography;
using Fog.Crypto.Hashing;
using Fog.Crypto.Ristretto;
using Fog.Model.Addresses;

namespace Fog.Model.Keys;

/// <summary>
/// A MobileCoin account: the root view key a and root spend key b, plus the optional fog service the account
/// uses (report URL, report id, and the SPKI of the fog operator's root certificate). Subaddress i has spend
/// key dᵢ = Hs("mc_subaddress" ‖ a ‖ i) + b and view key cᵢ = a·dᵢ.
/// </summary>
/// <remarks>Owns its private keys: dispose it when done.</remarks>
public sealed class AccountKey : IDisposable
{
    /// <summary>The default subaddress, whose address a user shares.</summary>
    public const ulong DefaultSubaddressIndex = 0;

    /// <summary>The subaddress change outputs go to.</summary>
    public const ulong ChangeSubaddressIndex = ulong.MaxValue - 1;

    /// <summary>The subaddress gift codes are held at.</summary>
    public const ulong GiftCodeSubaddressIndex = ulong.MaxValue - 2;

    /// <summary>Reserved (MCIP #36): never a valid subaddress.</summary>
    public const ulong InvalidSubaddressIndex = ulong.MaxValue;

    /// <summary>An account from its root keys; takes ownership of both.</summary>
    public AccountKey(RistrettoPrivate spendPrivateKey, RistrettoPrivate viewPrivateKey, FogInfo? fog = null)
    {
        ArgumentNullException.ThrowIfNull(spendPrivateKey);
        ArgumentNullException.ThrowIfNull(viewPrivateKey);
        SpendPrivateKey = spendPrivateKey;
        ViewPrivateKey = viewPrivateKey;
        Fog = fog;
    }

    /// <summary>The root view private key a.</summary>
    public RistrettoPrivate ViewPrivateKey { get; }

    /// <summary>The root spend private key b.</summary>
    public RistrettoPrivate SpendPrivateKey { get; }

    /// <summary>The fog service this account uses, or null for an account without fog.</summary>
    public FogInfo? Fog { get; }

    /// <summary>
    /// Keys from 32 bytes of root entropy: each key is HKDF-BLAKE2b-256(no salt, entropy, info "view" or "spend"),
    /// reduced modulo ℓ.
    /// </summary>
    public static AccountKey FromRootEntropy(ReadOnlySpan<byte> rootEntropy, FogInfo? fog = null)
    {
        if (rootEntropy.Length != 32)
        {
            throw new ArgumentException($"Root entropy is 32 bytes, got {rootEntropy.Length}.", nameof(rootEntropy));
        }

        Span<byte> okm = stackalloc byte[32];
        try
        {
            HmacBlake2b.DeriveKey(Blake2b.Size256, rootEntropy, [], "spend"u8, okm);
            var spend = RistrettoPrivate.FromBytesModOrder(okm);
            HmacBlake2b.DeriveKey(Blake2b.Size256, rootEntropy, [], "view"u8, okm);
            var view = RistrettoPrivate.FromBytesModOrder(okm);
            return new AccountKey(spend, view, fog);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(okm);
        }
    }

    /// <summary>
    /// Keys from a BIP-39 mnemonic and account index: SLIP-10 key at m/44'/866'/index', then each key is
    /// HKDF-SHA512(salt "mobilecoin-ristretto255-view"/"-spend", info "") to 64 bytes, wide-reduced.
    /// </summary>
    /// <exception cref="ArgumentException">The phrase is not a valid English BIP-39 mnemonic.</exception>
    public static AccountKey FromMnemonic(string phrase, uint accountIndex = 0, FogInfo? fog = null)
    {
        ArgumentNullException.ThrowIfNull(phrase);
        if (!Mnemonic.TryToEntropy(phrase, out var entropy, out var error))
        {
            throw new ArgumentException($"Not a valid mnemonic: {error}.", nameof(phrase));
        }

        CryptographicOperations.ZeroMemory(entropy);
        var seed = Mnemonic.ToSeed(phrase);
        var slip10 = Slip10.DeriveMobileCoinKey(seed, accountIndex);
        try
        {
            return FromSlip10Key(slip10, fog);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
            CryptographicOperations.ZeroMemory(slip10);
        }
    }

    /// <summary>Keys from a 32-byte SLIP-10 key (the second half of <see cref="FromMnemonic"/>).</summary>
    public static AccountKey FromSlip10Key(ReadOnlySpan<byte> slip10Key, FogInfo? fog = null)
    {
        Span<byte> view = stackalloc byte[64];
        Span<byte> spend = stackalloc byte[64];
        try
        {
            Slip10KeyToWideScalars(slip10Key, view, spend);
            return new AccountKey(RistrettoPrivate.FromWideBytes(spend), RistrettoPrivate.FromWideBytes(view), fog);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(view);
            CryptographicOperations.ZeroMemory(spend);
        }
    }

    /// <summary>The 64-byte HKDF outputs before reduction (what MobileCoin's SLIP-10 fixtures record).</summary>
    internal static void Slip10KeyToWideScalars(ReadOnlySpan<byte> slip10Key, Span<byte> view, Span<byte> spend)
    {
        if (slip10Key.Length != 32)
        {
            throw new ArgumentException("A SLIP-10 key is 32 bytes.", nameof(slip10Key));
        }

        HKDF.DeriveKey(HashAlgorithmName.SHA512, slip10Key, view, "mobilecoin-ristretto255-view"u8, []);
        HKDF.DeriveKey(HashAlgorithmName.SHA512, slip10Key, spend, "mobilecoin-ristretto255-spend"u8, []);
    }

    /// <summary>A copy of this account with different fog settings (the keys are copied, not shared).</summary>
    public AccountKey WithFog(FogInfo? fog) =>
        new(RistrettoPrivate.Import(SpendPrivateKey.Export()), RistrettoPrivate.Import(ViewPrivateKey.Export()), fog);

    /// <summary>The subaddress spend private key dᵢ = Hs(a, i) + b.</summary>
    public RistrettoPrivate SubaddressSpendPrivate(ulong index)
    {
        Span<byte> hs = stackalloc byte[32];
        try
        {
            Subaddresses.IndexScalar(ViewPrivateKey, index, hs);
            return SpendPrivateKey.AddScalar(hs);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(hs);
        }
    }

    /// <summary>The subaddress view private key cᵢ = a·dᵢ.</summary>
    public RistrettoPrivate SubaddressViewPrivate(ulong index)
    {
        using var spend = SubaddressSpendPrivate(index);
        return ViewPrivateKey.Multiply(spend);
    }

    /// <summary>The default subaddress view private key c₀: fog boxes record payloads to it and seeds KexRngs with it.</summary>
    public RistrettoPrivate DefaultSubaddressViewPrivate() => SubaddressViewPrivate(DefaultSubaddressIndex);

    /// <summary>
    /// The public address of subaddress <paramref name="index"/>: (Cᵢ, Dᵢ), and when the account uses fog, its
    /// report URL and id and the fog authority signature — a Schnorrkel signature by cᵢ over the authority SPKI.
    /// </summary>
    public PublicAddress Subaddress(ulong index)
    {
        using var spend = SubaddressSpendPrivate(index);
        using var view = ViewPrivateKey.Multiply(spend);
        if (Fog is null)
        {
            return new PublicAddress(view.PublicKey, spend.PublicKey);
        }

        var signature = view.SignSchnorrkel(FogAuthority.SignatureContext, Fog.AuthoritySpki.Span);
        return new PublicAddress(view.PublicKey, spend.PublicKey, Fog.ReportUrl, Fog.ReportId, signature);
    }

    /// <summary>The default subaddress's public address (the one a user shares).</summary>
    public PublicAddress DefaultSubaddress => Subaddress(DefaultSubaddressIndex);

    /// <summary>The change subaddress's public address.</summary>
    public PublicAddress ChangeSubaddress => Subaddress(ChangeSubaddressIndex);

    /// <summary>The view-only part of this account: (a, B).</summary>
    public ViewAccountKey ToViewAccountKey() => new(RistrettoPrivate.Import(ViewPrivateKey.Export()), SpendPrivateKey.PublicKey);

    /// <summary>Disposes both private keys.</summary>
    public void Dispose()
    {
        ViewPrivateKey.Dispose();
        SpendPrivateKey.Dispose();
    }

    /// <summary>Reveals nothing secret.</summary>
    public override string ToString() => Fog is null ? "AccountKey" : $"AccountKey(fog {Fog.ReportUrl})";
}

/// <summary>The fog service an account uses.</summary>
/// <param name="ReportUrl">The fog report server URL (e.g. fog://fog.example.com).</param>
/// <param name="ReportId">The report id (usually empty).</param>
/// <param name="AuthoritySpki">DER SubjectPublicKeyInfo of the fog operator's root certificate.</param>
public sealed record FogInfo(string ReportUrl, string ReportId, ReadOnlyMemory<byte> AuthoritySpki)
{
    /// <inheritdoc />
    public bool Equals(FogInfo? other) =>
        other is not null && ReportUrl == other.ReportUrl && ReportId == other.ReportId && AuthoritySpki.Span.SequenceEqual(other.AuthoritySpki.Span);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(ReportUrl, ReportId, AuthoritySpki.Length);
}

/// <summary>A view-only account: the root view private key a and root spend public key B.</summary>
public sealed class ViewAccountKey : IDisposable
{
    /// <summary>A view-only account; takes ownership of the view key.</summary>
    public ViewAccountKey(RistrettoPrivate viewPrivateKey, RistrettoPublic spendPublicKey)
    {
        ViewPrivateKey = viewPrivateKey ?? throw new ArgumentNullException(nameof(viewPrivateKey));
        SpendPublicKey = spendPublicKey ?? throw new ArgumentNullException(nameof(spendPublicKey));
    }

    /// <summary>The root view private key a.</summary>
    public RistrettoPrivate ViewPrivateKey { get; }

    /// <summary>The root spend public key B.</summary>
    public RistrettoPublic SpendPublicKey { get; }

    /// <summary>Subaddress spend public key Dᵢ = Hs(a, i)·G + B.</summary>
    public RistrettoPublic SubaddressSpendPublic(ulong index)
    {
        Span<byte> hs = stackalloc byte[32];
        Subaddresses.IndexScalar(ViewPrivateKey, index, hs);
        return RistrettoPublic.FromScalarTimesBase(hs).Add(SpendPublicKey);
    }

    /// <summary>The public address (without fog fields) of subaddress <paramref name="index"/>: Cᵢ = a·Dᵢ.</summary>
    public PublicAddress Subaddress(ulong index)
    {
        var spend = SubaddressSpendPublic(index);
        return new PublicAddress(ViewPrivateKey.MultiplyPoint(spend), spend);
    }

    /// <summary>Disposes the view key.</summary>
    public void Dispose() => ViewPrivateKey.Dispose();
}

internal static class Subaddresses
{
    /// <summary>Hs = BLAKE2b-512("mc_subaddress" ‖ a ‖ index as a 32-byte scalar) reduced.</summary>
    internal static void IndexScalar(RistrettoPrivate rootView, ulong index, Span<byte> scalar)
    {
        Span<byte> a = stackalloc byte[32];
        Span<byte> indexScalar = stackalloc byte[32];
        Span<byte> digest = stackalloc byte[64];
        try
        {
            rootView.Export(a);
            Ristretto255.ScalarFromUInt64(index, indexScalar);
            Blake2b.Hash512("mc_subaddress"u8, a, indexScalar, digest);
            Ristretto255.ReduceWide(digest, scalar);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(a);
            CryptographicOperations.ZeroMemory(digest);
        }
    }
}
