namespace Fog.Oblivious.Oram;

/// <summary>
/// An oblivious RAM over fixed-size values addressed 0 … <see cref="Length"/> − 1. An access is a pair
/// of calls: <see cref="BeginAccess"/> returns the value for reading and writing in place,
/// <see cref="EndAccess"/> puts it back. Values never written read as zeros.
/// </summary>
/// <remarks>
/// <para>Not thread-safe; one access at a time per ORAM (different ORAMs may be accessed nested).</para>
/// <para>
/// Security: the sequence of memory and storage accesses depends only on the number of accesses, not
/// on the indices or values. The index must stay in range (checked, since the length is public). What
/// the caller does with the span between the two calls must itself be constant time.
/// </para>
/// </remarks>
public interface IOram : IDisposable
{
    /// <summary>Number of addressable values (public).</summary>
    ulong Length { get; }

    /// <summary>Bytes per value.</summary>
    int ValueSize { get; }

    /// <summary>Starts an access: fetches the value at <paramref name="index"/> obliviously.</summary>
    /// <param name="index">Secret index in [0, <see cref="Length"/>).</param>
    /// <returns>The value, valid until <see cref="EndAccess"/>; modifications are stored.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The index is out of range.</exception>
    /// <exception cref="InvalidOperationException">An access is already open, or the ORAM failed earlier.</exception>
    /// <remarks>
    /// Security: touches a uniformly random branch (plus the position-map chain) whatever the index;
    /// the range check is the only test of the index and never fails for valid input.
    /// </remarks>
    Span<byte> BeginAccess(ulong index);

    /// <summary>Finishes the open access: stores the value and evicts.</summary>
    /// <exception cref="StashOverflowException">The stash overflowed (fatal).</exception>
    /// <remarks>Security: the same stash scan and the same eviction work (and public extra branches) on every call.</remarks>
    void EndAccess();
}

/// <summary>Convenience operations over <see cref="IOram"/>.</summary>
public static class OramExtensions
{
    /// <summary>Reads the value at <paramref name="index"/> into <paramref name="destination"/>.</summary>
    /// <param name="oram">The ORAM.</param>
    /// <param name="index">Secret index.</param>
    /// <param name="destination">Exactly <see cref="IOram.ValueSize"/> bytes.</param>
    /// <remarks>Security: one full oblivious access.</remarks>
    public static void Read(this IOram oram, ulong index, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(oram);
        var value = oram.BeginAccess(index);
        value.CopyTo(destination);
        oram.EndAccess();
    }

    /// <summary>Writes <paramref name="source"/> at <paramref name="index"/>.</summary>
    /// <param name="oram">The ORAM.</param>
    /// <param name="index">Secret index.</param>
    /// <param name="source">Exactly <see cref="IOram.ValueSize"/> bytes.</param>
    /// <remarks>Security: one full oblivious access.</remarks>
    public static void Write(this IOram oram, ulong index, ReadOnlySpan<byte> source)
    {
        ArgumentNullException.ThrowIfNull(oram);
        if (source.Length != oram.ValueSize)
        {
            throw new ArgumentException($"Expected {oram.ValueSize} bytes.", nameof(source));
        }

        var value = oram.BeginAccess(index);
        source.CopyTo(value);
        oram.EndAccess();
    }
}

/// <summary>
/// The stash of a tree ORAM could not take a block. With the shipped parameters this is expected with
/// negligible probability; it is fatal (the ORAM refuses further use), never silently ignored.
/// </summary>
/// <remarks>Security: raising it reveals that the stash was full, a fail-stop event like the reference's panic.</remarks>
public sealed class StashOverflowException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StashOverflowException()
        : base("ORAM stash overflow.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">Details.</param>
    public StashOverflowException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    /// <param name="message">Details.</param>
    /// <param name="innerException">Cause.</param>
    public StashOverflowException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
