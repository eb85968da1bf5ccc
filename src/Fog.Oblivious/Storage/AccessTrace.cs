namespace Fog.Oblivious.Storage;

/// <summary>What a storage event was.</summary>
public enum StorageAccessKind
{
    /// <summary>A branch was checked out (read).</summary>
    Checkout,

    /// <summary>A branch was checked in (written back).</summary>
    Checkin,

    /// <summary>A linear-scan position map read and rewrote every entry.</summary>
    LinearScan,
}

/// <summary>One storage event as an observer outside the trusted boundary could see it.</summary>
/// <param name="StorageId">Which storage (see <see cref="AccessTrace.Storages"/>).</param>
/// <param name="Kind">Checkout, checkin or full scan.</param>
/// <param name="Leaf">The branch's leaf (node index); 0 for a linear scan.</param>
/// <param name="BucketCount">Buckets (or, for a scan, entries) touched.</param>
/// <param name="UntrustedBucketCount">How many of those buckets went to untrusted memory.</param>
public readonly record struct StorageAccess(int StorageId, StorageAccessKind Kind, ulong Leaf, int BucketCount, int UntrustedBucketCount);

/// <summary>A storage registered with a trace.</summary>
/// <param name="Id">Its id in events.</param>
/// <param name="Label">A readable name, e.g. <c>table1</c> or <c>table1/pos</c>.</param>
/// <param name="Geometry">Its tree shape (for a linear scan: height of the ORAM it maps, Z and value size 0).</param>
public readonly record struct TracedStorage(int Id, string Label, OramGeometry Geometry);

/// <summary>
/// Records every storage access (which storage, which branch, how many buckets) so tests can check that
/// the access pattern is the same whatever the secret inputs, and benchmarks can count the bytes one
/// operation must touch.
/// </summary>
/// <remarks>
/// Recording is off unless a trace is passed in the storage options. Not thread-safe. Security: the
/// trace holds exactly what untrusted memory and a page-level observer would see anyway; never attach
/// one in production, since keeping it grows memory without bound.
/// </remarks>
public sealed class AccessTrace
{
    private readonly List<StorageAccess> _events = [];
    private readonly List<TracedStorage> _storages = [];

    /// <summary>Recorded events, oldest first.</summary>
    public IReadOnlyList<StorageAccess> Events => _events;

    /// <summary>Registered storages, by id.</summary>
    public IReadOnlyList<TracedStorage> Storages => _storages;

    /// <summary>Whether events are currently recorded (storages register either way).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Forgets recorded events (registered storages stay).</summary>
    public void Clear() => _events.Clear();

    /// <summary>The id of the first storage whose label is <paramref name="label"/>.</summary>
    /// <param name="label">The label.</param>
    /// <returns>The id.</returns>
    /// <exception cref="KeyNotFoundException">No storage has that label.</exception>
    public int IdOf(string label)
    {
        foreach (var s in _storages)
        {
            if (s.Label == label)
            {
                return s.Id;
            }
        }

        throw new KeyNotFoundException($"No storage labelled '{label}'.");
    }

    internal int Register(string label, OramGeometry geometry)
    {
        var id = _storages.Count;
        _storages.Add(new TracedStorage(id, label, geometry));
        return id;
    }

    internal void Record(in StorageAccess access)
    {
        if (Enabled)
        {
            _events.Add(access);
        }
    }
}
