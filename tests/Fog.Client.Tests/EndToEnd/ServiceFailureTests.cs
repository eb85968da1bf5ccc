using System.Net;
using System.Net.Sockets;
using Fog.Model.Keys;

namespace Fog.Client.Tests.EndToEnd;

/// <summary>A balance check that cannot use a service says which service, where, and why.</summary>
public sealed class ServiceFailureTests
{
    [Fact]
    public async Task Unreachable_view_is_a_FogServiceException_naming_fog_view_and_its_address()
    {
        await using var network = await FogTestNetwork.StartAsync();
        var port = ClosedPort();
        network.Config.View.Uri = $"insecure-fog://127.0.0.1:{port}";
        using var account = AccountKey.FromRootEntropy(new byte[32], network.Fog);
        using var wallet = network.Wallet(account);

        var failure = await Assert.ThrowsAsync<FogServiceException>(() => wallet.CheckBalanceAsync());

        Assert.Equal(("fog view", $"127.0.0.1:{port}", FogServiceFailure.Unreachable), (failure.Service, failure.Address, failure.Failure));
    }

    [Fact]
    public async Task Ledger_with_an_unaccepted_measurement_is_a_FogServiceException_for_attestation()
    {
        await using var network = await FogTestNetwork.StartAsync();
        using var account = AccountKey.FromRootEntropy(Enumerable.Repeat((byte)5, 32).ToArray(), network.Fog);
        await network.CaughtUpToAsync(await network.PayFromFaucetAsync(account, 1_000_000) + 1);
        network.Config.Measurements["ledger"] = [new string('0', 64)];
        using var wallet = network.Wallet(account);

        var failure = await Assert.ThrowsAsync<FogServiceException>(() => wallet.CheckBalanceAsync());

        Assert.Equal(("fog ledger", FogServiceFailure.AttestationFailed), (failure.Service, failure.Failure));
        Assert.Contains("MeasurementNotAccepted", failure.Message, StringComparison.Ordinal);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
