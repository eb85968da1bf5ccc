using Fog.Attestation.Channels;
using Fog.Oblivious.Storage;

namespace Fog.Enclaves.View;

/// <summary>Settings of a view enclave. Every setting has its default here and is checked by <see cref="Validate"/>.</summary>
public sealed record ViewEnclaveOptions
{
    /// <summary>The reference's default map capacity (<c>--omap-capacity</c>): 2^20 records.</summary>
    public const ulong DefaultCapacity = 1UL << 20;

    /// <summary>Default cap on search keys per query: twice what reference clients send (500).</summary>
    public const int DefaultMaxSearchKeysPerQuery = 1000;

    /// <summary>
    /// Desired capacity of the oblivious map (default 2^20, as the reference). About 75 % of it can be filled before
    /// the map overflows; the server must then be restarted with a larger capacity.
    /// </summary>
    public ulong Capacity { get; init; } = DefaultCapacity;

    /// <summary>Most search keys one query may carry (default 1000); larger queries are refused with a clear error.</summary>
    public int MaxSearchKeysPerQuery { get; init; } = DefaultMaxSearchKeysPerQuery;

    /// <summary>Attested client sessions kept (least recently used evicted; default 10,000 as the reference).</summary>
    public int MaxSessions { get; init; } = AttestedResponderOptions.DefaultMaxSessions;

    /// <summary>
    /// Where the map's ORAM trees live: in memory (default), or untrusted memory below a trusted top, encrypted and
    /// authenticated. Tests attach an access trace here.
    /// </summary>
    public OramStorageOptions Storage { get; init; } = new();

    /// <summary>Checks the settings; throws <see cref="ArgumentException"/> naming the bad one.</summary>
    public void Validate()
    {
        if (Capacity is < 16 or > 1UL << 32)
        {
            throw new ArgumentException($"{nameof(Capacity)} must be between 16 and 2^32 records (got {Capacity}).", nameof(Capacity));
        }

        if (MaxSearchKeysPerQuery is < 1 or > 100_000)
        {
            throw new ArgumentException($"{nameof(MaxSearchKeysPerQuery)} must be between 1 and 100000 (got {MaxSearchKeysPerQuery}).", nameof(MaxSearchKeysPerQuery));
        }

        if (MaxSessions < 1)
        {
            throw new ArgumentException($"{nameof(MaxSessions)} must be at least 1 (got {MaxSessions}).", nameof(MaxSessions));
        }

        ArgumentNullException.ThrowIfNull(Storage, nameof(Storage));
    }
}
