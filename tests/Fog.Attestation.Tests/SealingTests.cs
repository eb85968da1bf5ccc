using Fog.Attestation.Evidence;
using Fog.Attestation.Sealing;

namespace Fog.Attestation.Tests;

public sealed class SealingTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("fog-sealing-").FullName;

    [Fact]
    public void A_sealed_blob_unseals_under_the_same_measurement()
    {
        using var secret = MachineSealingSecret.LoadOrCreate(SecretPath);
        using var sealer = new Sealer(secret, TestEnclaves.Measurement);
        var blob = sealer.Seal("ingress private key"u8, "ingest state v1"u8);

        Assert.True(sealer.TryUnseal(blob, out var plaintext, out _, "ingest state v1"u8));
        Assert.Equal("ingress private key"u8.ToArray(), plaintext);
        Assert.Equal(TestEnclaves.Measurement, Sealer.ReadMeasurement(blob));
    }

    [Fact]
    public void A_sealed_blob_does_not_unseal_under_another_measurement()
    {
        using var secret = MachineSealingSecret.LoadOrCreate(SecretPath);
        using var sealer = new Sealer(secret, TestEnclaves.Measurement);
        using var other = new Sealer(secret, TestEnclaves.OtherMeasurement);
        var blob = sealer.Seal("secret"u8);

        Assert.False(other.TryUnseal(blob, out var plaintext, out var error));
        Assert.Null(plaintext);
        Assert.Equal(UnsealError.MeasurementMismatch, error);

        // Rewriting the header's measurement does not help: the key is derived from the measurement.
        var relabelled = (byte[])blob.Clone();
        TestEnclaves.OtherMeasurement.Value.CopyTo(relabelled.AsSpan(1));
        Assert.False(other.TryUnseal(relabelled, out _, out error));
        Assert.Equal(UnsealError.AuthenticationFailed, error);
    }

    [Fact]
    public void Tampered_truncated_or_foreign_blobs_are_rejected_with_their_reason()
    {
        using var secret = MachineSealingSecret.LoadOrCreate(SecretPath);
        using var sealer = new Sealer(secret, TestEnclaves.Measurement);
        var blob = sealer.Seal("secret"u8, "aad"u8);

        var flipped = (byte[])blob.Clone();
        flipped[^20] ^= 1;
        Assert.False(sealer.TryUnseal(flipped, out _, out var error, "aad"u8));
        Assert.Equal(UnsealError.AuthenticationFailed, error);

        Assert.False(sealer.TryUnseal(blob, out _, out error, "other aad"u8));
        Assert.Equal(UnsealError.AuthenticationFailed, error);

        Assert.False(sealer.TryUnseal(blob.AsSpan(0, 20), out _, out error));
        Assert.Equal(UnsealError.Malformed, error);

        var future = (byte[])blob.Clone();
        future[0] = 2;
        Assert.False(sealer.TryUnseal(future, out _, out error, "aad"u8));
        Assert.Equal(UnsealError.UnsupportedVersion, error);

        using var otherMachine = MachineSealingSecret.CreateEphemeral();
        using var foreign = new Sealer(otherMachine, TestEnclaves.Measurement);
        Assert.False(foreign.TryUnseal(blob, out _, out error, "aad"u8));
        Assert.Equal(UnsealError.AuthenticationFailed, error);
    }

    [Fact]
    public void The_sealing_secret_file_is_created_owner_only_and_reloaded_across_restarts()
    {
        byte[] blob;
        using (var secret = MachineSealingSecret.LoadOrCreate(SecretPath))
        using (var sealer = new Sealer(secret, TestEnclaves.Measurement))
        {
            blob = sealer.Seal("survives a restart"u8);
        }

        Assert.Equal(MachineSealingSecret.SizeInBytes, new FileInfo(SecretPath).Length);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(SecretPath));
        }

        using var reloaded = MachineSealingSecret.LoadOrCreate(SecretPath);
        using var again = new Sealer(reloaded, TestEnclaves.Measurement);
        Assert.True(again.TryUnseal(blob, out var plaintext, out _));
        Assert.Equal("survives a restart"u8.ToArray(), plaintext);
    }

    [Fact]
    public void A_sealing_secret_file_others_can_read_or_of_the_wrong_size_is_refused()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var wrongSize = Path.Combine(_directory, "short");
        File.WriteAllBytes(wrongSize, new byte[5]);
        File.SetUnixFileMode(wrongSize, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Assert.Contains("exactly 32", Assert.Throws<InvalidOperationException>(() => MachineSealingSecret.LoadOrCreate(wrongSize)).Message);

        var open = Path.Combine(_directory, "open");
        File.WriteAllBytes(open, new byte[32]);
        File.SetUnixFileMode(open, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        Assert.Contains("chmod 600", Assert.Throws<InvalidOperationException>(() => MachineSealingSecret.LoadOrCreate(open)).Message);
    }

    [Fact]
    public void Secrets_never_show_in_ToString()
    {
        using var secret = MachineSealingSecret.LoadOrCreate(SecretPath);
        var bytes = File.ReadAllBytes(SecretPath);
        Assert.DoesNotContain(Convert.ToHexString(bytes[..4]), secret.ToString(), StringComparison.OrdinalIgnoreCase);
        using var root = SimulationRoot.Generate();
        Assert.Contains(root.PublicKeyHex, root.ToString());
    }

    [Fact]
    public void A_simulation_root_loaded_from_its_file_is_the_same_root_after_a_restart()
    {
        var path = Path.Combine(_directory, "sim-root.key");
        string first;
        using (var root = SimulationRoot.LoadOrCreate(path))
        {
            first = root.PublicKeyHex;
        }

        using var again = SimulationRoot.LoadOrCreate(path);
        Assert.Equal(first, again.PublicKeyHex);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }

        // A quoting key it issues is accepted by a policy that trusts the reloaded root.
        using var quotingKey = again.IssueQuotingKey();
        var staticKey = new byte[32];
        staticKey[0] = 1;
        var evidence = new SimulatedQuotingProvider(quotingKey, TestEnclaves.Identity()).CreateEvidence(staticKey, []);
        Assert.True(TestEnclaves.Verifier(again).TryVerify(evidence, staticKey, out _, out var error), error?.ToString());
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string SecretPath => Path.Combine(_directory, "nested", "sealing.key");
}
