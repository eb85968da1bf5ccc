namespace Fog.Oblivious.Maps;

/// <summary>A delegate form of <see cref="IObliviousMapAccessor"/>.</summary>
/// <param name="status">Found, NotFound or InvalidKey (secret).</param>
/// <param name="value">The value.</param>
public delegate void ObliviousMapAccessCallback(uint status, Span<byte> value);

/// <summary>A delegate form of <see cref="IObliviousMapRemover"/>.</summary>
/// <param name="status">Found, NotFound or InvalidKey (secret).</param>
/// <param name="value">The value.</param>
/// <returns>True to remove the entry.</returns>
public delegate bool ObliviousMapRemoveCallback(uint status, Span<byte> value);

/// <summary>Delegate overloads of the callback operations (convenient; a capturing lambda allocates).</summary>
public static class ObliviousMapExtensions
{
    /// <summary>Delegate form of <see cref="IObliviousMap.Access{TCallback}"/>.</summary>
    /// <param name="map">The map.</param>
    /// <param name="key">The key.</param>
    /// <param name="callback">A constant-time callback.</param>
    /// <returns>The status.</returns>
    /// <remarks>Security: as the generic form.</remarks>
    public static uint Access(this IObliviousMap map, ReadOnlySpan<byte> key, ObliviousMapAccessCallback callback)
    {
        ArgumentNullException.ThrowIfNull(map);
        var adapter = new AccessAdapter(callback);
        return map.Access(key, ref adapter);
    }

    /// <summary>Delegate form of <see cref="IObliviousMap.AccessAndRemove{TCallback}"/>.</summary>
    /// <param name="map">The map.</param>
    /// <param name="key">The key.</param>
    /// <param name="callback">A constant-time callback.</param>
    /// <returns>The status.</returns>
    /// <remarks>Security: as the generic form.</remarks>
    public static uint AccessAndRemove(this IObliviousMap map, ReadOnlySpan<byte> key, ObliviousMapRemoveCallback callback)
    {
        ArgumentNullException.ThrowIfNull(map);
        var adapter = new RemoveAdapter(callback);
        return map.AccessAndRemove(key, ref adapter);
    }

    /// <summary>Delegate form of <see cref="IObliviousMap.AccessAndInsert{TCallback}"/>.</summary>
    /// <param name="map">The map.</param>
    /// <param name="key">The key.</param>
    /// <param name="defaultValue">The default value.</param>
    /// <param name="callback">A constant-time callback.</param>
    /// <returns>The status.</returns>
    /// <remarks>Security: as the generic form.</remarks>
    public static uint AccessAndInsert(this IObliviousMap map, ReadOnlySpan<byte> key, ReadOnlySpan<byte> defaultValue, ObliviousMapAccessCallback callback)
    {
        ArgumentNullException.ThrowIfNull(map);
        var adapter = new AccessAdapter(callback);
        return map.AccessAndInsert(key, defaultValue, ref adapter);
    }

    private readonly struct AccessAdapter(ObliviousMapAccessCallback callback) : IObliviousMapAccessor
    {
        public void Access(uint status, Span<byte> value) => callback(status, value);
    }

    private readonly struct RemoveAdapter(ObliviousMapRemoveCallback callback) : IObliviousMapRemover
    {
        public bool AccessAndDecide(uint status, Span<byte> value) => callback(status, value);
    }
}
