using System.CommandLine;
using Fog.Client.Wallet;
using Fog.Model.Keys;

namespace Fog.Cli.Commands;

/// <summary><c>fog wallet …</c>: a wallet file encrypted with a passphrase, its addresses, balance, history and payments.</summary>
internal static class WalletCommands
{
    internal const string PassphraseVariable = "FOG_WALLET_PASSPHRASE";

    internal static Command Build()
    {
        var wallet = new Command("wallet", $"A Fog wallet: a file encrypted with a passphrase (read from ${PassphraseVariable}, --passphrase-file, or asked for).");
        wallet.Subcommands.Add(New());
        wallet.Subcommands.Add(Import());
        wallet.Subcommands.Add(Address());
        foreach (var command in WalletUseCommands.Build())
        {
            wallet.Subcommands.Add(command);
        }

        return wallet;
    }

    internal static Option<string> WalletOption() =>
        new("--wallet") { Description = "The wallet file.", DefaultValueFactory = _ => "fog-wallet.json" };

    internal static Option<string> PassphraseFileOption() =>
        new("--passphrase-file") { Description = $"A file whose first line is the passphrase (else ${PassphraseVariable}, else asked)." };

    internal static Option<string> NetworkOption() =>
        new("--network") { Description = "The network configuration (written by fog up / fog demo).", DefaultValueFactory = _ => "fog-network.json" };

    internal static Option<bool> JsonOption() => new("--json") { Description = "Print JSON for scripts." };

    /// <summary>Writes a wallet file (atomically), turning a failure to write into a one-line error.</summary>
    internal static void Save(string path, WalletContents contents, string passphrase)
    {
        try
        {
            WalletFile.Save(path, contents, passphrase);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot write the wallet file {path}: {e.Message}", FogCommand.Failure);
        }
    }

    /// <summary>Opens a wallet file, turning every failure into a one-line error.</summary>
    internal static WalletContents Open(string path, string? passphraseFile, TextWriter error)
    {
        var contents = WalletFile.TryLoad(path, Passphrase(passphraseFile, confirm: false, error), out var failure);
        return failure switch
        {
            WalletFileError.None => contents!,
            WalletFileError.NotFound => throw CliException.BadArgument("--wallet", $"no wallet at {path} (create one with fog wallet new)"),
            WalletFileError.WrongPassphraseOrTampered => throw new CliException($"the passphrase does not open {path} (or the file was altered)", FogCommand.Failure),
            _ => throw CliException.BadArgument("--wallet", $"{path} is not a Fog wallet file this version can read"),
        };
    }

    /// <summary>The passphrase: from a file, the environment, or asked on the terminal (twice when creating).</summary>
    internal static string Passphrase(string? passphraseFile, bool confirm, TextWriter error)
    {
        if (passphraseFile is not null)
        {
            if (!File.Exists(passphraseFile))
            {
                throw CliException.BadArgument("--passphrase-file", $"no file at {passphraseFile}");
            }

            return File.ReadLines(passphraseFile).FirstOrDefault() ?? "";
        }

        if (Environment.GetEnvironmentVariable(PassphraseVariable) is { } fromEnvironment)
        {
            return fromEnvironment;
        }

        if (Console.IsInputRedirected)
        {
            throw new CliException($"no passphrase: set ${PassphraseVariable} or pass --passphrase-file when input is not a terminal");
        }

        var passphrase = Ask("Wallet passphrase: ", error);
        if (confirm && Ask("Repeat the passphrase: ", error) != passphrase)
        {
            throw new CliException("the passphrases differ", FogCommand.Failure);
        }

        return passphrase;
    }

