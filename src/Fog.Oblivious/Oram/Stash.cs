using Fog.Oblivious.Memory;
using Fog.Oblivious.Storage;

namespace Fog.Oblivious.Oram;

/// <summary>
/// The ORAM stash: a fixed number of value slots with the same metadata layout as bucket slots
/// (leaf u64, 0 = vacant; block index u64), scanned in full on every use.
/// </summary>
/// <remarks>Security: its occupancy is secret; every operation visits every slot.</remarks>
public readonly unsafe struct Stash
{
    internal Stash(AlignedBuffer data, AlignedBuffer meta, int size, int valueSize)
    {
        Data = data.Pointer;
        Meta = (ulong*)meta.Pointer;
        Size = size;
        ValueSize = valueSize;
    }

    /// <summary>Number of slots.</summary>
    public int Size { get; }

    /// <summary>Bytes per value.</summary>
    public int ValueSize { get; }

    /// <summary>Slot values, back to back.</summary>
    internal byte* Data { get; }

    /// <summary>Slot metadata, two words per slot.</summary>
    internal ulong* Meta { get; }

    /// <summary>Counts occupied slots. VarTime: the result is secret; for diagnostics and tests only.</summary>
    /// <returns>The occupancy.</returns>
    internal int VarTimeOccupancy()
    {
        var n = 0;
        for (var s = 0; s < Size; s++)
        {
            n += Meta[2 * s] != 0 ? 1 : 0;
        }

        return n;
    }

    /// <summary>Metadata words per slot.</summary>
    internal const int MetaWords = OramGeometry.SlotMetaSize / sizeof(ulong);
}
