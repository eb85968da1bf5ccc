using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Fog.Crypto.Digestible;
using Fog.Crypto.Hashing;
using Fog.Crypto.Ristretto;
using Fog.Model.Encoding;
using Google.Protobuf;

namespace Fog.Model.Transactions;

/// <summary>A ring member as the MLSAG sees it: the one-time target key P and the amount commitment Z.</summary>
/// <param name="TargetKey">The member's compressed target key.</param>
/// <param name="Commitment">The member's compressed amount commitment.</param>
public readonly record struct RingMember(ReadOnlyMemory<byte> TargetKey, ReadOnlyMemory<byte> Commitment);

/// <summary>
/// MobileCoin's RingMLSAG (<c>external.RingMLSAG</c>): a two-column linkable ring signature proving knowledge of
/// the one-time key x of one member (P = x·G, with key image I = x·Hp(P)) and of the blinding difference between
/// that member's commitment and the pseudo-output commitment. The commitment column has no key-image term.
/// Challenges are Hs("mc_ring_mlsag_challenge" ‖ message ‖ I ‖ L0 ‖ R0 ‖ L1).
/// </summary>
public sealed class RingMlsag
{
    private readonly byte[] _cZero;
    private readonly byte[][] _responses;

    /// <summary>A signature from its fields.</summary>
    public RingMlsag(ReadOnlySpan<byte> cZero, IReadOnlyList<byte[]> responses, KeyImage keyImage)
    {
        ArgumentNullException.ThrowIfNull(responses);
        if (cZero.Length != 32 || responses.Any(r => r is not { Length: 32 }))
        {
            throw new ArgumentException("Challenges and responses are 32-byte scalars.");
        }

        _cZero = cZero.ToArray();
        _responses = responses.Select(r => (byte[])r.Clone()).ToArray();
        KeyImage = keyImage ?? throw new ArgumentNullException(nameof(keyImage));
    }

    /// <summary>The first challenge c₀.</summary>
    public ReadOnlySpan<byte> CZero => _cZero;

    /// <summary>The 2·n responses r₀,₀, r₀,₁, r₁,₀, … .</summary>
    public IReadOnlyList<byte[]> Responses => _responses;

    /// <summary>The key image of the spent output.</summary>
    public KeyImage KeyImage { get; }

