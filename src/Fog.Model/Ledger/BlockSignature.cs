using System.Diagnostics.CodeAnalysis;
using Fog.Model.Encoding;
using Google.Protobuf;
using NSec.Cryptography;

namespace Fog.Model.Ledger;

/// <summary>
/// A block signer's Ed25519 signature over the block's "block-sig" digest (<c>blockchain.BlockSignature</c>), with the
/// signer's public key and the (untrusted) Unix time the block was signed — the block timestamp Fog reports.
/// </summary>
public sealed class BlockSignature
{
    /// <summary>Size of an Ed25519 signature.</summary>
    public const int SignatureSize = 64;

    /// <summary>Size of an Ed25519 public key.</summary>
    public const int PublicKeySize = 32;

    private readonly byte[] _signature;
    private readonly byte[] _signer;

    /// <summary>A signature from its fields.</summary>
    public BlockSignature(ReadOnlySpan<byte> signature, ReadOnlySpan<byte> signer, ulong signedAt)
    {
        _signature = signature.Length == SignatureSize ? signature.ToArray() : throw new ArgumentException($"An Ed25519 signature is {SignatureSize} bytes.", nameof(signature));
        _signer = signer.Length == PublicKeySize ? signer.ToArray() : throw new ArgumentException($"An Ed25519 public key is {PublicKeySize} bytes.", nameof(signer));
        SignedAt = signedAt;
    }

    /// <summary>The signature.</summary>
    public ReadOnlySpan<byte> Signature => _signature;

    /// <summary>The signer's Ed25519 public key.</summary>
    public ReadOnlySpan<byte> Signer => _signer;

    /// <summary>Seconds since the Unix epoch when the block was signed (set by untrusted code).</summary>
    public ulong SignedAt { get; }

    /// <summary>Signs <paramref name="block"/> with an Ed25519 key.</summary>
    public static BlockSignature Sign(Block block, Key signingKey, ulong signedAt)
    {
        ArgumentNullException.ThrowIfNull(block);
        ArgumentNullException.ThrowIfNull(signingKey);
        var signature = SignatureAlgorithm.Ed25519.Sign(signingKey, block.SigningDigest());
        return new BlockSignature(signature, signingKey.PublicKey.Export(KeyBlobFormat.RawPublicKey), signedAt);
    }

    /// <summary>Whether this signature is the signer's valid signature over <paramref name="block"/>.</summary>
    public bool Verify(Block block)
    {
        ArgumentNullException.ThrowIfNull(block);
        return PublicKey.TryImport(SignatureAlgorithm.Ed25519, _signer, KeyBlobFormat.RawPublicKey, out var key) &&
               SignatureAlgorithm.Ed25519.Verify(key!, block.SigningDigest(), _signature);
    }

    /// <summary>The <c>blockchain.BlockSignature</c> encoding.</summary>
    public byte[] ToProtobuf() => Proto.Write(s =>
    {
        Proto.Wrapped(s, 1, _signature);
        Proto.Wrapped(s, 2, _signer);
        Proto.UInt64IfAny(s, 3, SignedAt);
    });

    /// <summary>Parses a <c>blockchain.BlockSignature</c>.</summary>
    public static bool TryParseProtobuf(ReadOnlySpan<byte> encoded, [NotNullWhen(true)] out BlockSignature? signature)
    {
        signature = null;
        byte[]? sig = null, signer = null;
        ulong signedAt = 0;
        var ok = Proto.TryRead(encoded, (field, wire, input) =>
        {
            switch (field)
            {
                case 1 when wire == WireFormat.WireType.LengthDelimited:
                    sig = Proto.UnwrapData(input.ReadBytes().Span);
                    return true;
                case 2 when wire == WireFormat.WireType.LengthDelimited:
                    signer = Proto.UnwrapData(input.ReadBytes().Span);
                    return true;
                case 3 when wire == WireFormat.WireType.Varint:
                    signedAt = input.ReadUInt64();
                    return true;
                default:
                    return false;
            }
        });
        if (!ok || sig is not { Length: SignatureSize } || signer is not { Length: PublicKeySize })
        {
            return false;
        }

        signature = new BlockSignature(sig, signer, signedAt);
        return true;
    }
}
