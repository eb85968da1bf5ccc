namespace Fog.Oblivious.Storage;

/// <summary>
/// Untrusted memory returned a bucket that does not authenticate: it was altered, moved to another
/// position, or replayed from an older version. Fatal: the ORAM that raised it refuses further use.
/// </summary>
/// <remarks>
/// Security: only the host can cause this, and only by attacking; the enclave should stop serving
/// (as the reference panics). The message names the node index, which is public.
/// </remarks>
public sealed class OramIntegrityException : Exception
{
    /// <summary>Creates the exception.</summary>
    public OramIntegrityException()
        : base("An untrusted ORAM bucket failed authentication.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What failed.</param>
    public OramIntegrityException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The cryptographic failure.</param>
    public OramIntegrityException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The node (heap index) whose bucket failed, when known.</summary>
    public ulong Node { get; init; }
}
