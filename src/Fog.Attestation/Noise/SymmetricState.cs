using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using NSec.Cryptography;

namespace Fog.Attestation.Noise;

/// <summary>
/// The Noise SymmetricState for SHA512 (spec §5.2, §12.5): chaining key <c>ck</c>, handshake hash
/// <c>h</c> (both 64 bytes) and a CipherState. HKDF is HMAC-SHA512 with an empty info string,
/// which is exactly Noise's HKDF(ck, ikm) with two outputs; a 64-byte output is truncated to the
/// 32-byte AES key.
/// </summary>
/// <remarks>
/// <c>ck</c> is secret. It lives in a pinned array (so the GC never copies it) and is wiped on
/// <see cref="Split"/> and on <see cref="Dispose"/>; the AES keys it yields live only inside
/// <see cref="AesGcm"/> instances.
/// </remarks>
internal sealed class SymmetricState : IDisposable
{
    public const int HashLength = 64;

    private readonly byte[] _ck = GC.AllocateArray<byte>(HashLength, pinned: true);
    private readonly byte[] _h = GC.AllocateArray<byte>(HashLength, pinned: true);
    private readonly NoiseCipherState _cipher = new();
    private readonly System.Security.Cryptography.IncrementalHash _hash = System.Security.Cryptography.IncrementalHash.CreateHash(HashAlgorithmName.SHA512);

    public SymmetricState(string protocolName)
    {
        var name = Encoding.ASCII.GetBytes(protocolName);
        if (name.Length <= HashLength)
        {
            name.CopyTo(_h, 0);
        }
        else
        {
            SHA512.HashData(name, _h);
        }

        _h.CopyTo(_ck, 0);
    }

    public ReadOnlySpan<byte> HandshakeHash => _h;

    public bool HasKey => _cipher.HasKey;

    public void MixHash(ReadOnlySpan<byte> data)
    {
        _hash.AppendData(_h);
        _hash.AppendData(data);
        _hash.GetHashAndReset(_h);
    }

    /// <summary>MixKey with a Diffie-Hellman result that stays inside libsodium's guarded memory.</summary>
    public void MixKey(SharedSecret dh)
    {
        Span<byte> output = stackalloc byte[2 * HashLength];
        try
        {
            KeyDerivationAlgorithm.HkdfSha512.DeriveBytes(dh, _ck, ReadOnlySpan<byte>.Empty, output);
            output[..HashLength].CopyTo(_ck);
            _cipher.InitializeKey(output.Slice(HashLength, NoiseCipherState.KeySizeInBytes));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(output);
        }
    }

    public byte[] EncryptAndHash(ReadOnlySpan<byte> plaintext)
    {
        var ciphertext = _cipher.EncryptWithAd(_h, plaintext);
        MixHash(ciphertext);
        return ciphertext;
    }

    public bool TryDecryptAndHash(ReadOnlySpan<byte> ciphertext, [NotNullWhen(true)] out byte[]? plaintext)
    {
        if (!_cipher.TryDecryptWithAd(_h, ciphertext, out plaintext))
        {
            return false;
        }

        MixHash(ciphertext);
        return true;
    }

    /// <summary>Split: the initiator-to-responder and responder-to-initiator cipher states.</summary>
    public (NoiseCipherState InitiatorToResponder, NoiseCipherState ResponderToInitiator) Split()
    {
        Span<byte> output = stackalloc byte[2 * HashLength];
        var first = new NoiseCipherState();
        var second = new NoiseCipherState();
        try
        {
            Hkdf(_ck, ReadOnlySpan<byte>.Empty, output);
            first.InitializeKey(output[..NoiseCipherState.KeySizeInBytes]);
            second.InitializeKey(output.Slice(HashLength, NoiseCipherState.KeySizeInBytes));
            return (first, second);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(output);
            CryptographicOperations.ZeroMemory(_ck);
        }
    }

    /// <summary>
    /// Noise's HKDF(chaining_key, input_key_material) with two 64-byte outputs, by hand: the library
    /// HKDFs refuse an empty input key material, which Split uses.
    /// </summary>
    private static void Hkdf(ReadOnlySpan<byte> chainingKey, ReadOnlySpan<byte> inputKeyMaterial, Span<byte> output)
    {
        Span<byte> tempKey = stackalloc byte[HashLength];
        Span<byte> block = stackalloc byte[HashLength + 1];
        try
        {
            HMACSHA512.HashData(chainingKey, inputKeyMaterial, tempKey);
            block[0] = 0x01;
            HMACSHA512.HashData(tempKey, block[..1], output[..HashLength]);
            output[..HashLength].CopyTo(block);
            block[HashLength] = 0x02;
            HMACSHA512.HashData(tempKey, block, output.Slice(HashLength, HashLength));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(tempKey);
            CryptographicOperations.ZeroMemory(block);
        }
    }

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_ck);
        _cipher.Dispose();
        _hash.Dispose();
    }
}
