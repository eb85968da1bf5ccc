using System.Diagnostics.CodeAnalysis;

namespace Fog.Attestation.Channels;

/// <summary>
/// A bounded table of channels keyed by channel id. Adding beyond the capacity evicts (and disposes)
/// the least recently used channel; a successful lookup counts as a use. Thread-safe.
/// </summary>
internal sealed class SessionTable : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<byte[], LinkedListNode<AttestedChannel>> _byId = new(ChannelIdComparer.Instance);
    private readonly Dictionary<byte[], LinkedListNode<AttestedChannel>>.AlternateLookup<ReadOnlySpan<byte>> _bySpan;
    private readonly LinkedList<AttestedChannel> _recency = new();

    public SessionTable(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _bySpan = _byId.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    public int Capacity { get; }

    public long Evictions { get; private set; }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _byId.Count;
            }
        }
    }

    /// <summary>Adds a channel as the most recently used; evicts the least recently used one if full.</summary>
    public void Add(AttestedChannel channel)
    {
        AttestedChannel? evicted = null;
        lock (_lock)
        {
            var key = channel.ChannelId.ToArray();
            if (_byId.Remove(key, out var existing))
            {
                // A repeated handshake hash is practically impossible; replace rather than keep two.
                _recency.Remove(existing);
                evicted = existing.Value;
            }
            else if (_byId.Count >= Capacity)
            {
                var oldest = _recency.Last!;
                _recency.RemoveLast();
                _byId.Remove(oldest.Value.ChannelId.ToArray());
                evicted = oldest.Value;
                Evictions++;
            }

            _byId.Add(key, _recency.AddFirst(channel));
        }

        evicted?.Dispose();
    }

    public bool TryGet(ReadOnlySpan<byte> channelId, [NotNullWhen(true)] out AttestedChannel? channel)
    {
        lock (_lock)
        {
            if (!_bySpan.TryGetValue(channelId, out var node))
            {
                channel = null;
                return false;
            }

            _recency.Remove(node);
            _recency.AddFirst(node);
            channel = node.Value;
            return true;
        }
    }

    public bool Remove(ReadOnlySpan<byte> channelId)
    {
        AttestedChannel? removed = null;
        lock (_lock)
        {
            if (_bySpan.Remove(channelId, out _, out var node))
            {
                _recency.Remove(node);
                removed = node.Value;
            }
        }

        removed?.Dispose();
        return removed is not null;
    }

    public void Dispose()
    {
        List<AttestedChannel> all;
        lock (_lock)
        {
            all = [.. _recency];
            _recency.Clear();
            _byId.Clear();
        }

        foreach (var channel in all)
        {
            channel.Dispose();
        }
    }

    /// <summary>Byte-wise equality; hashing uses the process-randomized <see cref="HashCode"/>, so attacker-chosen ids cannot force collisions.</summary>
    private sealed class ChannelIdComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        public static readonly ChannelIdComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => GetHashCode(obj.AsSpan());

        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<byte> alternate)
        {
            var hash = new HashCode();
            hash.AddBytes(alternate);
            return hash.ToHashCode();
        }

        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
    }
}
