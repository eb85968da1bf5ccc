using Fog.Client.Reports;
using Fog.Model.Addresses;

namespace Fog.Client.Payments;

/// <summary>The report resolver as payments use it.</summary>
internal sealed class ReportResolverAdapter(FogReportResolver resolver) : IFogReportResolver
{
    public Task<ValidatedFogPubkey> ResolveAsync(PublicAddress address, CancellationToken cancellationToken) => resolver.ResolveAsync(address, cancellationToken);
}
