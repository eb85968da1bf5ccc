namespace Fog.Storage.Recovery;

/// <summary>A fog report as the report server serves it.</summary>
/// <param name="IngestInvocationId">The invocation that published it, or null when published before one existed.</param>
/// <param name="Report">The attestation evidence, opaque bytes.</param>
/// <param name="PubkeyExpiry">The last block at which senders may use the ingress key.</param>
public sealed record ReportData(long? IngestInvocationId, ReadOnlyMemory<byte> Report, ulong PubkeyExpiry)
{
    /// <inheritdoc />
    public bool Equals(ReportData? other) =>
        other is not null && IngestInvocationId == other.IngestInvocationId && PubkeyExpiry == other.PubkeyExpiry
        && Report.Span.SequenceEqual(other.Report.Span);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(IngestInvocationId, PubkeyExpiry, Report.Length);
}

/// <summary>A stored report and its id.</summary>
/// <param name="FogReportId">The report id users' addresses name (usually empty).</param>
/// <param name="Data">The report.</param>
public sealed record ReportEntry(string FogReportId, ReportData Data);
