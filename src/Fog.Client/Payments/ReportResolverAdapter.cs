using Fog.Client.Connections;
using Fog.Client.Reports;
using Fog.Model.Addresses;

namespace Fog.Client.Payments;

/// <summary>
/// The report resolver as payments use it: each resolution bounded by <paramref name="timeout"/>, and failures naming the
/// fog report URL they are about (<see cref="FogReportException.FogReportUrl"/>).
/// </summary>
internal sealed class ReportResolverAdapter(FogReportResolver resolver, TimeSpan timeout) : IFogReportResolver
{
    public async Task<ValidatedFogPubkey> ResolveAsync(PublicAddress address, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            return await resolver.ResolveAsync(address, deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (ServiceFailures.IsTimeout(e, deadline.Token, cancellationToken))
        {
            throw new FogReportException(new FogReportFailure(FogReportError.ReportServerUnavailable, $"The fog report server {address.FogReportUrl} did not answer within {ServiceFailures.Seconds(timeout)}."), e)
            {
                FogReportUrl = address.FogReportUrl,
            };
        }
        catch (FogReportException e) when (e.FogReportUrl is null)
        {
            throw new FogReportException(e.Failure, e) { FogReportUrl = address.FogReportUrl };
        }
    }
}