    private static string Ask(string prompt, TextWriter error)
    {
        error.Write(prompt);
        var text = new System.Text.StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                error.WriteLine();
                return text.ToString();
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                if (text.Length > 0)
                {
                    text.Length--;
                }
            }
            else if (!char.IsControl(key.KeyChar))
            {
                text.Append(key.KeyChar);
            }
        }
    }

    private static Command New()
    {
        var wallet = WalletOption();
        var passphraseFile = PassphraseFileOption();
        var network = NetworkOption();
        var noFog = new Option<bool>("--no-fog") { Description = "Create addresses without fog (senders must scan for you)." };
        var json = JsonOption();
        var command = new Command("new", "Create a wallet with a new 24-word mnemonic (printed once: write it down).") { wallet, passphraseFile, network, noFog, json };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(wallet)!;
            if (File.Exists(path))
            {
                throw CliException.BadArgument("--wallet", $"{path} already exists; choose another file (a wallet is never overwritten)");
            }

            var contents = new WalletContents { Mnemonic = Mnemonic.Generate() };
            ApplyFog(contents, parse.GetValue(network)!, parse.GetValue(noFog));
            Save(path, contents, Passphrase(parse.GetValue(passphraseFile), confirm: true, parse.InvocationConfiguration.Error));
            using var account = contents.CreateAccountKey();
            var address = account.DefaultSubaddress.ToB58();
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                CliOutput.Json(output, j =>
                {
                    j.WriteString("wallet", Path.GetFullPath(path));
                    j.WriteString("mnemonic", contents.Mnemonic);
                    j.WriteString("address", address);
                });
            }
            else
            {
                output.WriteLine($"Created {Path.GetFullPath(path)}.");
                output.WriteLine("Your mnemonic — the only way to recover this wallet. Write it down; it is not shown again:");
                output.WriteLine();
                output.WriteLine($"  {contents.Mnemonic}");
                output.WriteLine();
                output.WriteLine($"Address: {address}");
            }
        });
        return command;
    }

    private static Command Import()
    {
        var wallet = WalletOption();
        var passphraseFile = PassphraseFileOption();
        var network = NetworkOption();
        var noFog = new Option<bool>("--no-fog") { Description = "Create addresses without fog." };
        var mnemonicFile = new Option<string>("--mnemonic-file") { Description = "A file holding the mnemonic (else it is read from standard input)." };
        var accountIndex = new Option<uint>("--account-index") { Description = "The BIP-39 account index.", DefaultValueFactory = _ => 0 };
        var json = JsonOption();
        var command = new Command("import", "Create a wallet from an existing BIP-39 mnemonic.") { wallet, passphraseFile, network, noFog, mnemonicFile, accountIndex, json };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(wallet)!;
            if (File.Exists(path))
            {
                throw CliException.BadArgument("--wallet", $"{path} already exists; choose another file (a wallet is never overwritten)");
            }

            string phrase;
            if (parse.GetValue(mnemonicFile) is { } file)
            {
                phrase = File.Exists(file) ? File.ReadAllText(file) : throw CliException.BadArgument("--mnemonic-file", $"no file at {file}");
            }
            else
            {
                if (!Console.IsInputRedirected)
                {
                    parse.InvocationConfiguration.Error.Write("Mnemonic: ");
                }

                phrase = Console.In.ReadLine() ?? "";
            }

            if (!Mnemonic.TryToEntropy(phrase, out _, out var problem))
            {
                throw CliException.BadArgument("mnemonic", problem);
            }

            var contents = new WalletContents { Mnemonic = Mnemonic.Normalize(phrase), AccountIndex = parse.GetValue(accountIndex) };
            ApplyFog(contents, parse.GetValue(network)!, parse.GetValue(noFog));
            Save(path, contents, Passphrase(parse.GetValue(passphraseFile), confirm: true, parse.InvocationConfiguration.Error));
            using var account = contents.CreateAccountKey();
            var address = account.DefaultSubaddress.ToB58();
            if (parse.GetValue(json))
            {
                CliOutput.Json(parse.InvocationConfiguration.Output, j =>
                {
                    j.WriteString("wallet", Path.GetFullPath(path));
                    j.WriteString("address", address);
                });
            }
            else
            {
                parse.InvocationConfiguration.Output.WriteLine($"Imported into {Path.GetFullPath(path)}. Address: {address}");
            }
        });
        return command;
    }

    private static Command Address()
    {
        var wallet = WalletOption();
        var passphraseFile = PassphraseFileOption();
        var index = new Option<ulong>("--index") { Description = "The subaddress index.", DefaultValueFactory = _ => 0 };
        var json = JsonOption();
        var command = new Command("address", "Print the wallet's B58 address (with fog info when the wallet uses fog).") { wallet, passphraseFile, index, json };
        command.SetAction(parse =>
        {
            var contents = Open(parse.GetValue(wallet)!, parse.GetValue(passphraseFile), parse.InvocationConfiguration.Error);
            using var account = contents.CreateAccountKey();
            var address = account.Subaddress(parse.GetValue(index));
            if (parse.GetValue(json))
            {
                CliOutput.Json(parse.InvocationConfiguration.Output, j =>
                {
                    j.WriteString("address", address.ToB58());
                    j.WriteNumber("subaddress_index", parse.GetValue(index));
                    j.WriteString("fog_report_url", address.FogReportUrl);
                });
            }
            else
            {
                parse.InvocationConfiguration.Output.WriteLine(address.ToB58());
            }
        });
        return command;
    }

    private static void ApplyFog(WalletContents contents, string networkPath, bool noFog)
    {
        if (noFog)
        {
            return;
        }

        var network = CliInput.Network("--network", networkPath);
        contents.FogReportUrl = network.FogReportUrl;
        contents.FogAuthoritySpki = network.FogAuthoritySpki;
    }
}
