namespace Fog.Services.Hosting;

/// <summary>
/// The background loop that fills an enclave's oblivious map (records from the recovery DB for fog view, key images
/// from the chain for fog ledger). Its first catch-up is what makes the server ready.
/// </summary>
internal interface IEnclaveLoader
{
    /// <summary>Whether the first catch-up finished.</summary>
    bool IsCaughtUp { get; }

    /// <summary>Completes when the first catch-up finished.</summary>
    Task CaughtUp { get; }

    /// <summary>Loads until cancelled (or until loading cannot go on; the loader says why in its log).</summary>
    Task RunAsync(CancellationToken cancellationToken);
}
