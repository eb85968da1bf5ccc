using System.Reflection;
using Fog.Attestation.Evidence;

namespace Fog.Services.Hosting;

/// <summary>
/// The host side of simulation-mode attestation: the dev network's simulation root (a key file shared by its services)
/// and a quoting key it endorses, from which each enclave gets an <see cref="IAttestationProvider"/> for its identity.
/// The enclave itself creates its Noise static key and attested responder with that provider.
/// Simulation mode protects against nothing a host administrator can do.
/// </summary>
public sealed class SimulatedAttestation : IDisposable
{
    private readonly SimulationRoot _root;
    private readonly SimulatedQuotingKey _quotingKey;

    private SimulatedAttestation(SimulationRoot root)
    {
        _root = root;
        _quotingKey = root.IssueQuotingKey();
    }

    /// <summary>The simulation root's public key, which a client's policy must list.</summary>
    public ReadOnlySpan<byte> RootPublicKey => _root.PublicKey;

    /// <summary>Loads (or creates) the simulation root at <paramref name="rootPath"/>.</summary>
    public static SimulatedAttestation Load(string rootPath) => new(SimulationRoot.LoadOrCreate(rootPath));

    /// <summary>The identity of the enclave named <paramref name="enclaveName"/> whose code is in <paramref name="enclaveAssembly"/>.</summary>
    public static EnclaveIdentity IdentityOf(string enclaveName, Assembly enclaveAssembly, EnclaveProductId productId) =>
        new(EnclaveMeasurement.OfAssembly(enclaveName, enclaveAssembly), EnclaveSignerId.FogSimulation, productId, SecurityVersion: 1, Debug: false);

    /// <summary>A provider that quotes for <paramref name="identity"/>.</summary>
    public IAttestationProvider ProviderFor(EnclaveIdentity identity) => new SimulatedQuotingProvider(_quotingKey, identity);

    /// <summary>The warning a service logs at start-up for an enclave of this identity.</summary>
    public string WarningFor(EnclaveIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        return $"SIMULATION MODE: the {identity.ProductId} enclave runs without a hardware TEE. Its evidence is signed by the software simulation root " +
               $"{Convert.ToHexStringLower(RootPublicKey)[..16]}…; anyone who can read that key file or this machine's memory can forge evidence or read secrets.";
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _quotingKey.Dispose();
        _root.Dispose();
    }
}
