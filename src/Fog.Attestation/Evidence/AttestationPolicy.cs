namespace Fog.Attestation.Evidence;

/// <summary>A validated, immutable attestation policy (see <see cref="AttestationPolicyOptions"/>).</summary>
public sealed class AttestationPolicy
{
    private readonly byte[][] _trustedSimulationRoots;

    /// <summary>Creates a policy from typed values.</summary>
    /// <param name="acceptedMeasurements">At least one measurement.</param>
    /// <param name="productId">The required product id.</param>
    /// <param name="minimumSecurityVersion">The lowest accepted security version.</param>
    /// <param name="allowDebug">Whether debug enclaves are accepted.</param>
    /// <param name="trustedSimulationRoots">32-byte Ed25519 root public keys; none refuses simulated evidence.</param>
    /// <param name="acceptedSignerIds">Signer ids; none accepts any signer.</param>
    public AttestationPolicy(
        IEnumerable<EnclaveMeasurement> acceptedMeasurements,
        EnclaveProductId productId,
        ushort minimumSecurityVersion = 0,
        bool allowDebug = false,
        IEnumerable<byte[]>? trustedSimulationRoots = null,
        IEnumerable<EnclaveSignerId>? acceptedSignerIds = null)
    {
        ArgumentNullException.ThrowIfNull(acceptedMeasurements);
        AcceptedMeasurements = acceptedMeasurements.ToHashSet();
        if (AcceptedMeasurements.Count == 0)
        {
            throw new ArgumentException("A policy must accept at least one measurement.", nameof(acceptedMeasurements));
        }

        if (!Enum.IsDefined(productId))
        {
            throw new ArgumentOutOfRangeException(nameof(productId), productId, "Unknown product id.");
        }

        _trustedSimulationRoots = (trustedSimulationRoots ?? []).Select(r => (byte[])r.Clone()).ToArray();
        if (_trustedSimulationRoots.Any(r => r.Length != SimulationRoot.PublicKeySizeInBytes))
        {
            throw new ArgumentException($"A simulation root is a {SimulationRoot.PublicKeySizeInBytes}-byte Ed25519 public key.", nameof(trustedSimulationRoots));
        }

        ProductId = productId;
        MinimumSecurityVersion = minimumSecurityVersion;
        AllowDebug = allowDebug;
        AcceptedSignerIds = (acceptedSignerIds ?? []).ToHashSet();
    }

    /// <summary>The accepted measurements.</summary>
    public IReadOnlySet<EnclaveMeasurement> AcceptedMeasurements { get; }

    /// <summary>The accepted signer ids; empty accepts any.</summary>
    public IReadOnlySet<EnclaveSignerId> AcceptedSignerIds { get; }

    /// <summary>The required product id.</summary>
    public EnclaveProductId ProductId { get; }

    /// <summary>The lowest accepted security version.</summary>
    public ushort MinimumSecurityVersion { get; }

    /// <summary>Whether debug enclaves are accepted.</summary>
    public bool AllowDebug { get; }

    /// <summary>The trusted simulation roots.</summary>
    public IReadOnlyList<byte[]> TrustedSimulationRoots => _trustedSimulationRoots;

    /// <summary>True when the policy accepts simulated evidence from some root.</summary>
    public bool TrustsSimulation => _trustedSimulationRoots.Length > 0;

    /// <summary>
    /// The policy an enclave applies to peer enclaves (IX): the same measurement and product id, at least
    /// its own security version, and debug peers only if it is itself a debug enclave.
    /// </summary>
    public static AttestationPolicy ForPeersOf(EnclaveIdentity self, IEnumerable<byte[]>? trustedSimulationRoots = null)
    {
        ArgumentNullException.ThrowIfNull(self);
        return new AttestationPolicy([self.Measurement], self.ProductId, self.SecurityVersion, self.Debug, trustedSimulationRoots, [self.SignerId]);
    }

    /// <summary>Validates options and builds the policy.</summary>
    /// <exception cref="ArgumentException">The options are incomplete or malformed; the message lists every problem.</exception>
    public static AttestationPolicy FromOptions(AttestationPolicyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = Validate(options);
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid attestation policy: " + string.Join(" ", problems), nameof(options));
        }

        return new AttestationPolicy(
            options.AcceptedMeasurements.Select(EnclaveMeasurement.Parse),
            options.ProductId!.Value,
            options.MinimumSecurityVersion,
            options.AllowDebug,
            options.TrustedSimulationRoots.Select(Convert.FromHexString),
            options.AcceptedSignerIds.Select(h => EnclaveSignerId.TryParse(h, out var s) ? s : throw new FormatException(h)));
    }

    /// <summary>Every problem with the options, as sentences naming the setting; empty when valid.</summary>
    public static IReadOnlyList<string> Validate(AttestationPolicyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        if (options.AcceptedMeasurements.Count == 0)
        {
            problems.Add($"{nameof(options.AcceptedMeasurements)} is empty: list the measurement of every enclave build to accept (`fog enclave measure` prints them).");
        }

        problems.AddRange(options.AcceptedMeasurements
            .Where(m => !EnclaveMeasurement.TryParse(m, out _))
            .Select(m => $"{nameof(options.AcceptedMeasurements)} entry '{m}' is not 64 hexadecimal digits."));
        problems.AddRange(options.AcceptedSignerIds
            .Where(s => !EnclaveSignerId.TryParse(s, out _))
            .Select(s => $"{nameof(options.AcceptedSignerIds)} entry '{s}' is not 64 hexadecimal digits."));
        if (options.ProductId is not { } product)
        {
            problems.Add($"{nameof(options.ProductId)} is not set: use Consensus, Ledger, View or Ingest.");
        }
        else if (!Enum.IsDefined(product))
        {
            problems.Add($"{nameof(options.ProductId)} {(int)product} is not a known product id.");
        }

        problems.AddRange(options.TrustedSimulationRoots
            .Where(r => !IsHexOfLength(r, SimulationRoot.PublicKeySizeInBytes))
            .Select(r => $"{nameof(options.TrustedSimulationRoots)} entry '{r}' is not a 32-byte public key in hexadecimal."));
        return problems;
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"{ProductId} enclaves with one of {AcceptedMeasurements.Count} measurement(s), security version >= {MinimumSecurityVersion}, " +
        $"debug {(AllowDebug ? "allowed" : "refused")}, simulation {(TrustsSimulation ? $"trusted from {_trustedSimulationRoots.Length} root(s)" : "refused")}";

    private static bool IsHexOfLength(string? hex, int length)
    {
        if (hex is null || hex.Length != 2 * length)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[length];
        return Convert.FromHexString(hex, bytes, out _, out var written) == System.Buffers.OperationStatus.Done && written == length;
    }
}