    /// <summary>
    /// Signs <paramref name="message"/> for the member at <paramref name="realIndex"/>, whose one-time key is
    /// <paramref name="onetimePrivateKey"/> and whose commitment is value·H + inputBlinding·G; the pseudo-output
    /// commitment is value·H + outputBlinding·G.
    /// </summary>
    /// <exception cref="ArgumentException">The real member does not match the key or the value and blinding.</exception>
    public static RingMlsag Sign(
        ReadOnlySpan<byte> message,
        IReadOnlyList<RingMember> ring,
        int realIndex,
        RistrettoPrivate onetimePrivateKey,
        Amount amount,
        ReadOnlySpan<byte> inputBlinding,
        ReadOnlySpan<byte> outputBlinding)
    {
        ArgumentNullException.ThrowIfNull(ring);
        ArgumentNullException.ThrowIfNull(onetimePrivateKey);
        var n = ring.Count;
        if (realIndex < 0 || realIndex >= n)
        {
            throw new ArgumentOutOfRangeException(nameof(realIndex));
        }

        if (!onetimePrivateKey.PublicKey.Bytes.SequenceEqual(ring[realIndex].TargetKey.Span))
        {
            throw new ArgumentException("The one-time private key does not match the real ring member.", nameof(onetimePrivateKey));
        }

        Span<byte> check = stackalloc byte[32];
        PedersenGenerators.Commit(amount.Value, amount.TokenId, inputBlinding, check);
        if (!check.SequenceEqual(ring[realIndex].Commitment.Span))
        {
            throw new ArgumentException("The value and blinding do not open the real member's commitment.", nameof(amount));
        }

        var keyImage = KeyImage.FromOnetimePrivateKey(onetimePrivateKey);
        var outputCommitment = new byte[32];
        PedersenGenerators.Commit(amount.Value, amount.TokenId, outputBlinding, outputCommitment);

        var responses = new byte[2 * n][];
        for (var i = 0; i < responses.Length; i++)
        {
            responses[i] = new byte[32];
            if (i / 2 != realIndex)
            {
                Ristretto255.RandomScalar(responses[i]);
            }
        }

        Span<byte> alpha0 = stackalloc byte[32];
        Span<byte> alpha1 = stackalloc byte[32];
        Span<byte> challenge = stackalloc byte[32];
        Span<byte> l0 = stackalloc byte[32];
        Span<byte> r0 = stackalloc byte[32];
        Span<byte> l1 = stackalloc byte[32];
        Span<byte> hp = stackalloc byte[32];
        var cZero = new byte[32];
        try
        {
            Ristretto255.RandomScalar(alpha0);
            Ristretto255.RandomScalar(alpha1);
            for (var step = 0; step < n; step++)
            {
                var i = (realIndex + step) % n;
                OnetimeKeys.HashToPoint(ring[i].TargetKey.Span, hp);
                if (i == realIndex)
                {
                    Ristretto255.ScalarMultiplyBase(alpha0, l0);
                    Ristretto255.ScalarMultiply(alpha0, hp, r0);
                    Ristretto255.ScalarMultiplyBase(alpha1, l1);
                }
                else if (!RingTerms(challenge, responses[2 * i], responses[(2 * i) + 1], ring[i], hp, keyImage.Bytes, outputCommitment, l0, r0, l1))
                {
                    throw new ArgumentException($"Ring member {i} has a key or commitment that is not a valid point.", nameof(ring));
                }

                Challenge(message, keyImage.Bytes, l0, r0, l1, challenge);
                if ((i + 1) % n == 0)
                {
                    challenge.CopyTo(cZero);
                }
            }

            // challenge now holds c at the real index: close the ring.
            Span<byte> product = stackalloc byte[32];
            Span<byte> blindingDifference = stackalloc byte[32];
            onetimePrivateKey.MultiplyScalar(challenge, product);
            Ristretto255.ScalarSubtract(alpha0, product, responses[2 * realIndex]);
            Ristretto255.ScalarSubtract(outputBlinding, inputBlinding, blindingDifference);
            Ristretto255.ScalarMultiplyScalar(challenge, blindingDifference, product);
            Ristretto255.ScalarSubtract(alpha1, product, responses[(2 * realIndex) + 1]);
            CryptographicOperations.ZeroMemory(product);
            CryptographicOperations.ZeroMemory(blindingDifference);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(alpha0);
            CryptographicOperations.ZeroMemory(alpha1);
        }

        return new RingMlsag(cZero, responses, keyImage);
    }

    /// <summary>
    /// Verifies this signature over <paramref name="message"/> for <paramref name="ring"/> and the pseudo-output
    /// commitment. False for a wrong size, an invalid point or scalar, or a ring that does not close.
    /// </summary>
    public bool Verify(ReadOnlySpan<byte> message, IReadOnlyList<RingMember> ring, ReadOnlySpan<byte> pseudoOutputCommitment)
    {
        ArgumentNullException.ThrowIfNull(ring);
        var n = ring.Count;
        if (n == 0 || _responses.Length != 2 * n || !Ristretto255.IsCanonicalScalar(_cZero) ||
            _responses.Any(r => !Ristretto255.IsCanonicalScalar(r)) || !Ristretto255.IsValidPoint(KeyImage.Bytes) ||
            !Ristretto255.IsValidPoint(pseudoOutputCommitment))
        {
            return false;
        }

        Span<byte> challenge = stackalloc byte[32];
        Span<byte> l0 = stackalloc byte[32];
        Span<byte> r0 = stackalloc byte[32];
        Span<byte> l1 = stackalloc byte[32];
        Span<byte> hp = stackalloc byte[32];
        _cZero.CopyTo(challenge);
        for (var i = 0; i < n; i++)
        {
            if (ring[i].TargetKey.Length != 32 || ring[i].Commitment.Length != 32)
            {
                return false;
            }

            OnetimeKeys.HashToPoint(ring[i].TargetKey.Span, hp);
            if (!RingTerms(challenge, _responses[2 * i], _responses[(2 * i) + 1], ring[i], hp, KeyImage.Bytes, pseudoOutputCommitment, l0, r0, l1))
            {
                return false;
            }

            Challenge(message, KeyImage.Bytes, l0, r0, l1, challenge);
        }

        return CryptographicOperations.FixedTimeEquals(challenge, _cZero);
    }

