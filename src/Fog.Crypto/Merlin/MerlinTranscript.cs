using System.Buffers.Binary;

namespace Fog.Crypto.Merlin;

/// <summary>
/// A Merlin transcript (merlin 3.0, "Merlin v1.0"): a STROBE-128 sponge with length-framed labelled
/// messages. MobileCoin uses it for digestible hashing, Schnorrkel signatures and several digests.
/// </summary>
public sealed class MerlinTranscript
{
    private readonly Strobe128 _strobe;

    /// <summary>A new transcript with the application's domain-separation label.</summary>
    public MerlinTranscript(ReadOnlySpan<byte> label)
    {
        _strobe = new Strobe128("Merlin v1.0"u8);
        AppendMessage("dom-sep"u8, label);
    }

    private MerlinTranscript(Strobe128 strobe) => _strobe = strobe;

    /// <summary>An independent copy of this transcript, at its current state.</summary>
    public MerlinTranscript Clone() => new(_strobe.Clone());

    /// <summary>Appends a labelled message.</summary>
    public void AppendMessage(ReadOnlySpan<byte> label, ReadOnlySpan<byte> message)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(length, checked((uint)message.Length));
        _strobe.MetaAd(label, more: false);
        _strobe.MetaAd(length, more: true);
        _strobe.Ad(message, more: false);
    }

    /// <summary>Appends a labelled 64-bit integer (little-endian).</summary>
    public void AppendUInt64(ReadOnlySpan<byte> label, ulong value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        AppendMessage(label, bytes);
    }

    /// <summary>Fills <paramref name="output"/> with challenge bytes bound to everything appended so far.</summary>
    public void ChallengeBytes(ReadOnlySpan<byte> label, Span<byte> output)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(length, checked((uint)output.Length));
        _strobe.MetaAd(label, more: false);
        _strobe.MetaAd(length, more: true);
        _strobe.Prf(output, more: false);
    }

    /// <summary>Starts a transcript-bound RNG (Merlin's <c>build_rng</c>); the transcript itself is unchanged.</summary>
    public TranscriptRngBuilder BuildRng() => new(_strobe.Clone());
}

/// <summary>Builds a <see cref="TranscriptRng"/>: rekey with secret witnesses, then finalize with external randomness.</summary>
public sealed class TranscriptRngBuilder
{
    private readonly Strobe128 _strobe;

    internal TranscriptRngBuilder(Strobe128 strobe) => _strobe = strobe;

    /// <summary>Mixes secret witness bytes into the RNG state.</summary>
    public TranscriptRngBuilder RekeyWithWitnessBytes(ReadOnlySpan<byte> label, ReadOnlySpan<byte> witness)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(length, checked((uint)witness.Length));
        _strobe.MetaAd(label, more: false);
        _strobe.MetaAd(length, more: true);
        _strobe.Key(witness, more: false);
        return this;
    }

    /// <summary>Mixes 32 bytes drawn from <paramref name="randomBytes"/> and returns the RNG.</summary>
    public TranscriptRng Finalize(ReadOnlySpan<byte> randomBytes)
    {
        if (randomBytes.Length != 32)
        {
            throw new ArgumentException("Merlin's RNG finalisation takes 32 random bytes.", nameof(randomBytes));
        }

        _strobe.MetaAd("rng"u8, more: false);
        _strobe.Key(randomBytes, more: false);
        return new TranscriptRng(_strobe);
    }
}

/// <summary>An RNG bound to a transcript, its secret witnesses and external randomness.</summary>
public sealed class TranscriptRng
{
    private readonly Strobe128 _strobe;

    internal TranscriptRng(Strobe128 strobe) => _strobe = strobe;

    /// <summary>Fills <paramref name="output"/> with pseudo-random bytes.</summary>
    public void FillBytes(Span<byte> output)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(length, checked((uint)output.Length));
        _strobe.MetaAd(length, more: false);
        _strobe.Prf(output, more: false);
    }

    /// <summary>Wipes the RNG state.</summary>
    public void Clear() => _strobe.Clear();
}
