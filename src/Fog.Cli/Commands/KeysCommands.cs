using System.CommandLine;
using Fog.Model.Keys;

namespace Fog.Cli.Commands;

/// <summary><c>fog keys …</c>: derive account and subaddress keys.</summary>
internal static class KeysCommands
{
    internal static Command Build()
    {
        var keys = new Command("keys", "Derive MobileCoin account and subaddress keys.");
        keys.Subcommands.Add(FromEntropy());
        keys.Subcommands.Add(FromMnemonic());
        keys.Subcommands.Add(Subaddress());
        return keys;
    }

    private static Command FromEntropy()
    {
        var entropy = new Argument<string>("root-entropy") { Description = "32 bytes of root entropy, hex." };
        var command = new Command("from-entropy", "Account keys from 32 bytes of root entropy (HKDF-BLAKE2b).") { entropy };
        command.SetAction(parse =>
        {
            using var account = AccountKey.FromRootEntropy(CliInput.Hex("root-entropy", parse.GetValue(entropy), 32));
            WriteAccount(parse.InvocationConfiguration.Output, account);
        });
        return command;
    }

    private static Command FromMnemonic()
    {
        var phrase = new Argument<string>("phrase") { Description = "A BIP-39 English mnemonic, quoted." };
        var accountIndex = new Option<uint>("--account-index") { Description = "The account index in m/44'/866'/index'.", DefaultValueFactory = _ => 0 };
        var command = new Command("from-mnemonic", "Account keys from a BIP-39 mnemonic (SLIP-10, as MobileCoin wallets derive them).") { phrase, accountIndex };
        command.SetAction(parse =>
        {
            var text = parse.GetValue(phrase) ?? "";
            if (!Mnemonic.TryToEntropy(text, out _, out var error))
            {
                throw CliException.BadArgument("phrase", error);
            }

            using var account = AccountKey.FromMnemonic(text, parse.GetValue(accountIndex));
            WriteAccount(parse.InvocationConfiguration.Output, account);
        });
        return command;
    }

    private static Command Subaddress()
    {
        var view = new Option<string>("--view-private") { Description = "The root view private key, hex (32 bytes, or the 34-byte protobuf form).", Required = true };
        var spend = new Option<string>("--spend-private") { Description = "The root spend private key, hex.", Required = true };
        var index = new Option<ulong>("--index") { Description = "The subaddress index.", DefaultValueFactory = _ => 0 };
        var command = new Command("subaddress", "Subaddress private and public keys from root keys.") { view, spend, index };
        command.SetAction(parse =>
        {
            using var account = new AccountKey(
                CliInput.PrivateKey("--spend-private", parse.GetValue(spend)),
                CliInput.PrivateKey("--view-private", parse.GetValue(view)));
            var i = parse.GetValue(index);
            using var viewPrivate = account.SubaddressViewPrivate(i);
            using var spendPrivate = account.SubaddressSpendPrivate(i);
            CliOutput.Json(parse.InvocationConfiguration.Output, json =>
            {
                json.WriteHex("subaddress_view_private_key", viewPrivate.Export());
                json.WriteHex("subaddress_spend_private_key", spendPrivate.Export());
                json.WriteHex("subaddress_view_public_key", viewPrivate.PublicKey.Bytes);
                json.WriteHex("subaddress_spend_public_key", spendPrivate.PublicKey.Bytes);
            });
        });
        return command;
    }

    private static void WriteAccount(TextWriter output, AccountKey account) =>
        CliOutput.Json(output, json =>
        {
            json.WriteHex("view_private_key", account.ViewPrivateKey.Export());
            json.WriteHex("spend_private_key", account.SpendPrivateKey.Export());
        });
}