    /// <summary>The <c>external.RingMLSAG</c> encoding.</summary>
    public byte[] ToProtobuf() => Proto.Write(s =>
    {
        Proto.Wrapped(s, 1, _cZero);
        foreach (var response in _responses)
        {
            Proto.Wrapped(s, 2, response);
        }

        Proto.Wrapped(s, 3, KeyImage.Bytes);
    });

    /// <summary>Parses an <c>external.RingMLSAG</c>.</summary>
    public static bool TryParseProtobuf(ReadOnlySpan<byte> encoded, [NotNullWhen(true)] out RingMlsag? signature)
    {
        signature = null;
        byte[]? cZero = null, keyImage = null;
        var responses = new List<byte[]>();
        var valid = true;
        var ok = Proto.TryRead(encoded, (field, wire, input) =>
        {
            if (wire != WireFormat.WireType.LengthDelimited || field is < 1 or > 3)
            {
                return false;
            }

            var data = Proto.UnwrapData(input.ReadBytes().Span);
            valid &= data is { Length: 32 };
            switch (field)
            {
                case 1:
                    cZero = data;
                    break;
                case 2:
                    responses.Add(data ?? []);
                    break;
                default:
                    keyImage = data;
                    break;
            }

            return true;
        });
        if (!ok || !valid || cZero is null || keyImage is null)
        {
            return false;
        }

        signature = new RingMlsag(cZero, responses, new KeyImage(keyImage));
        return true;
    }

    /// <summary>Digestible form: aggregate "RingMLSAG" { c_zero, responses, key_image }.</summary>
    internal void AppendTo(ReadOnlySpan<byte> context, DigestTranscript transcript)
    {
        transcript.AppendAggregateHeader(context, "RingMLSAG"u8);
        transcript.AppendScalar("c_zero"u8, _cZero);
        transcript.AppendSequenceHeader("responses"u8, (ulong)_responses.Length);
        foreach (var response in _responses)
        {
            transcript.AppendScalar(""u8, response);
        }

        transcript.AppendRistretto("key_image"u8, KeyImage.Bytes);
        transcript.AppendAggregateCloser(context, "RingMLSAG"u8);
    }

    // L0 = r0·G + c·P, R0 = r0·Hp(P) + c·I, L1 = r1·G + c·(pseudo − Z)
    private static bool RingTerms(
        ReadOnlySpan<byte> c,
        ReadOnlySpan<byte> response0,
        ReadOnlySpan<byte> response1,
        RingMember member,
        ReadOnlySpan<byte> hp,
        ReadOnlySpan<byte> keyImage,
        ReadOnlySpan<byte> pseudoOutput,
        Span<byte> l0,
        Span<byte> r0,
        Span<byte> l1)
    {
        Span<byte> a = stackalloc byte[32];
        Span<byte> b = stackalloc byte[32];
        Ristretto255.ScalarMultiplyBase(response0, a);
        if (!Ristretto255.TryScalarMultiply(c, member.TargetKey.Span, b) || !Ristretto255.TryAdd(a, b, l0))
        {
            return false;
        }

        Ristretto255.ScalarMultiply(response0, hp, a);
        if (!Ristretto255.TryScalarMultiply(c, keyImage, b) || !Ristretto255.TryAdd(a, b, r0))
        {
            return false;
        }

        Span<byte> difference = stackalloc byte[32];
        if (!Ristretto255.TrySubtract(pseudoOutput, member.Commitment.Span, difference))
        {
            return false;
        }

        Ristretto255.ScalarMultiplyBase(response1, a);
        return Ristretto255.TryScalarMultiply(c, difference, b) && Ristretto255.TryAdd(a, b, l1);
    }

    private static void Challenge(ReadOnlySpan<byte> message, ReadOnlySpan<byte> keyImage, ReadOnlySpan<byte> l0, ReadOnlySpan<byte> r0, ReadOnlySpan<byte> l1, Span<byte> challenge)
    {
        var hash = Blake2b.Create512();
        hash.Update("mc_ring_mlsag_challenge"u8);
        hash.Update(message);
        hash.Update(keyImage);
        hash.Update(l0);
        hash.Update(r0);
        hash.Update(l1);
        Span<byte> digest = stackalloc byte[64];
        hash.Finalize(digest);
        Ristretto255.ReduceWide(digest, challenge);
    }
}
