using System.Runtime.CompilerServices;
using Fog.Enclaves.Common;
using Fog.Oblivious.ConstantTime;
using Fog.Oblivious.Maps;

namespace Fog.Enclaves.View;

/// <summary>
/// The view enclave's trusted store (the reference's <c>ETxOutStore</c>): an oblivious cuckoo map from 16-byte search
/// keys to 240-byte values, where a value is one length byte <c>239 − n</c> followed by the <c>n</c>-byte ciphertext
/// (0 ≤ n ≤ 239) and zeros.
/// </summary>
/// <remarks>Not thread-safe: the enclave serialises access.</remarks>
internal sealed class ETxOutStore : IEnclaveMapStore
{
    /// <summary>Bytes per search key.</summary>
    internal const int KeySize = 16;

    /// <summary>Bytes per map value.</summary>
    internal const int ValueSize = 240;

    /// <summary>Largest ciphertext a value holds.</summary>
    internal const int MaxPayloadSize = ValueSize - 1;

    private readonly IObliviousMap _map;
    private readonly byte[] _scratch = new byte[ValueSize];

    internal ETxOutStore(ObliviousMapOptions options)
    {
        _map = new CuckooObliviousMap(options);
    }

    /// <summary>Slots in the map.</summary>
    public ulong Capacity => _map.Capacity;

    /// <summary>Records stored.</summary>
    public ulong Count => _map.Count;

    /// <summary>
    /// Stores <paramref name="payload"/> under <paramref name="key"/>, overwriting any value already there.
    /// The caller has checked the sizes.
    /// </summary>
    /// <returns>NotFound (added), Found (overwritten), Overflow (map unchanged) or InvalidKey (the zero key).</returns>
    /// <remarks>Security: VarTime (as <see cref="IObliviousMap.VarTimeWrite"/>); only for host-supplied records.</remarks>
    internal uint VarTimeAdd(ReadOnlySpan<byte> key, ReadOnlySpan<byte> payload)
    {
        var value = _scratch.AsSpan();
        value.Clear();
        value[0] = (byte)(MaxPayloadSize - payload.Length);
        payload.CopyTo(value[1..]);
        var status = _map.VarTimeWrite(key, value, allowOverwrite: true);
        value.Clear();
        return status;
    }

    /// <summary>
    /// Reads the value of <paramref name="key"/> into <paramref name="value"/>: the stored value when found, zeros
    /// otherwise.
    /// </summary>
    /// <param name="key">16 bytes (the all-zero key gives InvalidKey).</param>
    /// <param name="value"><see cref="ValueSize"/> bytes.</param>
    /// <returns>Found, NotFound or InvalidKey (secret: use through masks).</returns>
    /// <remarks>
    /// Security: strongly oblivious — one map read (two ORAM accesses in a fixed order) whatever the key; the output
    /// is zeroed with a mask, not a branch.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal uint Find(ReadOnlySpan<byte> key, Span<byte> value)
    {
        value.Clear();
        var status = _map.Read(key, value);
        CtBlock.ConditionalZero(Ct.NotEqual(status, ObliviousMapStatus.Found), value);
        return status;
    }

    public void Dispose() => _map.Dispose();
}
