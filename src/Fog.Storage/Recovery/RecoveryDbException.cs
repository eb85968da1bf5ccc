namespace Fog.Storage.Recovery;

/// <summary>Why a recovery DB operation failed.</summary>
public enum RecoveryDbError
{
    /// <summary>The database could not be reached or dropped the connection (server down, restarting, network, timeout). Transient.</summary>
    Unavailable = 1,

    /// <summary>The operation lost a race for a lock (busy database, deadlock, serialization failure). Transient.</summary>
    Busy = 2,

    /// <summary>The ingress key is not in the database.</summary>
    MissingIngressKey = 3,

    /// <summary><see cref="IRecoveryDb.NewIngressKeyAsync"/>: the key already exists.</summary>
    IngressKeyAlreadyExists = 4,

    /// <summary>No ingest invocation has this id.</summary>
    UnknownIngestInvocation = 5,

    /// <summary><see cref="IRecoveryDb.NewIngestInvocationAsync"/>: another invocation already uses this egress key.</summary>
    EgressKeyAlreadyUsed = 6,

    /// <summary>Stored rows contradict each other (for example two cumulative TxO counts for one block).</summary>
    InconsistentData = 7,

    /// <summary>Stored bytes could not be decoded.</summary>
    CorruptData = 8,

    /// <summary>The database's schema is newer than this program knows; upgrade the program.</summary>
    SchemaTooNew = 9,

    /// <summary>The database's schema is older than this program needs and migrations were not applied (<c>fog db migrate</c>).</summary>
    SchemaOutOfDate = 10,

    /// <summary>Any other database failure (disk full, permissions, a constraint the operation did not expect).</summary>
    Failed = 11,
}

/// <summary>
/// A recovery DB failure. <see cref="IsTransient"/> says whether retrying the same call can succeed
/// (the database was unreachable or busy); everything else needs a different call or a person.
/// </summary>
public sealed class RecoveryDbException : Exception
{
    /// <summary>A failure of kind <paramref name="error"/>.</summary>
    public RecoveryDbException(RecoveryDbError error, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Error = error;
    }

    /// <summary>What went wrong.</summary>
    public RecoveryDbError Error { get; }

    /// <summary>True when retrying the same call may succeed.</summary>
    public bool IsTransient => Error is RecoveryDbError.Unavailable or RecoveryDbError.Busy;
}
