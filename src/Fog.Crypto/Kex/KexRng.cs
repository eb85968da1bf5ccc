using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Fog.Crypto.Hashing;
using Fog.Crypto.Interop;
using Fog.Crypto.Ristretto;
using Google.Protobuf;

namespace Fog.Crypto.Kex;

/// <summary>
/// Fog's key-exchange RNG (<c>KexRng20201124</c>, version 0): a sequence of 16-byte search keys derived from a
/// ristretto255 shared secret S, output n = BLAKE2b-512("20201124" ‖ S ‖ n as u64 LE)[0..16]. Ingest tags the
/// n-th TxOut it finds for a user under one egress key with output n; the user rebuilds the same sequence from
/// the RNG record's public key and their default-subaddress view key.
/// </summary>
public sealed class KexRng : IDisposable
{
    /// <summary>Size of each output (a search key).</summary>
    public const int OutputSize = 16;

    /// <summary>Size of the shared secret.</summary>
    public const int SecretSize = 32;

    /// <summary>The only version: <c>KexRng20201124</c>.</summary>
    public const uint LatestVersion = 0;

    private readonly SecureMemoryHandle _secret;
    private readonly byte[] _buffer = new byte[OutputSize];

    private KexRng(ReadOnlySpan<byte> secret, ulong index)
    {
        _secret = SecureMemoryHandle.Allocate(SecretSize);
        secret.CopyTo(_secret.Span);
        Index = index;
        Prf(secret, index, _buffer);
    }

    /// <summary>The counter of the output <see cref="Peek"/> returns.</summary>
    public ulong Index { get; private set; }

    /// <summary>The version of this RNG (always <see cref="LatestVersion"/>).</summary>
    public uint Version => LatestVersion;

    /// <summary>The PRF: BLAKE2b-512("20201124" ‖ secret ‖ counter LE)[0..16].</summary>
    public static void Prf(ReadOnlySpan<byte> secret, ulong counter, Span<byte> output)
    {
        if (secret.Length != SecretSize)
        {
            throw new ArgumentException($"The secret is {SecretSize} bytes.", nameof(secret));
        }

        if (output.Length != OutputSize)
        {
            throw new ArgumentException($"The output is {OutputSize} bytes.", nameof(output));
        }

        Span<byte> counterBytes = stackalloc byte[8];
        Span<byte> digest = stackalloc byte[Blake2b.Size512];
        BinaryPrimitives.WriteUInt64LittleEndian(counterBytes, counter);
        Blake2b.Hash512("20201124"u8, secret, counterBytes, digest);
        digest[..OutputSize].CopyTo(output);
        CryptographicOperations.ZeroMemory(digest);
    }

    /// <summary>An RNG at index 0 from a shared secret.</summary>
    public static KexRng FromSecret(ReadOnlySpan<byte> secret)
    {
        if (secret.Length != SecretSize)
        {
            throw new ArgumentException($"The secret is {SecretSize} bytes.", nameof(secret));
        }

        return new KexRng(secret, 0);
    }

