using Fog.Attestation.Channels;
using Fog.Attestation.Evidence;
using Fog.Attestation.Noise;

namespace Fog.Attestation.Tests;

/// <summary>Builders for simulated enclaves and matching policies.</summary>
internal static class TestEnclaves
{
    public const string ResponderId = "echo.test:443";

    public static readonly EnclaveMeasurement Measurement = EnclaveMeasurement.Compute("test-echo-enclave", "echo enclave code v1"u8);
    public static readonly EnclaveMeasurement OtherMeasurement = EnclaveMeasurement.Compute("test-echo-enclave", "echo enclave code v2"u8);

    public static EnclaveIdentity Identity(
        EnclaveMeasurement? measurement = null,
        EnclaveProductId product = EnclaveProductId.View,
        ushort securityVersion = 5,
        bool debug = false) =>
        new(measurement ?? Measurement, EnclaveSignerId.FogSimulation, product, securityVersion, debug);

    public static AttestationPolicy Policy(
        SimulationRoot trustedRoot,
        EnclaveMeasurement? measurement = null,
        EnclaveProductId product = EnclaveProductId.View,
        ushort minimumSecurityVersion = 5,
        bool allowDebug = false) =>
        new([measurement ?? Measurement], product, minimumSecurityVersion, allowDebug, [trustedRoot.PublicKey.ToArray()]);

    public static SimulatedEvidenceVerifier Verifier(SimulationRoot trustedRoot, EnclaveMeasurement? measurement = null, EnclaveProductId product = EnclaveProductId.View, ushort minimumSecurityVersion = 5, bool allowDebug = false) =>
        new(Policy(trustedRoot, measurement, product, minimumSecurityVersion, allowDebug));
}

/// <summary>A simulated enclave: static key, quoting key, provider and responder.</summary>
internal sealed class TestEnclave : IDisposable
{
    public TestEnclave(
        SimulationRoot root,
        EnclaveIdentity? identity = null,
        int maxSessions = AttestedResponderOptions.DefaultMaxSessions,
        IEvidenceVerifier? peerVerifier = null,
        Func<IAttestationProvider, IAttestationProvider>? wrapProvider = null,
        byte[]? customIdentity = null)
    {
        StaticKey = NoiseKeyPair.Generate();
        QuotingKey = root.IssueQuotingKey();
        Provider = new SimulatedQuotingProvider(QuotingKey, identity ?? TestEnclaves.Identity());
        var provider = wrapProvider is null ? Provider : wrapProvider(Provider);
        Responder = new AttestedResponder(
            new AttestedResponderOptions { ResponderId = TestEnclaves.ResponderId, MaxSessions = maxSessions },
            StaticKey,
            provider,
            peerVerifier,
            customIdentity);
    }

    public NoiseKeyPair StaticKey { get; }

    public SimulatedQuotingKey QuotingKey { get; }

    public SimulatedQuotingProvider Provider { get; }

    public AttestedResponder Responder { get; }

    /// <summary>Runs an NX handshake in process.</summary>
    public AttestedChannel Connect(IEvidenceVerifier verifier)
    {
        using var initiator = AttestedInitiator.StartClient(TestEnclaves.ResponderId);
        Assert.True(Responder.TryAccept(initiator.CreateRequest(), out var reply, out _, out var acceptError), acceptError?.ToString());
        Assert.True(initiator.TryComplete(reply, verifier, out var channel, out var error), error?.ToString());
        return channel;
    }

    public void Dispose()
    {
        Responder.Dispose();
        QuotingKey.Dispose();
        StaticKey.Dispose();
    }
}

/// <summary>
/// A man in the middle's provider: it presents genuine evidence that was made for another enclave's
/// static key, whatever key the handshake actually uses.
/// </summary>
internal sealed class RelayedEvidenceProvider(IAttestationProvider genuine, byte[] genuineStaticKey) : IAttestationProvider
{
    public bool IsSimulation => genuine.IsSimulation;

    public EnclaveIdentity Identity => genuine.Identity;

    public byte[] CreateEvidence(ReadOnlySpan<byte> noiseStaticPublicKey, ReadOnlySpan<byte> customIdentity) =>
        genuine.CreateEvidence(genuineStaticKey, customIdentity);
}
