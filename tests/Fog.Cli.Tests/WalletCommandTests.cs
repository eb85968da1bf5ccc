namespace Fog.Cli.Tests;

/// <summary>Wallet files: created once, opened only with the passphrase, never overwritten.</summary>
public sealed class WalletCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("fog-wallet-test-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string PassphraseFile(string passphrase)
    {
        var path = Path.Combine(_directory, Guid.NewGuid().ToString("N"));
        File.WriteAllText(path, passphrase + "\n");
        return path;
    }

    [Fact]
    public void New_wallet_prints_its_mnemonic_once_and_opens_only_with_its_passphrase()
    {
        var wallet = Path.Combine(_directory, "w.json");
        var good = PassphraseFile("correct horse");
        var created = CliRunner.Run("wallet", "new", "--wallet", wallet, "--no-fog", "--passphrase-file", good, "--json");
        Assert.Equal(0, created.ExitCode);
        var mnemonic = created.Json.GetProperty("mnemonic").GetString()!;
        Assert.Equal(24, mnemonic.Split(' ').Length);
        Assert.DoesNotContain(mnemonic.Split(' ')[0] + " " + mnemonic.Split(' ')[1], File.ReadAllText(wallet), StringComparison.Ordinal);

        var address = CliRunner.Run("wallet", "address", "--wallet", wallet, "--passphrase-file", good);
        Assert.Equal(0, address.ExitCode);
        Assert.Equal(created.Json.GetProperty("address").GetString(), address.Output.Trim());

        var wrong = CliRunner.Run("wallet", "address", "--wallet", wallet, "--passphrase-file", PassphraseFile("wrong"));
        Assert.Equal(1, wrong.ExitCode);
        Assert.Contains("passphrase", wrong.Error, StringComparison.Ordinal);

        var again = CliRunner.Run("wallet", "new", "--wallet", wallet, "--no-fog", "--passphrase-file", good);
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("already exists", again.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Imported_mnemonic_gives_the_same_keys_as_the_key_tools()
    {
        var mnemonicFile = Path.Combine(_directory, "mnemonic.txt");
        const string Phrase = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
        File.WriteAllText(mnemonicFile, Phrase);
        var wallet = Path.Combine(_directory, "imported.json");
        var passphrase = PassphraseFile("p");
        var imported = CliRunner.Run("wallet", "import", "--wallet", wallet, "--no-fog", "--mnemonic-file", mnemonicFile, "--passphrase-file", passphrase, "--json");
        Assert.Equal(0, imported.ExitCode);

        using var account = Model.Keys.AccountKey.FromMnemonic(Phrase);
        Assert.Equal(account.DefaultSubaddress.ToB58(), imported.Json.GetProperty("address").GetString());

        File.WriteAllText(mnemonicFile, "abandon abandon abandon");
        var bad = CliRunner.Run("wallet", "import", "--wallet", Path.Combine(_directory, "bad.json"), "--no-fog", "--mnemonic-file", mnemonicFile, "--passphrase-file", passphrase);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("mnemonic", bad.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Wallet_that_is_not_a_wallet_is_refused_clearly()
    {
        var path = Path.Combine(_directory, "garbage.json");
        File.WriteAllText(path, "{\"format\":\"something\"}");
        var result = CliRunner.Run("wallet", "address", "--wallet", path, "--passphrase-file", PassphraseFile("p"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("not a Fog wallet", result.Error, StringComparison.Ordinal);
    }
}
