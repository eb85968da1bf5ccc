using System.Reflection;
using Fog.Attestation.Channels;
using Fog.Attestation.Evidence;
using Fog.Attestation.Noise;

namespace Fog.Services.Hosting;

/// <summary>
/// What every service needs to run an enclave in simulation mode: the shared simulation root (a key file), a quoting key
/// it endorses, the enclave's identity (measurement of the assembly holding its code), a Noise static key, and the
/// attested responder clients handshake with. Simulation mode protects against nothing a host administrator can do;
/// the services say so at start-up.
/// </summary>
public sealed class SimulatedEnclaveHost : IDisposable
{
    private readonly SimulatedAttestation _attestation;
    private readonly NoiseKeyPair _staticKey;

    private SimulatedEnclaveHost(SimulatedAttestation attestation, NoiseKeyPair staticKey, EnclaveIdentity identity, AttestedResponder responder)
    {
        _attestation = attestation;
        _staticKey = staticKey;
        Identity = identity;
        Responder = responder;
    }

    /// <summary>The enclave's identity, as its evidence states it.</summary>
    public EnclaveIdentity Identity { get; }

    /// <summary>The attested responder (the enclave side of every channel).</summary>
    public AttestedResponder Responder { get; }

    /// <summary>The simulation root's public key, which a client's policy must list.</summary>
    public ReadOnlySpan<byte> SimulationRootPublicKey => _attestation.RootPublicKey;

    /// <summary>The warning every service logs at start-up.</summary>
    public string SimulationWarning => _attestation.WarningFor(Identity);

    /// <summary>
    /// Sets up an enclave named <paramref name="enclaveName"/> whose code is <paramref name="enclaveAssembly"/>.
    /// </summary>
    /// <param name="simulationRootPath">The simulation root's key file (created when missing).</param>
    /// <param name="enclaveName">The enclave's name (part of its measurement).</param>
    /// <param name="enclaveAssembly">The assembly holding the enclave's code.</param>
    /// <param name="productId">Which enclave this is.</param>
    /// <param name="responderId">The responder id clients use as the Noise prologue (usually host:port).</param>
    /// <param name="maxSessions">How many attested sessions the responder keeps (least recently used evicted).</param>
    /// <param name="customIdentity">Bytes bound into the evidence (e.g. an ingress public key), or empty.</param>
    public static SimulatedEnclaveHost Create(
        string simulationRootPath,
        string enclaveName,
        Assembly enclaveAssembly,
        EnclaveProductId productId,
        string responderId,
        int maxSessions = AttestedResponderOptions.DefaultMaxSessions,
        ReadOnlySpan<byte> customIdentity = default)
    {
        ArgumentNullException.ThrowIfNull(enclaveAssembly);
        var attestation = SimulatedAttestation.Load(simulationRootPath);
        var identity = SimulatedAttestation.IdentityOf(enclaveName, enclaveAssembly, productId);
        var staticKey = NoiseKeyPair.Generate();
        var responder = new AttestedResponder(
            new AttestedResponderOptions { ResponderId = responderId, MaxSessions = maxSessions },
            staticKey,
            attestation.ProviderFor(identity),
            customIdentity: customIdentity);
        return new SimulatedEnclaveHost(attestation, staticKey, identity, responder);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Responder.Dispose();
        _staticKey.Dispose();
        _attestation.Dispose();
    }
}
