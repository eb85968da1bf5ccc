using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Fog.Oblivious.ConstantTime;
using Fog.Oblivious.Oram;
using Fog.Oblivious.Randomness;

namespace Fog.Oblivious.Maps;

/// <summary>
/// MobileCoin's oblivious map: a two-table bucketed cuckoo hash table whose tables are ORAMs of 1 KiB
/// buckets, each bucket an array of (key ‖ value) pairs (all-zero key = empty slot), indexed by two
/// independent SipHash-1-3 functions under secret random keys.
/// </summary>
/// <remarks>
/// <para>
/// Usage:
/// <code>
/// using var map = new CuckooObliviousMap(ObliviousMapOptions.For(ObliviousMapShape.View, 1 &lt;&lt; 22));
/// map.VarTimeWrite(searchKey, record, allowOverwrite: false);
/// var status = map.Read(searchKey, output); // ObliviousMapStatus.Found / NotFound / InvalidKey
/// </code>
/// </para>
/// <para>
/// Writes put the pair in the less loaded of its two buckets (ties and already-present keys go to table
/// 2); when both are full a random pair of the table-1 bucket is kicked to its other bucket, up to
/// <see cref="ObliviousMapOptions.MaxEvictionRetries"/> times, after which every kick is rolled back and
/// Overflow is returned with the map unchanged. About 75 % of <see cref="Capacity"/> is usable.
/// </para>
/// <para>
/// Security: see <see cref="IObliviousMap"/>. Every bucket scan visits every pair with constant-time
/// key comparison and masked copies; strongly oblivious operations also handle the all-zero key without
/// an early return (its hash is computed and both tables accessed as for any key).
/// </para>
/// </remarks>
public sealed class CuckooObliviousMap : IObliviousMap
{
    private readonly IOram _table1;
    private readonly IOram _table2;
    private readonly RandomSource _random;
    private readonly bool _ownsRandom;
    private readonly ulong[] _hashKeys = new ulong[4];
    private readonly int _pairSize;
    private readonly ulong _bucketMask;
    private readonly int _maxKicks;
    private readonly byte[] _buffer;
    private readonly byte[] _evictedKey;
    private readonly byte[] _evictedValue;
    private readonly byte[] _firstKey;
    private readonly byte[] _secondKey;
    private readonly byte[] _firstValue;
    private readonly byte[] _secondValue;
    private readonly ulong[] _kickBuckets;
    private readonly int[] _kickSlots;
    private bool _disposed;

    /// <summary>Creates an empty map.</summary>
    /// <param name="options">Shape, capacity, evictor and storage.</param>
    /// <param name="random">CSPRNG for hash keys, ORAM leaves and kicks; when null the OS CSPRNG is used. Not owned.</param>
    /// <exception cref="ArgumentException">A size is invalid or a pair does not fit in a bucket.</exception>
    public CuckooObliviousMap(ObliviousMapOptions options, RandomSource? random = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.KeySize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ValueSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxEvictionRetries);
        KeySize = options.KeySize;
        ValueSize = options.ValueSize;
        _pairSize = KeySize + ValueSize;
        PairsPerBucket = options.BucketSize / _pairSize;
        if (PairsPerBucket < 1)
        {
            throw new ArgumentException("A key-value pair does not fit in one bucket.", nameof(options));
        }

        var wanted = Math.Max(1UL, options.Capacity / (ulong)PairsPerBucket / 2);
        BucketsPerTable = ulong.IsPow2(wanted) ? wanted : 1UL << (64 - (int)ulong.LeadingZeroCount(wanted));
        Capacity = 2 * BucketsPerTable * (ulong)PairsPerBucket;
        _bucketMask = BucketsPerTable - 1;
        _maxKicks = options.MaxEvictionRetries;

        _ownsRandom = random is null;
        _random = random ?? new SystemRandomSource();
        Span<byte> keys = stackalloc byte[32];
        _random.Fill(keys);
        for (var i = 0; i < 4; i++)
        {
            _hashKeys[i] = BitConverter.ToUInt64(keys[(8 * i)..]);
        }

        CryptographicOperations.ZeroMemory(keys);

