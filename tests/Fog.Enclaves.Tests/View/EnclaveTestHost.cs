using Fog.Attestation;
using Fog.Attestation.Channels;
using Fog.Attestation.Evidence;
using Fog.Enclaves.KeyImage;
using Fog.Enclaves.View;
using Fog.Oblivious.Storage;

namespace Fog.Enclaves.Tests.View;

/// <summary>A simulation root and quoting key from which test view and key-image enclaves are made, and clients that attest them.</summary>
internal sealed class EnclaveTestHost : IDisposable
{
    public const string ViewResponderId = "view-test:5200";
    public const string LedgerResponderId = "ledger-test:7200";

    private SimulatedQuotingKey? _quotingKey;

    public SimulationRoot Root { get; } = SimulationRoot.Generate();

    public SimulatedQuotingKey QuotingKey => _quotingKey ??= Root.IssueQuotingKey();

    public static EnclaveIdentity Identity(string name, EnclaveProductId productId) =>
        new(EnclaveMeasurement.OfAssembly(name, typeof(EnclaveAssembly).Assembly), EnclaveSignerId.FogSimulation, productId, 1, false);

    public IViewEnclave CreateView(ulong capacity = 256, int maxKeys = ViewEnclaveOptions.DefaultMaxSearchKeysPerQuery, AccessTrace? trace = null) =>
        ViewEnclaveFactory.Create(
            new SimulatedQuotingProvider(QuotingKey, Identity(ViewEnclaveFactory.EnclaveName, EnclaveProductId.View)),
            ViewResponderId,
            new ViewEnclaveOptions { Capacity = capacity, MaxSearchKeysPerQuery = maxKeys, Storage = new OramStorageOptions { Trace = trace } });

    public IKeyImageEnclave CreateKeyImage(ulong capacity = 256, int maxKeyImages = KeyImageEnclaveOptions.DefaultMaxKeyImagesPerQuery, AccessTrace? trace = null) =>
        KeyImageEnclaveFactory.Create(
            new SimulatedQuotingProvider(QuotingKey, Identity(KeyImageEnclaveFactory.EnclaveName, EnclaveProductId.Ledger)),
            LedgerResponderId,
            new KeyImageEnclaveOptions { Capacity = capacity, MaxKeyImagesPerQuery = maxKeyImages, Storage = new OramStorageOptions { Trace = trace } });

    public AttestationPolicy Policy(string name, EnclaveProductId productId) =>
        new([Identity(name, productId).Measurement], productId, trustedSimulationRoots: [Root.PublicKey.ToArray()]);

    /// <summary>Runs a client NX handshake through <paramref name="accept"/> and returns the client's channel.</summary>
    public AttestedChannel Connect(string responderId, AttestationPolicy policy, AcceptFunc accept)
    {
        using var initiator = AttestedInitiator.StartClient(responderId);
        Assert.True(accept(initiator.CreateRequest(), out var reply, out var error), error?.ToString());
        Assert.True(initiator.TryComplete(reply, new SimulatedEvidenceVerifier(policy), out var channel, out var completeError), completeError?.ToString());
        return channel;
    }

    public AttestedChannel ConnectView(IViewEnclave enclave) =>
        Connect(ViewResponderId, Policy(ViewEnclaveFactory.EnclaveName, EnclaveProductId.View), (byte[] r, out byte[]? o, out AttestError? e) => enclave.TryAccept(r, out o, out e));

    public AttestedChannel ConnectLedger(IKeyImageEnclave enclave) =>
        Connect(LedgerResponderId, Policy(KeyImageEnclaveFactory.EnclaveName, EnclaveProductId.Ledger), (byte[] r, out byte[]? o, out AttestError? e) => enclave.TryAccept(r, out o, out e));

    public void Dispose()
    {
        _quotingKey?.Dispose();
        Root.Dispose();
    }

    public delegate bool AcceptFunc(byte[] request, out byte[]? response, out AttestError? error);
}

/// <summary>The shape of a storage trace: everything but the (random) leaves, which must be uniform, not equal.</summary>
internal static class TraceShape
{
    public static List<(int StorageId, StorageAccessKind Kind, int Buckets, int Untrusted)> Of(AccessTrace trace) =>
        trace.Events.Select(e => (e.StorageId, e.Kind, e.BucketCount, e.UntrustedBucketCount)).ToList();
}
