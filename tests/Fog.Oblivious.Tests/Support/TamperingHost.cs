using Fog.Oblivious.Storage;

namespace Fog.Oblivious.Tests.Support;

/// <summary>An untrusted host that stores records faithfully but lets a test alter, swap or roll them back.</summary>
public sealed class TamperingHost : IUntrustedBucketStore
{
    private readonly HostMemoryBucketStore _inner;

    public TamperingHost(long recordCount, int recordSize)
    {
        _inner = new HostMemoryBucketStore(recordCount, recordSize);
        RecordCount = recordCount;
        RecordSize = recordSize;
    }

    public long RecordCount { get; }

    public int RecordSize { get; }

    public List<ulong> Reads { get; } = [];

    public Span<byte> Record(long index) => _inner.RecordSpan(index);

    public byte[] Snapshot(long index) => Record(index).ToArray();

    public void Restore(long index, byte[] snapshot) => snapshot.CopyTo(Record(index));

    public void Swap(long a, long b)
    {
        var x = Snapshot(a);
        Record(b).CopyTo(Record(a));
        x.CopyTo(Record(b));
    }

    public void Read(ReadOnlySpan<ulong> indices, Span<byte> destination)
    {
        Reads.AddRange(indices);
        _inner.Read(indices, destination);
    }

    public void Write(ReadOnlySpan<ulong> indices, ReadOnlySpan<byte> source) => _inner.Write(indices, source);

    public void Dispose() => _inner.Dispose();
}
