using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Fog.Crypto.Kex;
using Fog.Oblivious.Maps;
using Fog.Oblivious.Randomness;

namespace Fog.Enclaves.Ingest;

/// <summary>
/// The per-recipient KexRng counters of one egress key (the reference's <c>RngStore</c>): an oblivious map from the
/// shared secret S (with byte 0 inverted, so the all-zero secret of the identity point is a valid key) to a u64
/// counter. Each call returns the recipient's next output <c>KexRng.Prf(S, n)</c> and stores n + 1.
/// </summary>
/// <remarks>
/// Not thread-safe. After an overflow the store must be discarded (a new egress key needs a new store): otherwise a
/// recipient could be handed the same search key twice.
/// </remarks>
internal sealed class RngStore : IDisposable
{
    /// <summary>Bytes of a map key (a compressed shared secret).</summary>
    internal const int KeySize = 32;

    /// <summary>Bytes of a map value (a little-endian u64 counter).</summary>
    internal const int ValueSize = 8;

    private readonly IObliviousMap _map;
    private readonly byte[] _key = new byte[KeySize];
    private readonly byte[] _default = new byte[ValueSize];

    /// <summary>An empty store.</summary>
    /// <param name="options">The map's options (key 32 bytes, value 8 bytes).</param>
    /// <param name="random">The map's randomness; null for the OS CSPRNG.</param>
    internal RngStore(ObliviousMapOptions options, RandomSource? random = null)
    {
        if (options.KeySize != KeySize || options.ValueSize != ValueSize)
        {
            throw new ArgumentException($"The RNG store's map has {KeySize}-byte keys and {ValueSize}-byte values.", nameof(options));
        }

        _map = new CuckooObliviousMap(options, random);
    }

    /// <summary>The map's real capacity (public).</summary>
    internal ulong Capacity => _map.Capacity;

    /// <summary>Entries in the map: one per call (public; it reveals only the number of calls).</summary>
    internal ulong Count => _map.Count;

    /// <summary>
    /// Writes the next counter of the recipient whose shared secret is <paramref name="sharedSecret"/> into
    /// <paramref name="counter"/> and advances it. The search key is <c>KexRng.Prf(sharedSecret, counter)</c>.
    /// </summary>
    /// <returns>False when the map overflowed: the store must then be discarded.</returns>
    /// <remarks>
    /// Security: one <c>access_and_insert</c>, which reads the key, writes it back and inserts a fresh random key,
    /// in random order, whether the recipient is new or returning: the access pattern does not tell a real recipient
    /// from chaff or one recipient from another (up to the map's kick count, as in the reference). The overflow
    /// outcome is public.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal bool TryNextCounter(ReadOnlySpan<byte> sharedSecret, out ulong counter)
    {
        if (sharedSecret.Length != KexRng.SecretSize)
        {
            throw new ArgumentException($"A shared secret is {KexRng.SecretSize} bytes.", nameof(sharedSecret));
        }

        sharedSecret.CopyTo(_key);
        _key[0] = (byte)~_key[0];
        var accessor = new CounterAccessor();
        uint status;
        try
        {
            status = _map.AccessAndInsert(_key, _default, ref accessor);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(_key);
        }

        counter = accessor.Counter;
        return status != ObliviousMapStatus.Overflow;
    }

    /// <summary>Writes the next search key of the recipient with <paramref name="sharedSecret"/> (one map access and the PRF).</summary>
    /// <returns>False when the map overflowed.</returns>
    /// <remarks>Security: as <see cref="TryNextCounter"/>; the PRF is constant time.</remarks>
    internal bool TryNextSearchKey(ReadOnlySpan<byte> sharedSecret, Span<byte> searchKey)
    {
        var ok = TryNextCounter(sharedSecret, out var counter);
        KexRng.Prf(sharedSecret, counter, searchKey);
        return ok;
    }

    /// <inheritdoc />
    public void Dispose() => _map.Dispose();

    /// <summary>Reads the counter (zeros when the key was absent) and stores counter + 1, without branching.</summary>
    private struct CounterAccessor : IObliviousMapAccessor
    {
        public ulong Counter;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Access(uint status, Span<byte> value)
        {
            Counter = BinaryPrimitives.ReadUInt64LittleEndian(value);
            BinaryPrimitives.WriteUInt64LittleEndian(value, unchecked(Counter + 1));
        }
    }
}