        var oramOptions = options.ToOramOptions();
        _table1 = OramFactory.Create(BucketsPerTable, oramOptions, _random, "table1");
        try
        {
            _table2 = OramFactory.Create(BucketsPerTable, oramOptions, _random, "table2");
        }
        catch
        {
            _table1.Dispose();
            throw;
        }

        _buffer = new byte[ValueSize];
        _evictedKey = new byte[KeySize];
        _evictedValue = new byte[ValueSize];
        _firstKey = new byte[KeySize];
        _secondKey = new byte[KeySize];
        _firstValue = new byte[ValueSize];
        _secondValue = new byte[ValueSize];
        _kickBuckets = new ulong[_maxKicks + 1];
        _kickSlots = new int[_maxKicks + 1];
    }

    /// <inheritdoc />
    public int KeySize { get; }

    /// <inheritdoc />
    public int ValueSize { get; }

    /// <inheritdoc />
    public ulong Capacity { get; }

    /// <inheritdoc />
    public ulong Count { get; private set; }

    /// <summary>Buckets in each of the two tables (a power of two; public).</summary>
    public ulong BucketsPerTable { get; }

    /// <summary>Key-value pairs per bucket: floor(bucket size / (key size + value size)).</summary>
    public int PairsPerBucket { get; }

    /// <summary>The ORAM of table 1 (diagnostics and benchmarks).</summary>
    internal IOram Table1 => _table1;

    /// <summary>The ORAM of table 2 (diagnostics and benchmarks).</summary>
    internal IOram Table2 => _table2;

    /// <inheritdoc />
    public uint Read(ReadOnlySpan<byte> key, Span<byte> value)
    {
        RequireKey(key);
        RequireValue(value, nameof(value));
        var valid = ~CtBlock.IsZero(key);
        var (h1, h2) = Hash(key);
        var found = ScanOut(_table1.BeginAccess(h1), key, value, valid);
        _table1.EndAccess();
        found |= ScanOut(_table2.BeginAccess(h2), key, value, valid);
        _table2.EndAccess();
        return Status(valid, found);
    }

    /// <inheritdoc />
    public uint Access<TCallback>(ReadOnlySpan<byte> key, ref TCallback callback)
        where TCallback : IObliviousMapAccessor, allows ref struct
    {
        RequireKey(key);
        var valid = ~CtBlock.IsZero(key);
        var (h1, h2) = Hash(key);
        var b1 = _table1.BeginAccess(h1);
        var b2 = _table2.BeginAccess(h2);
        var buffer = _buffer.AsSpan();
        buffer.Clear();
        var found = ScanOut(b1, key, buffer, valid) | ScanOut(b2, key, buffer, valid);
        var status = Status(valid, found);
        try
        {
            callback.Access(status, buffer);
            ScanIn(b1, key, buffer, valid, 0);
            ScanIn(b2, key, buffer, valid, 0);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer);
            _table2.EndAccess();
            _table1.EndAccess();
        }

        return status;
    }

    /// <inheritdoc />
    public uint Remove(ReadOnlySpan<byte> key)
    {
        RequireKey(key);
        var valid = ~CtBlock.IsZero(key);
        var (h1, h2) = Hash(key);
        var found = ScanRemove(_table1.BeginAccess(h1), key, valid);
        _table1.EndAccess();
        found |= ScanRemove(_table2.BeginAccess(h2), key, valid);
        _table2.EndAccess();
        Count -= Ct.ToBit(found);
        return Status(valid, found);
    }

    /// <inheritdoc />
    public uint AccessAndRemove<TCallback>(ReadOnlySpan<byte> key, ref TCallback callback)
        where TCallback : IObliviousMapRemover, allows ref struct
    {
        RequireKey(key);
        var valid = ~CtBlock.IsZero(key);
        var (h1, h2) = Hash(key);
        var b1 = _table1.BeginAccess(h1);
        var b2 = _table2.BeginAccess(h2);
        var buffer = _buffer.AsSpan();
        buffer.Clear();
        var found = ScanOut(b1, key, buffer, valid) | ScanOut(b2, key, buffer, valid);
        var status = Status(valid, found);
        try
        {
            var remove = Ct.FromBool(callback.AccessAndDecide(status, buffer)) & found;
            ScanIn(b1, key, buffer, valid, remove);
            ScanIn(b2, key, buffer, valid, remove);
            Count -= Ct.ToBit(remove);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer);
            _table2.EndAccess();
            _table1.EndAccess();
        }

        return status;
    }

    /// <inheritdoc />
    public uint VarTimeWrite(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, bool allowOverwrite) =>
        VarTimeWriteExtended(key, value, Ct.FromBool(allowOverwrite), Ct.True);

    /// <inheritdoc />
    public uint VarTimeWriteExtended(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, ulong allowOverwrite, ulong allowSideEffects)
    {
        RequireKey(key);
        RequireValue(value, nameof(value));
        if (CtBlock.IsZero(key) != 0)
        {
            return ObliviousMapStatus.InvalidKey;
        }

        var (h1, h2) = Hash(key);
        var kicks = 0;
        var b1 = _table1.BeginAccess(h1);
        var b2 = _table2.BeginAccess(h2);
        uint result;
        ulong overflow;
        try
        {
            var (found1, empty1) = CountBeforeInsert(b1, key);
            var (found2, empty2) = CountBeforeInsert(b2, key);
            var found = found1 | found2;
            result = Ct.Select(found, ObliviousMapStatus.Found, ObliviousMapStatus.NotFound);
            var condition = allowSideEffects & (allowOverwrite | ~found);
            var toFirst = ~found2 & (found1 | Ct.GreaterThan(empty1, empty2));
            InsertToBucket(condition & toFirst, b1, key, value);
            InsertToBucket(condition & ~toFirst, b2, key, value);

            // Both buckets full and the key absent: kick a random pair out of the table-1 bucket.
            overflow = ~found & Ct.IsZero(empty1) & Ct.IsZero(empty2) & allowSideEffects;
            if (overflow != 0)
            {
                var slot = (int)_random.NextBelow((uint)PairsPerBucket);
                var pair = b1.Slice(slot * _pairSize, _pairSize);
                pair[..KeySize].CopyTo(_evictedKey);
                pair[KeySize..].CopyTo(_evictedValue);
                key.CopyTo(pair);
                value.CopyTo(pair[KeySize..]);
                _kickBuckets[0] = h1;
                _kickSlots[0] = slot;
                kicks = 1;
            }
        }
        finally
        {
            _table2.EndAccess();
            _table1.EndAccess();
        }

        if (overflow != 0)
        {
            if (!VarTimeResolveKicks(ref kicks))
            {
                VarTimeRollBack(kicks);
                return ObliviousMapStatus.Overflow;
            }

            result = ObliviousMapStatus.NotFound;
        }

        Count += Ct.ToBit(Ct.Equal(result, ObliviousMapStatus.NotFound) & allowSideEffects);
        return result;
    }

    /// <inheritdoc />
    public uint AccessAndInsert<TCallback>(ReadOnlySpan<byte> key, ReadOnlySpan<byte> defaultValue, ref TCallback callback)
        where TCallback : IObliviousMapAccessor, allows ref struct
    {
        RequireKey(key);
        RequireValue(defaultValue, nameof(defaultValue));
        var firstValue = _firstValue.AsSpan();
        defaultValue.CopyTo(firstValue);
        var readStatus = Read(key, firstValue);
        if (readStatus == ObliviousMapStatus.InvalidKey)
        {
            return readStatus;
        }

        try
        {
            callback.Access(readStatus, firstValue);

            // Write 1: the key with its new value. Write 2: the default under a fresh random key, which
            // may only add an item if write 1 will not (the key was found). Their order is random.
            key.CopyTo(_firstKey);
            var firstOverwrite = Ct.True;
            var firstSideEffects = Ct.True;
            do
            {
                _random.Fill(_secondKey);
            }
            while (CtBlock.IsZero(_secondKey) != 0);

            defaultValue.CopyTo(_secondValue);
            var secondOverwrite = Ct.False;
            var secondSideEffects = Ct.Equal(readStatus, ObliviousMapStatus.Found);

            var swap = Ct.FromBit(_random.NextUInt64() & 1);
            CtBlock.ConditionalSwap(swap, _firstKey, _secondKey);
            CtBlock.ConditionalSwap(swap, _firstValue, _secondValue);
            Ct.ConditionalSwap(swap, ref firstOverwrite, ref secondOverwrite);
            Ct.ConditionalSwap(swap, ref firstSideEffects, ref secondSideEffects);

            var first = VarTimeWriteExtended(_firstKey, _firstValue, firstOverwrite, firstSideEffects);
            var second = VarTimeWriteExtended(_secondKey, _secondValue, secondOverwrite, secondSideEffects);
            var overflowed = Ct.Equal(first, ObliviousMapStatus.Overflow) | Ct.Equal(second, ObliviousMapStatus.Overflow);
            return Ct.Select(overflowed, ObliviousMapStatus.Overflow, readStatus);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(_firstKey);
            CryptographicOperations.ZeroMemory(_secondKey);
            CryptographicOperations.ZeroMemory(_firstValue);
            CryptographicOperations.ZeroMemory(_secondValue);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _table1.Dispose();
        _table2.Dispose();
        Array.Clear(_hashKeys);
        if (_ownsRandom)
        {
            _random.Dispose();
        }
    }

    /// <summary>The two bucket indices of <paramref name="key"/>. Reveals them: tests and diagnostics only.</summary>
    /// <param name="key">The key.</param>
    /// <returns>(table-1 bucket, table-2 bucket).</returns>
    internal (ulong Bucket1, ulong Bucket2) VarTimeBucketsOf(ReadOnlySpan<byte> key) => Hash(key);

    private static uint Status(ulong valid, ulong found) =>
        Ct.Select(valid, Ct.Select(found, ObliviousMapStatus.Found, ObliviousMapStatus.NotFound), ObliviousMapStatus.InvalidKey);

    private (ulong, ulong) Hash(ReadOnlySpan<byte> key) =>
        (SipHash.Hash13(_hashKeys[0], _hashKeys[1], key) & _bucketMask, SipHash.Hash13(_hashKeys[2], _hashKeys[3], key) & _bucketMask);

    /// <summary>Copies the value of the pair matching <paramref name="key"/> (if any) into <paramref name="output"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ulong ScanOut(Span<byte> bucket, ReadOnlySpan<byte> key, Span<byte> output, ulong valid)
    {
        var found = 0UL;
        for (var i = 0; i < PairsPerBucket; i++)
        {
            var pair = bucket.Slice(i * _pairSize, _pairSize);
            var m = valid & CtBlock.Equal(pair[..KeySize], key);
            CtBlock.ConditionalCopy(m, output, pair[KeySize..]);
            found |= m;
        }

        return found;
    }

    /// <summary>Writes <paramref name="value"/> back into the matching pair, zeroing it when <paramref name="remove"/> is set.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ScanIn(Span<byte> bucket, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, ulong valid, ulong remove)
    {
        for (var i = 0; i < PairsPerBucket; i++)
        {
            var pair = bucket.Slice(i * _pairSize, _pairSize);
            var m = valid & CtBlock.Equal(pair[..KeySize], key);
            CtBlock.ConditionalCopy(m, pair[KeySize..], value);
            CtBlock.ConditionalZero(m & remove, pair);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ulong ScanRemove(Span<byte> bucket, ReadOnlySpan<byte> key, ulong valid)
    {
        var found = 0UL;
        for (var i = 0; i < PairsPerBucket; i++)
        {
            var pair = bucket.Slice(i * _pairSize, _pairSize);
            var m = valid & CtBlock.Equal(pair[..KeySize], key);
            CtBlock.ConditionalZero(m, pair);
            found |= m;
        }

        return found;
    }

    /// <summary>Whether the key is in the bucket, and how many empty pairs it has.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private (ulong Found, ulong Empty) CountBeforeInsert(Span<byte> bucket, ReadOnlySpan<byte> key)
    {
        var found = 0UL;
        var empty = 0UL;
        for (var i = 0; i < PairsPerBucket; i++)
        {
            var pairKey = bucket.Slice(i * _pairSize, KeySize);
            found |= CtBlock.Equal(pairKey, key);
            empty += Ct.ToBit(CtBlock.IsZero(pairKey));
        }

        return (found, empty);
    }

    /// <summary>
    /// When <paramref name="condition"/> is set, writes the pair into the first slot holding the key or
    /// empty, and clears any later copy of the key (every later match gets the zero key).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void InsertToBucket(ulong condition, Span<byte> bucket, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        Span<byte> keyToWrite = stackalloc byte[KeySize];
        key.CopyTo(keyToWrite);
        for (var i = 0; i < PairsPerBucket; i++)
        {
            var pair = bucket.Slice(i * _pairSize, _pairSize);
            var pairKey = pair[..KeySize];
            var m = condition & (CtBlock.Equal(pairKey, key) | CtBlock.IsZero(pairKey));
            CtBlock.ConditionalCopy(m, pairKey, keyToWrite);
            CtBlock.ConditionalZero(m, keyToWrite);
            CtBlock.ConditionalCopy(m, pair[KeySize..], value);
        }

        CryptographicOperations.ZeroMemory(keyToWrite);
    }

    /// <summary>
    /// Moves the kicked pair to its other table, kicking again when that bucket is full. VarTime: the
    /// number of accesses is the number of kicks. Returns false when the retry budget ran out.
    /// </summary>
    private bool VarTimeResolveKicks(ref int kicks)
    {
        for (var retry = 0; retry < _maxKicks; retry++)
        {
            // Kicks alternate tables, starting from table 1: the next destination is table 2 after an
            // odd number of kicks.
            var toSecond = kicks % 2 == 1;
            var (h1, h2) = Hash(_evictedKey);
            var destination = toSecond ? h2 : h1;
            var table = toSecond ? _table2 : _table1;
            var bucket = table.BeginAccess(destination);
            var placed = 0UL;
            try
            {
                for (var i = 0; i < PairsPerBucket; i++)
                {
                    var pair = bucket.Slice(i * _pairSize, _pairSize);
                    var m = ~placed & CtBlock.IsZero(pair[..KeySize]);
                    CtBlock.ConditionalCopy(m, pair[..KeySize], _evictedKey);
                    CtBlock.ConditionalCopy(m, pair[KeySize..], _evictedValue);
                    placed |= m;
                }

                if (placed == 0)
                {
                    var slot = (int)_random.NextBelow((uint)PairsPerBucket);
                    SwapWithEvicted(bucket.Slice(slot * _pairSize, _pairSize));
                    _kickBuckets[kicks] = destination;
                    _kickSlots[kicks] = slot;
                    kicks++;
                }
            }
            finally
            {
                table.EndAccess();
            }

            if (placed != 0)
            {
                CryptographicOperations.ZeroMemory(_evictedKey);
                CryptographicOperations.ZeroMemory(_evictedValue);
                return true;
            }
        }

        return false;
    }

    /// <summary>Undoes every kick in reverse order, so the map is as before the write. VarTime.</summary>
    private void VarTimeRollBack(int kicks)
    {
        while (kicks > 0)
        {
            kicks--;

            // Kick k (0-based) took its pair from table 1 when k is even, table 2 when odd.
            var table = kicks % 2 == 0 ? _table1 : _table2;
            var bucket = table.BeginAccess(_kickBuckets[kicks]);
            try
            {
                SwapWithEvicted(bucket.Slice(_kickSlots[kicks] * _pairSize, _pairSize));
            }
            finally
            {
                table.EndAccess();
            }
        }

        CryptographicOperations.ZeroMemory(_evictedKey);
        CryptographicOperations.ZeroMemory(_evictedValue);
    }

    private void SwapWithEvicted(Span<byte> pair)
    {
        CtBlock.ConditionalSwap(Ct.True, pair[..KeySize], _evictedKey);
        CtBlock.ConditionalSwap(Ct.True, pair[KeySize..], _evictedValue);
    }

    private void RequireKey(ReadOnlySpan<byte> key)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (key.Length != KeySize)
        {
            throw new ArgumentException($"Keys are {KeySize} bytes.", nameof(key));
        }
    }

    private void RequireValue(ReadOnlySpan<byte> value, string name)
    {
        if (value.Length != ValueSize)
        {
            throw new ArgumentException($"Values are {ValueSize} bytes.", name);
        }
    }
}
