using System.Buffers.Binary;
using System.Text;
using Fog.Crypto.Merlin;

namespace Fog.Crypto.Digestible;

/// <summary>
/// MobileCoin's "digestible" structural hashing: values are appended to a Merlin transcript as an AST of
/// primitives, aggregates, sequences, variants and nones, each framed by its context (field name). This type
/// writes the nodes; model types decide their own shape (field order, names, omission rules).
/// </summary>
/// <remarks>
/// Struct fields use "allow omit" semantics: an absent optional, an empty sequence, empty bytes and an empty
/// string append nothing, unless the field is marked never-omit. Integers are never omitted.
/// </remarks>
public sealed class DigestTranscript
{
    /// <summary>The Merlin label of <see cref="Digest32"/> transcripts.</summary>
    public static ReadOnlySpan<byte> DigestibleLabel => "digestible"u8;

    private readonly MerlinTranscript _transcript;

    /// <summary>A transcript for <c>digest32</c> (Merlin label "digestible").</summary>
    public DigestTranscript()
        : this(new MerlinTranscript(DigestibleLabel))
    {
    }

    /// <summary>Writes digestible nodes onto an existing transcript (for digests that label their own transcript).</summary>
    public DigestTranscript(MerlinTranscript transcript)
    {
        ArgumentNullException.ThrowIfNull(transcript);
        _transcript = transcript;
    }

    /// <summary>The underlying Merlin transcript.</summary>
    public MerlinTranscript Transcript => _transcript;

    /// <summary>
    /// <c>obj.digest32::&lt;MerlinTranscript&gt;(context)</c>: a "digestible" transcript, the object appended
    /// under <paramref name="context"/>, then 32 challenge bytes labelled "digest32".
    /// </summary>
    public static byte[] Digest32(ReadOnlySpan<byte> context, IDigestible value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var transcript = new DigestTranscript();
        value.AppendTo(context, transcript);
        return transcript.ExtractDigest();
    }

    /// <summary>32 challenge bytes labelled "digest32" (Merlin's <c>extract_digest</c>).</summary>
    public byte[] ExtractDigest()
    {
        var digest = new byte[32];
        _transcript.ChallengeBytes("digest32"u8, digest);
        return digest;
    }

    /// <summary>A primitive node: (context, "prim") then (type name, data).</summary>
    public void AppendPrimitive(ReadOnlySpan<byte> context, ReadOnlySpan<byte> typeName, ReadOnlySpan<byte> data)
    {
        _transcript.AppendMessage(context, "prim"u8);
        _transcript.AppendMessage(typeName, data);
    }

    /// <summary>An aggregate's header: (context, "agg") then ("name", type name).</summary>
    public void AppendAggregateHeader(ReadOnlySpan<byte> context, ReadOnlySpan<byte> name)
    {
        _transcript.AppendMessage(context, "agg"u8);
        _transcript.AppendMessage("name"u8, name);
    }

    /// <summary>An aggregate's closer: (context, "agg-end") then ("name", type name).</summary>
    public void AppendAggregateCloser(ReadOnlySpan<byte> context, ReadOnlySpan<byte> name)
    {
        _transcript.AppendMessage(context, "agg-end"u8);
        _transcript.AppendMessage("name"u8, name);
    }

