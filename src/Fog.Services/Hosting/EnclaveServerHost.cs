using Fog.Attestation.Evidence;
using Fog.Enclaves;
using Fog.Enclaves.Common;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Fog.Services.Hosting;

/// <summary>How a server that fronts an enclave builds it and its gRPC host (see <see cref="EnclaveServerHost.StartAsync"/>).</summary>
/// <param name="ServerName">The server's name in logs (e.g. "Fog view").</param>
/// <param name="EnclaveName">The enclave name its measurement covers.</param>
/// <param name="ProductId">Which enclave product it is.</param>
/// <param name="CreateEnclave">Creates the enclave from its attestation provider and responder id.</param>
/// <param name="AddServices">Registers the server's parts, which may hold the enclave.</param>
/// <param name="MapServices">Maps the server's gRPC services.</param>
internal sealed record EnclaveServerSetup<TEnclave>(
    string ServerName,
    string EnclaveName,
    EnclaveProductId ProductId,
    Func<IAttestationProvider, string, TEnclave> CreateEnclave,
    Action<IServiceCollection, TEnclave> AddServices,
    Action<WebApplication> MapServices)
    where TEnclave : IAttestedEnclave;

/// <summary>
/// The parts of a started enclave server that live as long as it does: the gRPC host, the simulation root, the enclave,
/// and the input the server was handed to own (the ledger's block source). Disposed in that order, so in-flight calls
/// finish before the enclave goes away.
/// </summary>
internal sealed class EnclaveServerHost : IAsyncDisposable
{
    private readonly SimulatedAttestation _attestation;
    private readonly IAsyncDisposable? _ownedInput;

    private EnclaveServerHost(FogServer server, SimulatedAttestation attestation, IAttestedEnclave enclave, string simulationWarning, IAsyncDisposable? ownedInput)
    {
        Server = server;
        _attestation = attestation;
        Enclave = enclave;
        SimulationWarning = simulationWarning;
        _ownedInput = ownedInput;
    }

    /// <summary>The gRPC host.</summary>
    public FogServer Server { get; }

    /// <summary>The enclave.</summary>
    public IAttestedEnclave Enclave { get; }

    /// <summary>The warning the server logs first (simulation mode protects against nothing a host administrator can do).</summary>
    public string SimulationWarning { get; }

    /// <summary>The simulation root clients must trust.</summary>
    public ReadOnlySpan<byte> SimulationRootPublicKey => _attestation.RootPublicKey;

    /// <summary>
    /// Validates <paramref name="options"/>, loads the simulation root, creates the enclave with the identity of the
    /// enclave assembly, starts the gRPC host, then lets <paramref name="complete"/> build the server. Whatever was made
    /// is disposed if any step fails, and so is <paramref name="ownedInput"/>, which the server owns from the call on.
    /// </summary>
    public static async Task<TServer> StartAsync<TEnclave, TServer>(
        IEnclaveServerOptions options,
        EnclaveServerSetup<TEnclave> setup,
        IAsyncDisposable? ownedInput,
        Func<EnclaveServerHost, TServer> complete,
        CancellationToken cancellationToken)
        where TEnclave : IAttestedEnclave
    {
        SimulatedAttestation? attestation = null;
        IAttestedEnclave? enclave = null;
        EnclaveServerHost? host = null;
        try
        {
            options.Validate();
            var responderId = EnclaveServerOptions.ResponderIdOf(options);
            attestation = SimulatedAttestation.Load(options.SimulationRootPath);
            var identity = SimulatedAttestation.IdentityOf(setup.EnclaveName, typeof(EnclaveAssembly).Assembly, setup.ProductId);
            var created = setup.CreateEnclave(attestation.ProviderFor(identity), responderId);
            enclave = created;
            var server = await FogServer.StartAsync(
                EnclaveServerOptions.ToFogServerOptions(options, setup.ServerName),
                services => setup.AddServices(services, created),
                setup.MapServices,
                cancellationToken).ConfigureAwait(false);
            host = new EnclaveServerHost(server, attestation, created, attestation.WarningFor(identity), ownedInput);
            return complete(host);
        }
        catch
        {
            if (host is not null)
            {
                await host.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                enclave?.Dispose();
                attestation?.Dispose();
                if (ownedInput is not null)
                {
                    await ownedInput.DisposeAsync().ConfigureAwait(false);
                }
            }

            throw;
        }
    }

    /// <summary>Stops the gRPC host (in-flight calls finish first), then disposes the owned input, the enclave and the simulation root.</summary>
    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync().ConfigureAwait(false);
        if (_ownedInput is not null)
        {
            await _ownedInput.DisposeAsync().ConfigureAwait(false);
        }

        Enclave.Dispose();
        _attestation.Dispose();
    }
}
