using System.Diagnostics;
using System.Security.Cryptography;
using Fog.Attestation.Channels;
using Fog.Attestation.Evidence;
using Fog.Attestation.Noise;
using NSec.Cryptography;

namespace Fog.Bench.Attestation;

/// <summary>Settings of <see cref="AttestationBench.Run"/>.</summary>
public sealed class AttestationBenchOptions
{
    /// <summary>Timed handshakes (each one sample). Default: 300.</summary>
    public int Handshakes { get; set; } = 300;

    /// <summary>Samples of round trips. Default: 60.</summary>
    public int RoundTripSamples { get; set; } = 60;

    /// <summary>Round trips per sample. Default: 200.</summary>
    public int RoundTripsPerSample { get; set; } = 200;

    /// <summary>Message size for round trips. Default: 1 KiB.</summary>
    public int MessageSize { get; set; } = 1024;
}

/// <summary>One measurement: a median and the median of its baseline, measured in the same run.</summary>
/// <param name="Name">What was measured.</param>
/// <param name="MedianMicroseconds">Median time per operation.</param>
/// <param name="Baseline">What the baseline is.</param>
/// <param name="BaselineMedianMicroseconds">Median time per baseline operation.</param>
public sealed record AttestationBenchResult(string Name, double MedianMicroseconds, string Baseline, double BaselineMedianMicroseconds)
{
    /// <summary>Median over baseline median.</summary>
    public double Ratio => MedianMicroseconds / BaselineMedianMicroseconds;
}

/// <summary>Results of one run.</summary>
/// <param name="Results">Every measurement.</param>
/// <param name="MessageSize">Round-trip message size.</param>
/// <param name="RoundTripMicroseconds">Median time of one encrypted round trip.</param>
public sealed record AttestationBenchReport(IReadOnlyList<AttestationBenchResult> Results, int MessageSize, double RoundTripMicroseconds)
{
    /// <summary>Payload bytes moved per second by round trips (request plus reply), in MiB/s.</summary>
    public double RoundTripThroughputMiBPerSecond => 2.0 * MessageSize / (RoundTripMicroseconds / 1e6) / (1024 * 1024);

    /// <inheritdoc />
    public override string ToString()
    {
        var lines = new List<string> { $"{"measurement",-58} {"median µs",10}  {"baseline",-58} {"median µs",10} {"ratio",7}" };
        lines.AddRange(Results.Select(r => $"{r.Name,-58} {r.MedianMicroseconds,10:F2}  {r.Baseline,-58} {r.BaselineMedianMicroseconds,10:F2} {r.Ratio,7:F2}"));
        lines.Add($"round-trip throughput ({MessageSize}-byte request + reply): {RoundTripThroughputMiBPerSecond:F1} MiB/s, {1e6 / RoundTripMicroseconds:F0} round trips/s");
        return string.Join(Environment.NewLine, lines);
    }
}

