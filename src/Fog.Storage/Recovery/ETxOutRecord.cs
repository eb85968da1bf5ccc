namespace Fog.Storage.Recovery;

/// <summary>
/// One encrypted TxOut record as ingest writes it and view loads it: a 16-byte search key (the recipient's
/// next KexRng output) and a payload (the crypto-box encryption of a <c>TxOutRecord</c> to the recipient).
/// The recovery DB treats both as opaque bytes; <see cref="IngestedBlockData"/> defines how a block's
/// records are stored.
/// </summary>
public sealed class ETxOutRecord : IEquatable<ETxOutRecord>
{
    /// <summary>Size of a search key.</summary>
    public const int SearchKeySize = 16;

    /// <summary>A record from a search key and a payload (neither is copied).</summary>
    /// <exception cref="ArgumentException"><paramref name="searchKey"/> is not <see cref="SearchKeySize"/> bytes.</exception>
    public ETxOutRecord(ReadOnlyMemory<byte> searchKey, ReadOnlyMemory<byte> payload)
    {
        if (searchKey.Length != SearchKeySize)
        {
            throw new ArgumentException($"A search key is {SearchKeySize} bytes, got {searchKey.Length}.", nameof(searchKey));
        }

        SearchKey = searchKey;
        Payload = payload;
    }

    /// <summary>The 16-byte search key.</summary>
    public ReadOnlyMemory<byte> SearchKey { get; }

    /// <summary>The encrypted <c>TxOutRecord</c>.</summary>
    public ReadOnlyMemory<byte> Payload { get; }

    /// <inheritdoc />
    public bool Equals(ETxOutRecord? other) =>
        other is not null && SearchKey.Span.SequenceEqual(other.SearchKey.Span) && Payload.Span.SequenceEqual(other.Payload.Span);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ETxOutRecord);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(SearchKey.Span);
        hash.Add(Payload.Length);
        return hash.ToHashCode();
    }

    /// <summary>Shows sizes only: search keys and payloads are never printed.</summary>
    public override string ToString() => $"ETxOutRecord(payload {Payload.Length} bytes)";
}
