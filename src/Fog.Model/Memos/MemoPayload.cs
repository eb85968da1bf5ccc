using System.Buffers.Binary;
using System.Security.Cryptography;
using Fog.Crypto.Symmetric;

namespace Fog.Model.Memos;

/// <summary>
/// A TxOut memo: a 2-byte type and 64 bytes of data (66 bytes), encrypted in the TxOut with AES-256-CTR (64-bit
/// counter) under a key and IV from HKDF-SHA512(salt "mc-memo-okm", ikm = TxOut shared secret).
/// </summary>
public sealed class MemoPayload
{
    /// <summary>Size of the type field.</summary>
    public const int TypeSize = 2;

    /// <summary>Size of the data field.</summary>
    public const int DataSize = 64;

    /// <summary>Size of a payload, and of an encrypted memo.</summary>
    public const int Size = TypeSize + DataSize;

    private readonly byte[] _bytes;

    /// <summary>A payload from its type and 64 data bytes.</summary>
    public MemoPayload(MemoType type, ReadOnlySpan<byte> data)
    {
        if (data.Length != DataSize)
        {
            throw new ArgumentException($"Memo data is {DataSize} bytes.", nameof(data));
        }

        _bytes = new byte[Size];
        BinaryPrimitives.WriteUInt16BigEndian(_bytes, (ushort)type);
        data.CopyTo(_bytes.AsSpan(TypeSize));
    }

    private MemoPayload(byte[] bytes) => _bytes = bytes;

    /// <summary>The unused memo: all 66 bytes zero.</summary>
    public static MemoPayload Unused => new(new byte[Size]);

    /// <summary>The memo type (the first two bytes, big-endian).</summary>
    public MemoType Type => (MemoType)BinaryPrimitives.ReadUInt16BigEndian(_bytes);

    /// <summary>The 64 data bytes.</summary>
    public ReadOnlySpan<byte> Data => _bytes.AsSpan(TypeSize);

    /// <summary>The 66 payload bytes.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>A payload from its 66 bytes.</summary>
    public static MemoPayload FromBytes(ReadOnlySpan<byte> bytes) =>
        bytes.Length == Size ? new MemoPayload(bytes.ToArray()) : throw new ArgumentException($"A memo payload is {Size} bytes.", nameof(bytes));

    /// <summary>The 66-byte encrypted memo for a TxOut with shared secret S.</summary>
    public byte[] Encrypt(ReadOnlySpan<byte> sharedSecret)
    {
        var output = new byte[Size];
        ApplyKeystream(sharedSecret, _bytes, output);
        return output;
    }

    /// <summary>Decrypts a TxOut's 66-byte encrypted memo with its shared secret S.</summary>
    public static MemoPayload Decrypt(ReadOnlySpan<byte> sharedSecret, ReadOnlySpan<byte> encryptedMemo)
    {
        if (encryptedMemo.Length != Size)
        {
            throw new ArgumentException($"An encrypted memo is {Size} bytes.", nameof(encryptedMemo));
        }

        var output = new byte[Size];
        ApplyKeystream(sharedSecret, encryptedMemo, output);
        return new MemoPayload(output);
    }

    private static void ApplyKeystream(ReadOnlySpan<byte> sharedSecret, ReadOnlySpan<byte> input, Span<byte> output)
    {
        Span<byte> okm = stackalloc byte[48];
        try
        {
            HKDF.DeriveKey(HashAlgorithmName.SHA512, sharedSecret, okm, "mc-memo-okm"u8, []);
            AesCtr64BE.Transform(okm[..32], okm[32..], input, output);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(okm);
        }
    }
}

/// <summary>Memo types (MCIP #3/#4 and later).</summary>
public enum MemoType : ushort
{
    /// <summary>No memo.</summary>
    Unused = 0x0000,

    /// <summary>Authenticated sender (category 1, with an HMAC).</summary>
    AuthenticatedSender = 0x0100,

    /// <summary>Authenticated sender with a payment request id.</summary>
    AuthenticatedSenderWithPaymentRequestId = 0x0101,

    /// <summary>Authenticated sender with a payment intent id.</summary>
    AuthenticatedSenderWithPaymentIntentId = 0x0102,

    /// <summary>Destination: written on the sender's change output, recording what was sent to whom.</summary>
    Destination = 0x0200,

    /// <summary>Destination with a payment request id.</summary>
    DestinationWithPaymentRequestId = 0x0203,

    /// <summary>Destination with a payment intent id.</summary>
    DestinationWithPaymentIntentId = 0x0204,
}
