using Microsoft.Extensions.Logging;

namespace Fog.Services.Hosting;

/// <summary>
/// The settings every server that fronts an enclave has (fog view, fog ledger), so that their start-up and checks are
/// written once. Each server keeps its own options record, with its own defaults and documentation.
/// </summary>
internal interface IEnclaveServerOptions
{
    /// <summary>The client port.</summary>
    FogEndpoint Listen { get; }

    /// <summary>The admin port, or null.</summary>
    FogEndpoint? Admin { get; }

    /// <summary>The metrics port, or null.</summary>
    FogEndpoint? Metrics { get; }

    /// <summary>The simulation root's key file.</summary>
    string SimulationRootPath { get; }

    /// <summary>The responder id, or null for the listen endpoint's host:port.</summary>
    string? ResponderId { get; }

    /// <summary>The minimum log level.</summary>
    LogLevel LogLevel { get; }

    /// <summary>Whether logs are JSON lines.</summary>
    bool JsonLogs { get; }

    /// <summary>Checks every setting; throws <see cref="ArgumentException"/> whose message names the bad one.</summary>
    void Validate();
}

/// <summary>Checks and conversions shared by the options of the servers that front an enclave.</summary>
internal static class EnclaveServerOptions
{
    /// <summary>The responder id clients attest with: the configured one, or the listen endpoint's host:port.</summary>
    public static string ResponderIdOf(IEnclaveServerOptions options) => options.ResponderId ?? $"{options.Listen.Host}:{options.Listen.Port}";

    /// <summary>The gRPC host's settings.</summary>
    public static FogServerOptions ToFogServerOptions(IEnclaveServerOptions options, string serverName) =>
        new() { Name = serverName, Listen = options.Listen, Admin = options.Admin, Metrics = options.Metrics, LogLevel = options.LogLevel, JsonLogs = options.JsonLogs };

    /// <summary>Checks the settings every enclave server has (listen endpoint, simulation root, responder id).</summary>
    public static void ValidateHostSettings(IEnclaveServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options.Listen, nameof(options.Listen));
        if (string.IsNullOrWhiteSpace(options.SimulationRootPath))
        {
            throw new ArgumentException("--simulation-root must name the simulation root's key file.");
        }

        if (options.ResponderId is { } responderId && string.IsNullOrWhiteSpace(responderId))
        {
            throw new ArgumentException("--responder-id must not be blank.");
        }
    }

    /// <summary>
    /// Runs the enclave options' own check and rethrows a failure in terms of the server's command-line flags, so an
    /// operator reads which flag to fix rather than an enclave property name.
    /// </summary>
    /// <param name="validateEnclaveOptions">The enclave options' <c>Validate</c>.</param>
    /// <param name="flagMessage">The message for the failing enclave property (the exception's parameter name), or null to keep the enclave's.</param>
    public static void ValidateEnclaveSettings(Action validateEnclaveOptions, Func<string?, string?> flagMessage)
    {
        try
        {
            validateEnclaveOptions();
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException(flagMessage(e.ParamName) ?? e.Message, e);
        }
    }
}