/// <summary>
/// In-process benchmark of attested channels: the full NX handshake with simulated evidence (client and
/// enclave sides, evidence verification included) and encrypted 1 KiB round trips, each with a ratio
/// against a baseline of raw primitives measured in the same run.
/// </summary>
public static class AttestationBench
{
    /// <summary>Runs every measurement.</summary>
    public static AttestationBenchReport Run(AttestationBenchOptions? options = null)
    {
        options ??= new AttestationBenchOptions();
        using var root = SimulationRoot.Generate();
        using var quotingKey = root.IssueQuotingKey();
        var measurement = EnclaveMeasurement.Compute("bench-enclave", "bench"u8);
        var provider = new SimulatedQuotingProvider(quotingKey, new EnclaveIdentity(measurement, EnclaveSignerId.FogSimulation, EnclaveProductId.View, 1, false));
        var verifier = new SimulatedEvidenceVerifier(new AttestationPolicy([measurement], EnclaveProductId.View, 1, false, [root.PublicKey.ToArray()]));
        using var staticKey = NoiseKeyPair.Generate();
        using var responder = new AttestedResponder(new AttestedResponderOptions { ResponderId = "bench:443", MaxSessions = 1024 }, staticKey, provider);

        // Baselines: the raw primitives.
        using var dhKey = Key.Create(KeyAgreementAlgorithm.X25519);
        using var dhPeer = Key.Create(KeyAgreementAlgorithm.X25519);
        var dh = Median(options.Handshakes, () =>
        {
            using var shared = KeyAgreementAlgorithm.X25519.Agree(dhKey, dhPeer.PublicKey);
        });
        var keyGeneration = Median(options.Handshakes, () =>
        {
            using var key = Key.Create(KeyAgreementAlgorithm.X25519);
        });
        using var signingKey = Key.Create(SignatureAlgorithm.Ed25519);
        var signature = SignatureAlgorithm.Ed25519.Sign(signingKey, "quote"u8);
        var verify = Median(options.Handshakes, () => SignatureAlgorithm.Ed25519.Verify(signingKey.PublicKey, "quote"u8, signature));

        // NX handshake: the client generates e and computes ee, es; the enclave generates e and computes
        // ee, es; the client verifies two Ed25519 signatures (root endorsement, quote).
        var floor = (4 * dh) + (2 * keyGeneration) + (2 * verify);
        var handshake = Median(options.Handshakes, () =>
        {
            using var initiator = AttestedInitiator.StartClient("bench:443");
            if (!responder.TryAccept(initiator.CreateRequest(), out var reply, out var channelId, out var error)
                || !initiator.TryComplete(reply, verifier, out var channel, out error))
            {
                throw new InvalidOperationException(error.ToString());
            }

            channel.Dispose();
            responder.CloseSession(channelId);
        });

        // Round trips of MessageSize bytes each way.
        var request = RandomNumberGenerator.GetBytes(options.MessageSize);
        var response = RandomNumberGenerator.GetBytes(options.MessageSize);
        using var init = AttestedInitiator.StartClient("bench:443");
        if (!responder.TryAccept(init.CreateRequest(), out var firstReply, out _, out var firstError) || !init.TryComplete(firstReply, verifier, out var client, out firstError))
        {
            throw new InvalidOperationException(firstError.ToString());
        }

        using (client)
        {
            var roundTrip = Median(options.RoundTripSamples, () =>
            {
                for (var i = 0; i < options.RoundTripsPerSample; i++)
                {
                    var message = client.Encrypt(request);
                    if (!responder.TryDecrypt(message, out _, out var error)
                        || !responder.TryEncrypt(message.ChannelId.Span, response, [], out var reply, out error)
                        || !client.TryDecrypt(reply, out _, out error))
                    {
                        throw new InvalidOperationException(error.ToString());
                    }
                }
            }) / options.RoundTripsPerSample;

            // Baseline: the four AES-256-GCM operations of a round trip, on preallocated buffers.
            using var aes = new AesGcm(RandomNumberGenerator.GetBytes(32), 16);
            var nonce = new byte[12];
            var ciphertext = new byte[options.MessageSize];
            var plaintext = new byte[options.MessageSize];
            var tag = new byte[16];
            var rawAes = Median(options.RoundTripSamples, () =>
            {
                for (var i = 0; i < options.RoundTripsPerSample; i++)
                {
                    for (var direction = 0; direction < 2; direction++)
                    {
                        aes.Encrypt(nonce, request, ciphertext, tag);
                        aes.Decrypt(nonce, ciphertext, tag, plaintext);
                    }
                }
            }) / options.RoundTripsPerSample;

            return new AttestationBenchReport(
                [
                    new("NX handshake with simulated evidence (both sides + verify)", handshake, "one raw X25519 DH", dh),
                    new("NX handshake with simulated evidence (both sides + verify)", handshake, "4 X25519 DH + 2 X25519 keygen + 2 Ed25519 verify", floor),
                    new($"encrypted round trip, {options.MessageSize} B each way", roundTrip, $"raw AES-256-GCM: 2 encrypt + 2 decrypt of {options.MessageSize} B", rawAes),
                ],
                options.MessageSize,
                roundTrip);
        }
    }

    /// <summary>Median wall time of <paramref name="action"/> in microseconds, after a warm-up.</summary>
    private static double Median(int samples, Action action)
    {
        for (var i = 0; i < Math.Max(3, samples / 10); i++)
        {
            action();
        }

        var times = new double[samples];
        for (var i = 0; i < samples; i++)
        {
            var start = Stopwatch.GetTimestamp();
            action();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }

        Array.Sort(times);
        return samples % 2 == 1 ? times[samples / 2] : (times[(samples / 2) - 1] + times[samples / 2]) / 2;
    }
}
