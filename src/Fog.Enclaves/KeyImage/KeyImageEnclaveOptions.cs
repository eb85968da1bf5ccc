using Fog.Attestation.Channels;
using Fog.Oblivious.Storage;

namespace Fog.Enclaves.KeyImage;

/// <summary>Settings of a key-image enclave. Every setting has its default here and is checked by <see cref="Validate"/>.</summary>
public sealed record KeyImageEnclaveOptions
{
    /// <summary>The reference's default map capacity (<c>--omap-capacity</c>): 2^20 key images.</summary>
    public const ulong DefaultCapacity = 1UL << 20;

    /// <summary>Default cap on key images per query: ten times what reference clients send (100).</summary>
    public const int DefaultMaxKeyImagesPerQuery = 1000;

    /// <summary>
    /// Desired capacity of the oblivious map (default 2^20, as the reference). About 75 % of it can be filled; the
    /// server must then be restarted with a larger capacity.
    /// </summary>
    public ulong Capacity { get; init; } = DefaultCapacity;

    /// <summary>Most key images one query may carry (default 1000); larger queries are refused with a clear error.</summary>
    public int MaxKeyImagesPerQuery { get; init; } = DefaultMaxKeyImagesPerQuery;

    /// <summary>Attested client sessions kept (least recently used evicted; default 10,000 as the reference).</summary>
    public int MaxSessions { get; init; } = AttestedResponderOptions.DefaultMaxSessions;

    /// <summary>Where the map's ORAM trees live (default in memory). Tests attach an access trace here.</summary>
    public OramStorageOptions Storage { get; init; } = new();

    /// <summary>Checks the settings; throws <see cref="ArgumentException"/> naming the bad one.</summary>
    public void Validate()
    {
        if (Capacity is < 64 or > 1UL << 34)
        {
            throw new ArgumentException($"{nameof(Capacity)} must be between 64 and 2^34 key images (got {Capacity}).", nameof(Capacity));
        }

        if (MaxKeyImagesPerQuery is < 1 or > 100_000)
        {
            throw new ArgumentException($"{nameof(MaxKeyImagesPerQuery)} must be between 1 and 100000 (got {MaxKeyImagesPerQuery}).", nameof(MaxKeyImagesPerQuery));
        }

        if (MaxSessions < 1)
        {
            throw new ArgumentException($"{nameof(MaxSessions)} must be at least 1 (got {MaxSessions}).", nameof(MaxSessions));
        }

        ArgumentNullException.ThrowIfNull(Storage, nameof(Storage));
    }
}
