namespace Fog.Oblivious.Maps;

/// <summary>
/// Status codes of oblivious map operations, with MobileCoin's numeric values (<c>OMAP_FOUND</c> = 0,
/// <c>OMAP_NOT_FOUND</c> = 1, <c>OMAP_OVERFLOW</c> = 2, <c>OMAP_INVALID_KEY</c> = 3). They are plain
/// <see cref="uint"/> constants rather than an enum so they can be selected with masks.
/// </summary>
public static class ObliviousMapStatus
{
    /// <summary>The key was present.</summary>
    public const uint Found = 0;

    /// <summary>The key was absent (for writes: it was absent and has been added).</summary>
    public const uint NotFound = 1;

    /// <summary>No room: the cuckoo insertion gave up and rolled back.</summary>
    public const uint Overflow = 2;

    /// <summary>The key was rejected: the all-zero key marks empty slots and is never valid.</summary>
    public const uint InvalidKey = 3;

    /// <summary>A readable name for a status code.</summary>
    /// <param name="status">A status code.</param>
    /// <returns>The name. VarTime: never call it on a secret status.</returns>
    public static string VarTimeName(uint status) => status switch
    {
        Found => "FOUND",
        NotFound => "NOT_FOUND",
        Overflow => "OVERFLOW",
        InvalidKey => "INVALID_KEY",
        _ => $"UNKNOWN({status})",
    };
}

/// <summary>Key and value sizes of a map; the three Fog shapes are predefined.</summary>
/// <param name="KeySize">Bytes per key.</param>
/// <param name="ValueSize">Bytes per value.</param>
public readonly record struct ObliviousMapShape(int KeySize, int ValueSize)
{
    /// <summary>Fog view: 16-byte search key, 240-byte encrypted TxOut record (4 pairs per 1 KiB bucket).</summary>
    public static ObliviousMapShape View => new(16, 240);

    /// <summary>Fog ingest: 32-byte shared secret, 8-byte RNG counter (25 pairs per bucket).</summary>
    public static ObliviousMapShape Ingest => new(32, 8);

    /// <summary>Fog ledger: 32-byte key image, 16-byte (block index, timestamp) (21 pairs per bucket).</summary>
    public static ObliviousMapShape KeyImage => new(32, 16);
}
