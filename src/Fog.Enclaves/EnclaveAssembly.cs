namespace Fog.Enclaves;

/// <summary>
/// Names the assembly that holds the enclaves' code: its bytes are what a simulated enclave's measurement covers
/// (<c>fog enclave measure</c>).
/// </summary>
public static class EnclaveAssembly
{
    /// <summary>The enclave names measured in this assembly.</summary>
    public static IReadOnlyList<string> Names { get; } = ["ingest", "view", "ledger"];
}
