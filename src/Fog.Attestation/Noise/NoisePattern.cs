namespace Fog.Attestation.Noise;

/// <summary>The Noise handshake patterns Fog uses (spec §7.5), all with 25519, AESGCM and SHA512.</summary>
public enum NoisePattern
{
    /// <summary><c>-&gt; e; &lt;- e, ee</c>: unauthenticated; kept for the test vectors.</summary>
    NN,

    /// <summary><c>-&gt; e; &lt;- e, ee, s, es</c>: client to enclave; the enclave's static key and evidence travel in message 2.</summary>
    NX,

    /// <summary><c>-&gt; e, s; &lt;- e, ee, se, s, es</c>: enclave to enclave; both sides send static keys and evidence.</summary>
    IX,
}

/// <summary>Protocol names of the patterns.</summary>
public static class NoiseProtocolNames
{
    /// <summary>Client to enclave.</summary>
    public const string NX = "Noise_NX_25519_AESGCM_SHA512";

    /// <summary>Enclave to enclave.</summary>
    public const string IX = "Noise_IX_25519_AESGCM_SHA512";

    /// <summary>Unauthenticated (tests only).</summary>
    public const string NN = "Noise_NN_25519_AESGCM_SHA512";

    /// <summary>The full protocol name of a pattern.</summary>
    public static string Of(NoisePattern pattern) => pattern switch
    {
        NoisePattern.NN => NN,
        NoisePattern.NX => NX,
        NoisePattern.IX => IX,
        _ => throw new ArgumentOutOfRangeException(nameof(pattern), pattern, "Unknown Noise pattern."),
    };
}
