namespace Fog.Oblivious.Maps;

/// <summary>A callback run on a value inside <see cref="IObliviousMap.Access{TCallback}"/>.</summary>
/// <remarks>Security: it must itself be constant time in the status and the value (no branches on them).</remarks>
public interface IObliviousMapAccessor
{
    /// <summary>Inspects or modifies the value.</summary>
    /// <param name="status">Found, NotFound or InvalidKey (secret; use it through masks).</param>
    /// <param name="value">The stored value when found, otherwise zeros (changes are then discarded).</param>
    void Access(uint status, Span<byte> value);
}

/// <summary>A callback run inside <see cref="IObliviousMap.AccessAndRemove{TCallback}"/>.</summary>
/// <remarks>Security: must be constant time; the map never branches on the returned bool.</remarks>
public interface IObliviousMapRemover
{
    /// <summary>Inspects or modifies the value and says whether to remove the entry.</summary>
    /// <param name="status">Found, NotFound or InvalidKey (secret).</param>
    /// <param name="value">The stored value when found, otherwise zeros.</param>
    /// <returns>True to remove the entry (ignored unless found).</returns>
    bool AccessAndDecide(uint status, Span<byte> value);
}

/// <summary>
/// An oblivious hash map from fixed-size keys to fixed-size values (MobileCoin's
/// <c>ObliviousHashMap</c>). The all-zero key is invalid. Operations return
/// <see cref="ObliviousMapStatus"/> codes.
/// </summary>
/// <remarks>
/// <para>Not thread-safe.</para>
/// <para>
/// Security: <see cref="Read"/>, <see cref="Access{TCallback}"/>, <see cref="Remove"/> and
/// <see cref="AccessAndRemove{TCallback}"/> are strongly oblivious: the same ORAM accesses in the same
/// order whatever the key (present, absent, or all zeros). Members named <c>VarTime…</c> reveal whether
/// the key was present and how many cuckoo kicks happened (see each member).
/// <see cref="AccessAndInsert{TCallback}"/> always adds one item, so the fill level reveals nothing.
/// </para>
/// </remarks>
public interface IObliviousMap : IDisposable
{
    /// <summary>Bytes per key.</summary>
    int KeySize { get; }

    /// <summary>Bytes per value.</summary>
    int ValueSize { get; }

    /// <summary>Nominal capacity (public): slots in both tables; about 75 % can be filled before overflows.</summary>
    ulong Capacity { get; }

    /// <summary>Items currently stored. Like the reference's <c>len()</c> it is exposed; it changes only on inserts and removals.</summary>
    ulong Count { get; }

    /// <summary>Looks <paramref name="key"/> up; on Found copies its value into <paramref name="value"/>, otherwise leaves it unchanged.</summary>
    /// <param name="key"><see cref="KeySize"/> bytes.</param>
    /// <param name="value"><see cref="ValueSize"/> bytes.</param>
    /// <returns>Found, NotFound or InvalidKey.</returns>
    /// <remarks>Security: strongly oblivious; two ORAM accesses, one per table, in a fixed order.</remarks>
    uint Read(ReadOnlySpan<byte> key, Span<byte> value);

    /// <summary>Runs <paramref name="callback"/> on the value of <paramref name="key"/> with both buckets held; stores its changes when found.</summary>
    /// <typeparam name="TCallback">The callback type (a struct or ref struct for zero allocations).</typeparam>
    /// <param name="key"><see cref="KeySize"/> bytes.</param>
    /// <param name="callback">The constant-time callback.</param>
    /// <returns>Found, NotFound or InvalidKey.</returns>
    /// <remarks>Security: strongly oblivious if the callback is constant time.</remarks>
    uint Access<TCallback>(ReadOnlySpan<byte> key, ref TCallback callback)
        where TCallback : IObliviousMapAccessor, allows ref struct;

    /// <summary>Removes <paramref name="key"/>.</summary>
    /// <param name="key"><see cref="KeySize"/> bytes.</param>
    /// <returns>Found (removed), NotFound or InvalidKey.</returns>
    /// <remarks>Security: strongly oblivious; removal changes <see cref="Count"/>, which later inserts may reflect.</remarks>
    uint Remove(ReadOnlySpan<byte> key);

    /// <summary>Like <see cref="Access{TCallback}"/>, and removes the entry when the callback returns true.</summary>
    /// <typeparam name="TCallback">The callback type.</typeparam>
    /// <param name="key"><see cref="KeySize"/> bytes.</param>
    /// <param name="callback">The constant-time callback.</param>
    /// <returns>Found, NotFound or InvalidKey.</returns>
    /// <remarks>Security: strongly oblivious if the callback is constant time.</remarks>
    uint AccessAndRemove<TCallback>(ReadOnlySpan<byte> key, ref TCallback callback)
        where TCallback : IObliviousMapRemover, allows ref struct;

    /// <summary>Inserts or (when <paramref name="allowOverwrite"/>) overwrites.</summary>
    /// <param name="key"><see cref="KeySize"/> bytes.</param>
    /// <param name="value"><see cref="ValueSize"/> bytes.</param>
    /// <param name="allowOverwrite">Whether an existing value may be replaced.</param>
    /// <returns>NotFound (added), Found (present; overwritten only if allowed), Overflow (no room; map unchanged) or InvalidKey.</returns>
    /// <remarks>
    /// Security: VarTime. Oblivious in the value and the overwrite flag, and among present keys; for
    /// absent keys the number of cuckoo kicks varies (identically distributed for any two absent keys
    /// if SipHash is a PRF). Reveals presence. Returns early on the all-zero key.
    /// </remarks>
    uint VarTimeWrite(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, bool allowOverwrite);

    /// <summary>
    /// <see cref="VarTimeWrite"/> with masks; when <paramref name="allowSideEffects"/> is false, performs
    /// the access pattern of a write to a present key without changing anything and returns what a read would.
    /// </summary>
    /// <param name="key"><see cref="KeySize"/> bytes.</param>
    /// <param name="value"><see cref="ValueSize"/> bytes.</param>
    /// <param name="allowOverwrite">A mask.</param>
    /// <param name="allowSideEffects">A mask.</param>
    /// <returns>As <see cref="VarTimeWrite"/>.</returns>
    /// <remarks>Security: as <see cref="VarTimeWrite"/>.</remarks>
    uint VarTimeWriteExtended(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, ulong allowOverwrite, ulong allowSideEffects);

    /// <summary>
    /// Reads <paramref name="key"/> (or starts from <paramref name="defaultValue"/>), runs the callback,
    /// writes the result back, and also writes <paramref name="defaultValue"/> under a fresh random key,
    /// the two writes in random order, so exactly one item is added per call whether or not the key
    /// was present.
    /// </summary>
    /// <typeparam name="TCallback">The callback type.</typeparam>
    /// <param name="key"><see cref="KeySize"/> bytes.</param>
    /// <param name="defaultValue"><see cref="ValueSize"/> bytes.</param>
    /// <param name="callback">The constant-time callback.</param>
    /// <returns>Found, NotFound, Overflow (either write overflowed; the map stays consistent) or InvalidKey.</returns>
    /// <remarks>
    /// Security: oblivious between two present or two absent keys; between a present and an absent key
    /// the advantage is at most Count / 2^(8·KeySize) (a random key colliding). Returns early on the
    /// all-zero key; the kick count of the writes varies as in <see cref="VarTimeWrite"/>.
    /// </remarks>
    uint AccessAndInsert<TCallback>(ReadOnlySpan<byte> key, ReadOnlySpan<byte> defaultValue, ref TCallback callback)
        where TCallback : IObliviousMapAccessor, allows ref struct;
}