    /// <summary>A sequence's header: (context, "seq") then ("len", u64 LE); elements follow with an empty context.</summary>
    public void AppendSequenceHeader(ReadOnlySpan<byte> context, ulong length)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, length);
        _transcript.AppendMessage(context, "seq"u8);
        _transcript.AppendMessage("len"u8, bytes);
    }

    /// <summary>A variant's header: (context, "var"), ("name", enum name), ("which", u32 LE); the value follows under the variant's name.</summary>
    public void AppendVariantHeader(ReadOnlySpan<byte> context, ReadOnlySpan<byte> name, uint which)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, which);
        _transcript.AppendMessage(context, "var"u8);
        _transcript.AppendMessage("name"u8, name);
        _transcript.AppendMessage("which"u8, bytes);
    }

    /// <summary>A none node: (context, "").</summary>
    public void AppendNone(ReadOnlySpan<byte> context) => _transcript.AppendMessage(context, ""u8);

    /// <summary>A <c>u64</c>/<c>usize</c> primitive ("uint", 8 bytes LE).</summary>
    public void AppendUInt64(ReadOnlySpan<byte> context, ulong value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        AppendPrimitive(context, "uint"u8, bytes);
    }

    /// <summary>A <c>u32</c> primitive ("uint", 4 bytes LE).</summary>
    public void AppendUInt32(ReadOnlySpan<byte> context, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        AppendPrimitive(context, "uint"u8, bytes);
    }

    /// <summary>A <c>u16</c> primitive ("uint", 2 bytes LE).</summary>
    public void AppendUInt16(ReadOnlySpan<byte> context, ushort value)
    {
        Span<byte> bytes = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, value);
        AppendPrimitive(context, "uint"u8, bytes);
    }

    /// <summary>An <c>i64</c> primitive ("int", 8 bytes LE).</summary>
    public void AppendInt64(ReadOnlySpan<byte> context, long value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        AppendPrimitive(context, "int"u8, bytes);
    }

    /// <summary>An <c>i32</c> primitive ("int", 4 bytes LE).</summary>
    public void AppendInt32(ReadOnlySpan<byte> context, int value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
        AppendPrimitive(context, "int"u8, bytes);
    }

    /// <summary>An <c>i8</c> primitive ("int", 1 byte).</summary>
    public void AppendInt8(ReadOnlySpan<byte> context, sbyte value) => AppendPrimitive(context, "int"u8, [unchecked((byte)value)]);

    /// <summary>A <c>bool</c> primitive ("bool", one byte 0 or 1).</summary>
    public void AppendBool(ReadOnlySpan<byte> context, bool value) => AppendPrimitive(context, "bool"u8, [value ? (byte)1 : (byte)0]);

    /// <summary>A byte-string primitive ("bytes").</summary>
    public void AppendBytes(ReadOnlySpan<byte> context, ReadOnlySpan<byte> value) => AppendPrimitive(context, "bytes"u8, value);

    /// <summary>A string primitive ("str", UTF-8).</summary>
    public void AppendString(ReadOnlySpan<byte> context, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        AppendPrimitive(context, "str"u8, Encoding.UTF8.GetBytes(value));
    }

    /// <summary>A compressed ristretto point primitive ("ristretto").</summary>
    public void AppendRistretto(ReadOnlySpan<byte> context, ReadOnlySpan<byte> compressedPoint) =>
        AppendPrimitive(context, "ristretto"u8, compressedPoint);

    /// <summary>A scalar primitive ("scalar").</summary>
    public void AppendScalar(ReadOnlySpan<byte> context, ReadOnlySpan<byte> scalar) => AppendPrimitive(context, "scalar"u8, scalar);

    /// <summary>An Ed25519 public key primitive ("ed25519").</summary>
    public void AppendEd25519(ReadOnlySpan<byte> context, ReadOnlySpan<byte> publicKey) => AppendPrimitive(context, "ed25519"u8, publicKey);

    /// <summary>Struct-field form of bytes: nothing when empty.</summary>
    public void AppendBytesAllowOmit(ReadOnlySpan<byte> context, ReadOnlySpan<byte> value)
    {
        if (!value.IsEmpty)
        {
            AppendBytes(context, value);
        }
    }

    /// <summary>Struct-field form of a string: nothing when empty.</summary>
    public void AppendStringAllowOmit(ReadOnlySpan<byte> context, string value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            AppendString(context, value);
        }
    }

    /// <summary>
    /// A sequence outside a struct (or a non-empty one inside): header and elements, or a none node when empty.
    /// </summary>
    public void AppendSequence<T>(ReadOnlySpan<byte> context, IReadOnlyList<T> items)
        where T : IDigestible
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count == 0)
        {
            AppendNone(context);
            return;
        }

        AppendSequenceHeader(context, (ulong)items.Count);
        foreach (var item in items)
        {
            item.AppendTo(""u8, this);
        }
    }

    /// <summary>Struct-field form of a sequence: nothing when empty.</summary>
    public void AppendSequenceAllowOmit<T>(ReadOnlySpan<byte> context, IReadOnlyList<T> items)
        where T : IDigestible
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count > 0)
        {
            AppendSequence(context, items);
        }
    }
}

/// <summary>A value with a digestible AST (MobileCoin's <c>Digestible</c> trait).</summary>
public interface IDigestible
{
    /// <summary>Appends this value's nodes under <paramref name="context"/>.</summary>
    void AppendTo(ReadOnlySpan<byte> context, DigestTranscript transcript);
}
