using System.CommandLine;
using Fog.Attestation.Evidence;
using Fog.Services.Hosting;

namespace Fog.Cli.Commands;

/// <summary><c>fog enclave measure</c>: the measurements clients' policies must list for this build.</summary>
internal static class EnclaveCommands
{
    /// <summary>Every enclave of this build: its name (part of its measurement), product id and code assembly.</summary>
    internal static IReadOnlyList<(string Name, EnclaveProductId ProductId, System.Reflection.Assembly Assembly)> Enclaves { get; } =
    [
        ("consensus", EnclaveProductId.Consensus, typeof(Fog.Node.DevNode).Assembly),
        ("ingest", EnclaveProductId.Ingest, typeof(Fog.Enclaves.EnclaveAssembly).Assembly),
        ("view", EnclaveProductId.View, typeof(Fog.Enclaves.EnclaveAssembly).Assembly),
        ("ledger", EnclaveProductId.Ledger, typeof(Fog.Enclaves.EnclaveAssembly).Assembly),
    ];

    internal static Command Build()
    {
        var enclave = new Command("enclave", "Enclave identities of this build.");
        var measure = new Command("measure", "Print each enclave's measurement (SHA-256 over its name and code), product id, signer and security version, as JSON.");
        measure.SetAction(parse => CliOutput.Json(parse.InvocationConfiguration.Output, json =>
        {
            foreach (var (name, productId, assembly) in Enclaves)
            {
                var identity = SimulatedAttestation.IdentityOf(name, assembly, productId);
                json.WriteStartObject(name);
                json.WriteString("measurement", identity.Measurement.ToHex());
                json.WriteString("product_id", productId.ToString());
                json.WriteNumber("product_id_number", (ushort)productId);
                json.WriteString("signer_id", identity.SignerId.ToHex());
                json.WriteNumber("security_version", identity.SecurityVersion);
                json.WriteString("mode", "simulation");
                json.WriteEndObject();
            }
        }));
        enclave.Subcommands.Add(measure);
        return enclave;
    }
}
