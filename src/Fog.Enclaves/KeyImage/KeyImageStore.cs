using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Fog.Enclaves.Common;
using Fog.Oblivious.ConstantTime;
using Fog.Oblivious.Maps;

namespace Fog.Enclaves.KeyImage;

/// <summary>
/// The key-image enclave's trusted store (the reference's <c>KeyImageStore</c>): an oblivious cuckoo map whose key is
/// the 32-byte key image with its first byte inverted (so an all-zero key image is storable; the map reserves the
/// all-zero key) and whose value is <c>block index (LE 8) ‖ timestamp (LE 8)</c>.
/// </summary>
/// <remarks>Not thread-safe: the enclave serialises access.</remarks>
internal sealed class KeyImageStore : IEnclaveMapStore
{
    /// <summary>Bytes per key image and map key.</summary>
    internal const int KeySize = 32;

    /// <summary>Bytes per map value.</summary>
    internal const int ValueSize = 16;

    private readonly IObliviousMap _map;

    internal KeyImageStore(ObliviousMapOptions options)
    {
        _map = new CuckooObliviousMap(options);
    }

    /// <summary>Slots in the map.</summary>
    public ulong Capacity => _map.Capacity;

    /// <summary>Key images stored.</summary>
    public ulong Count => _map.Count;

    /// <summary>The map key of a 32-byte key image: the bytes with the first one inverted.</summary>
    /// <remarks>Security: constant time.</remarks>
    internal static void ToMapKey(ReadOnlySpan<byte> keyImage, Span<byte> mapKey)
    {
        keyImage.CopyTo(mapKey);
        mapKey[0] = (byte)~mapKey[0];
    }

    /// <summary>Stores (or overwrites) a key image's block index and timestamp.</summary>
    /// <returns>NotFound (added), Found (overwritten), Overflow (map unchanged) or InvalidKey.</returns>
    /// <remarks>Security: VarTime; for public chain data only.</remarks>
    internal uint VarTimeAdd(ReadOnlySpan<byte> keyImage, ulong blockIndex, ulong timestamp)
    {
        Span<byte> key = stackalloc byte[KeySize];
        Span<byte> value = stackalloc byte[ValueSize];
        ToMapKey(keyImage, key);
        BinaryPrimitives.WriteUInt64LittleEndian(value, blockIndex);
        BinaryPrimitives.WriteUInt64LittleEndian(value[8..], timestamp);
        return _map.VarTimeWrite(key, value, allowOverwrite: true);
    }

    /// <summary>
    /// Looks a map key up: <paramref name="value"/> receives the block index and timestamp when found, and all
    /// 0xFF bytes (<see cref="ulong.MaxValue"/> twice) otherwise.
    /// </summary>
    /// <returns>Found, NotFound or InvalidKey (secret: use through masks).</returns>
    /// <remarks>Security: strongly oblivious — one map read whatever the key; the default is applied with a mask.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal uint Find(ReadOnlySpan<byte> mapKey, Span<byte> value)
    {
        Span<byte> unknown = stackalloc byte[ValueSize];
        unknown.Fill(0xFF);
        value.Fill(0xFF);
        var status = _map.Read(mapKey, value);
        CtBlock.ConditionalCopy(Ct.NotEqual(status, ObliviousMapStatus.Found), value, unknown);
        return status;
    }

    public void Dispose() => _map.Dispose();
}