    /// <summary>
    /// Rebuilds a user's RNG from an RNG record's public key and the user's private key
    /// (<c>VersionedKexRng::try_from_kex_pubkey</c>): S = private · public.
    /// </summary>
    public static KexRngError TryCreate(KexRngPubkey pubkey, RistrettoPrivate privateKey, [NotNullWhen(true)] out KexRng? rng)
    {
        ArgumentNullException.ThrowIfNull(pubkey);
        ArgumentNullException.ThrowIfNull(privateKey);
        rng = null;
        if (pubkey.Version != LatestVersion)
        {
            return KexRngError.UnknownVersion;
        }

        Span<byte> secret = stackalloc byte[SecretSize];
        try
        {
            if (!privateKey.TryKeyExchange(pubkey.PublicKey.Span, secret))
            {
                return KexRngError.InvalidPublicKey;
            }

            rng = new KexRng(secret, 0);
            return KexRngError.None;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <summary>The current output (at <see cref="Index"/>), without advancing.</summary>
    public ReadOnlySpan<byte> Peek() => _buffer;

    /// <summary>The next <paramref name="count"/> outputs (from <see cref="Index"/> on), without advancing.</summary>
    public byte[][] PeekAhead(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var outputs = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            outputs[i] = new byte[OutputSize];
            Prf(_secret.Span, checked(Index + (ulong)i), outputs[i]);
        }

        return outputs;
    }

    /// <summary>Moves to the next output.</summary>
    public void Advance()
    {
        Index = checked(Index + 1);
        Prf(_secret.Span, Index, _buffer);
    }

    /// <summary>Returns the current output and advances.</summary>
    public byte[] Next()
    {
        var output = _buffer.ToArray();
        Advance();
        return output;
    }

    /// <summary>
    /// The persistent form, <c>kex_rng.StoredRng { bytes secret = 1; bytes buffer = 2; uint64 counter = 3;
    /// uint32 version = 4; }</c>. It contains the secret: store it encrypted.
    /// </summary>
    public byte[] ToStoredBytes()
    {
        var output = new byte[64];
        var stream = new CodedOutputStream(output);
        stream.WriteTag(1, WireFormat.WireType.LengthDelimited);
        stream.WriteBytes(ByteString.CopyFrom(_secret.Span));
        stream.WriteTag(2, WireFormat.WireType.LengthDelimited);
        stream.WriteBytes(ByteString.CopyFrom(_buffer));
        if (Index != 0)
        {
            stream.WriteTag(3, WireFormat.WireType.Varint);
            stream.WriteUInt64(Index);
        }

        var length = (int)stream.Position;
        stream.Flush();
        var result = output.AsSpan(0, length).ToArray();
        CryptographicOperations.ZeroMemory(output);
        return result;
    }

    /// <summary>Restores an RNG from its stored form; checks field lengths, the version, and that the buffer matches.</summary>
    public static KexRngError TryFromStoredBytes(ReadOnlySpan<byte> stored, [NotNullWhen(true)] out KexRng? rng)
    {
        rng = null;
        byte[]? secret = null;
        byte[]? buffer = null;
        ulong counter = 0;
        uint version = 0;
        try
        {
            var input = new CodedInputStream(stored.ToArray());
            uint tag;
            while ((tag = input.ReadTag()) != 0)
            {
                switch (WireFormat.GetTagFieldNumber(tag))
                {
                    case 1:
                        secret = input.ReadBytes().ToByteArray();
                        break;
                    case 2:
                        buffer = input.ReadBytes().ToByteArray();
                        break;
                    case 3:
                        counter = input.ReadUInt64();
                        break;
                    case 4:
                        version = input.ReadUInt32();
                        break;
                    default:
                        input.SkipLastField();
                        break;
                }
            }
        }
        catch (InvalidProtocolBufferException)
        {
            return KexRngError.Malformed;
        }

        try
        {
            if (version != LatestVersion)
            {
                return KexRngError.UnknownVersion;
            }

            if (secret is not { Length: SecretSize } || buffer is not { Length: OutputSize })
            {
                return KexRngError.Malformed;
            }

            var restored = new KexRng(secret, counter);
            if (!CryptographicOperations.FixedTimeEquals(restored._buffer, buffer))
            {
                restored.Dispose();
                return KexRngError.Malformed;
            }

            rng = restored;
            return KexRngError.None;
        }
        finally
        {
            if (secret is not null)
            {
                CryptographicOperations.ZeroMemory(secret);
            }
        }
    }

    /// <summary>Wipes the secret.</summary>
    public void Dispose() => _secret.Dispose();

    /// <summary>Reveals nothing secret.</summary>
    public override string ToString() => $"KexRng(v{Version}, index {Index})";
}

/// <summary>The public half of a KexRng: <c>kex_rng.KexRngPubkey { bytes pubkey = 1; uint32 version = 2; }</c>.</summary>
/// <param name="PublicKey">The compressed egress public key of the ingest enclave.</param>
/// <param name="Version">The KexRng version (0).</param>
public sealed record KexRngPubkey(ReadOnlyMemory<byte> PublicKey, uint Version)
{
    /// <inheritdoc />
    public bool Equals(KexRngPubkey? other) =>
        other is not null && Version == other.Version && PublicKey.Span.SequenceEqual(other.PublicKey.Span);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Version, PublicKey.Length > 4 ? BinaryPrimitives.ReadInt32LittleEndian(PublicKey.Span) : 0);
}

/// <summary>Why a KexRng could not be built.</summary>
public enum KexRngError
{
    /// <summary>No error.</summary>
    None,

    /// <summary>The version is not one this code implements.</summary>
    UnknownVersion,

    /// <summary>The public key is not a valid ristretto255 point.</summary>
    InvalidPublicKey,

    /// <summary>The stored form is not valid (encoding, lengths, or a buffer that does not match the secret and counter).</summary>
    Malformed,
}
