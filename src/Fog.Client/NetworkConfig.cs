using System.Text.Json;
using System.Text.Json.Serialization;
using Fog.Attestation.Evidence;

namespace Fog.Client;

/// <summary>One service a client talks to: its URI and the responder id its enclave attests with.</summary>
public sealed class ServiceEndpoint
{
    /// <summary>The service's URI (insecure-fog://host:port or fog://host:port).</summary>
    public string Uri { get; set; } = "";

    /// <summary>The responder id (Noise prologue) of its enclave; default host:port.</summary>
    public string ResponderId { get; set; } = "";
}

/// <summary>
/// How a client reaches a Fog network and what it trusts: the node, fog view and fog ledger endpoints, the simulation
/// roots and the enclave measurements accepted. <c>fog up</c> and <c>fog demo</c> write one; wallets read it.
/// </summary>
public sealed class NetworkConfig
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    /// <summary>The dev node (transactions are proposed to it).</summary>
    public ServiceEndpoint Node { get; set; } = new();

    /// <summary>Fog view.</summary>
    public ServiceEndpoint View { get; set; } = new();

    /// <summary>Fog ledger.</summary>
    public ServiceEndpoint Ledger { get; set; } = new();

    /// <summary>The fog report URL to put in new fog addresses (the report server).</summary>
    public string FogReportUrl { get; set; } = "";

    /// <summary>The fog operator's root certificate SPKI (hex) for new fog addresses.</summary>
    public string FogAuthoritySpki { get; set; } = "";

    /// <summary>Simulation roots (hex Ed25519 keys) whose evidence is accepted. Simulation mode: development only.</summary>
    public List<string> TrustedSimulationRoots { get; set; } = [];

    /// <summary>Accepted measurements (hex) per enclave: consensus, ingest, view, ledger.</summary>
    public Dictionary<string, List<string>> Measurements { get; set; } = [];

    /// <summary>The attestation policy for one enclave of this network.</summary>
    public AttestationPolicy PolicyFor(string enclave, EnclaveProductId productId)
    {
        if (!Measurements.TryGetValue(enclave, out var measurements) || measurements.Count == 0)
        {
            throw new InvalidOperationException($"The network configuration accepts no measurement for the {enclave} enclave.");
        }

        return AttestationPolicy.FromOptions(new AttestationPolicyOptions
        {
            AcceptedMeasurements = measurements,
            ProductId = productId,
            TrustedSimulationRoots = TrustedSimulationRoots,
        });
    }

    /// <summary>Reads a configuration file.</summary>
    /// <exception cref="InvalidDataException">The file is not a network configuration; the message says where.</exception>
    public static NetworkConfig Load(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<NetworkConfig>(File.ReadAllBytes(path), Json)
                ?? throw new InvalidDataException($"{path} is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not a Fog network configuration: {e.Message}", e);
        }
    }

    /// <summary>Writes this configuration.</summary>
    public void Save(string path) => File.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(this, Json));
}
