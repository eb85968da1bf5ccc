using Fog.Oblivious.Memory;

namespace Fog.Oblivious.Storage;

/// <summary>
/// The host side of untrusted ORAM storage: fixed-size opaque records addressed by index, read and
/// written in batches (one batch per branch, as Fog's checkout/checkin OCALLs).
/// </summary>
/// <remarks>
/// Security: nothing here is trusted. Records are ciphertext and tag; the trusted side authenticates
/// everything it reads. An implementation may return anything; wrong data is detected, not believed.
/// </remarks>
public interface IUntrustedBucketStore : IDisposable
{
    /// <summary>Copies the records at <paramref name="indices"/> into <paramref name="destination"/>, back to back.</summary>
    /// <param name="indices">Record indices.</param>
    /// <param name="destination">indices.Length × record size bytes.</param>
    void Read(ReadOnlySpan<ulong> indices, Span<byte> destination);

    /// <summary>Stores the records in <paramref name="source"/> at <paramref name="indices"/>.</summary>
    /// <param name="indices">Record indices.</param>
    /// <param name="source">indices.Length × record size bytes.</param>
    void Write(ReadOnlySpan<ulong> indices, ReadOnlySpan<byte> source);
}

/// <summary>Untrusted records kept in ordinary process memory (the default host).</summary>
public sealed unsafe class HostMemoryBucketStore : IUntrustedBucketStore
{
    private readonly AlignedBuffer _memory;
    private readonly int _recordSize;

    /// <summary>Allocates zeroed space for <paramref name="recordCount"/> records.</summary>
    /// <param name="recordCount">Number of records.</param>
    /// <param name="recordSize">Bytes per record.</param>
    /// <param name="prefault">Touch every page now.</param>
    public HostMemoryBucketStore(long recordCount, int recordSize, bool prefault = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(recordCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(recordSize, 1);
        RecordCount = recordCount;
        _recordSize = recordSize;
        _memory = new AlignedBuffer((nuint)recordCount * (nuint)recordSize, prefault);
    }

    /// <summary>Number of records.</summary>
    public long RecordCount { get; }

    /// <summary>Direct view of one record (for tests that play the host).</summary>
    /// <param name="index">Record index.</param>
    /// <returns>The record's bytes.</returns>
    public Span<byte> RecordSpan(long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, RecordCount);
        return new Span<byte>(_memory.Pointer + ((nuint)index * (nuint)_recordSize), _recordSize);
    }

    /// <inheritdoc />
    public void Read(ReadOnlySpan<ulong> indices, Span<byte> destination)
    {
        for (var i = 0; i < indices.Length; i++)
        {
            RecordSpan((long)indices[i]).CopyTo(destination.Slice(i * _recordSize, _recordSize));
        }
    }

    /// <inheritdoc />
    public void Write(ReadOnlySpan<ulong> indices, ReadOnlySpan<byte> source)
    {
        for (var i = 0; i < indices.Length; i++)
        {
            source.Slice(i * _recordSize, _recordSize).CopyTo(RecordSpan((long)indices[i]));
        }
    }

    /// <inheritdoc />
    public void Dispose() => _memory.Dispose();
}
