using Fog.Client.Connections;
using Fog.Client.Reports;
using Fog.Model.Addresses;

namespace Fog.Client.Payments;

/// <summary>
/// The report resolver as payments use it: each resolution bounded by <paramref name="timeout"/>, and failures naming the
/// address whose report they are about (<see cref="FogReportException.Address"/>).
/// </summary>
internal sealed class ReportResolverAdapter(FogReportResolver resolver, TimeSpan timeout) : IFogReportResolver
{
    public async Task<ValidatedFogPubkey> ResolveAsync(PublicAddress address, CancellationToken cancellationToken)
    {
        try
        {
            return await ServiceFailures.WithDeadlineAsync(
                timeout,
                cancellationToken,
                ct => resolver.ResolveAsync(address, ct),
                e => new FogReportException(new FogReportFailure(FogReportError.ReportServerUnavailable, $"The fog report server {address.FogReportUrl} did not answer within {ServiceFailures.Seconds(timeout)}."), e)).ConfigureAwait(false);
        }
        catch (FogReportException e) when (e.Address is null)
        {
            throw new FogReportException(e.Failure, e) { Address = address };
        }
    }
}
