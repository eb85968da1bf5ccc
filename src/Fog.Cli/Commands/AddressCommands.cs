using System.CommandLine;
using Fog.Model.Addresses;
using Fog.Model.Keys;

namespace Fog.Cli.Commands;

/// <summary><c>fog address …</c>: printable (B58) public addresses.</summary>
internal static class AddressCommands
{
    internal static Command Build()
    {
        var address = new Command("address", "Encode and decode printable (B58) public addresses.");
        address.Subcommands.Add(Encode());
        address.Subcommands.Add(Decode());
        address.Subcommands.Add(FromEntropy());
        return address;
    }

    private static Command Encode()
    {
        var view = new Option<string>("--view-public") { Description = "The subaddress view public key, hex.", Required = true };
        var spend = new Option<string>("--spend-public") { Description = "The subaddress spend public key, hex.", Required = true };
        var (url, id) = FogOptions();
        var sig = new Option<string>("--fog-authority-sig") { Description = "The 64-byte fog authority signature, hex." };
        var command = new Command("encode", "The B58 string of an address given its fields.") { view, spend, url, id, sig };
        command.SetAction(parse =>
        {
            var signature = parse.GetValue(sig) is { } hex ? CliInput.Hex("--fog-authority-sig", hex, 64) : [];
            var fogUrl = parse.GetValue(url) ?? "";
            if (signature.Length > 0 && fogUrl.Length == 0)
            {
                throw CliException.BadArgument("--fog-authority-sig", "a fog authority signature needs --fog-report-url");
            }

            var result = new PublicAddress(
                CliInput.PublicKey("--view-public", parse.GetValue(view)),
                CliInput.PublicKey("--spend-public", parse.GetValue(spend)),
                fogUrl,
                parse.GetValue(id) ?? "",
                signature);
            parse.InvocationConfiguration.Output.WriteLine(result.ToB58());
        });
        return command;
    }

    private static Command Decode()
    {
        var b58 = new Argument<string>("b58") { Description = "A B58 public address." };
        var command = new Command("decode", "Every field of a B58 address, as JSON.") { b58 };
        command.SetAction(parse =>
        {
            if (!PublicAddress.TryParseB58(parse.GetValue(b58) ?? "", out var address, out var error))
            {
                throw CliException.BadArgument("b58", error.Describe());
            }

            CliOutput.Json(parse.InvocationConfiguration.Output, json =>
            {
                json.WriteHex("view_public_key", address.ViewPublicKey.Bytes);
                json.WriteHex("spend_public_key", address.SpendPublicKey.Bytes);
                json.WriteString("fog_report_url", address.FogReportUrl);
                json.WriteString("fog_report_id", address.FogReportId);
                json.WriteHex("fog_authority_sig", address.FogAuthoritySig);
            });
        });
        return command;
    }

    private static Command FromEntropy()
    {
        var entropy = new Argument<string>("root-entropy") { Description = "32 bytes of root entropy, hex." };
        var index = new Option<ulong>("--index") { Description = "The subaddress index.", DefaultValueFactory = _ => 0 };
        var (url, id) = FogOptions();
        var spki = new Option<string>("--fog-authority-spki") { Description = "DER SubjectPublicKeyInfo of the fog operator's root certificate, hex (default: empty)." };
        var command = new Command("from-entropy", "The B58 address of a subaddress of the account with this root entropy; with fog, the authority signature is computed.") { entropy, index, url, id, spki };
        command.SetAction(parse =>
        {
            var fogUrl = parse.GetValue(url) ?? "";
            var spkiBytes = parse.GetValue(spki) is { } hex ? CliInput.Hex("--fog-authority-spki", hex) : [];
            if (fogUrl.Length == 0 && (spkiBytes.Length > 0 || !string.IsNullOrEmpty(parse.GetValue(id))))
            {
                throw CliException.BadArgument("--fog-report-url", "required when --fog-report-id or --fog-authority-spki is given");
            }

            var fog = fogUrl.Length > 0 ? new FogInfo(fogUrl, parse.GetValue(id) ?? "", spkiBytes) : null;
            using var account = AccountKey.FromRootEntropy(CliInput.Hex("root-entropy", parse.GetValue(entropy), 32), fog);
            parse.InvocationConfiguration.Output.WriteLine(account.Subaddress(parse.GetValue(index)).ToB58());
        });
        return command;
    }

    private static (Option<string> Url, Option<string> Id) FogOptions() =>
        (new Option<string>("--fog-report-url") { Description = "The fog report server URL, e.g. fog://fog.example.com." },
         new Option<string>("--fog-report-id") { Description = "The fog report id (usually empty)." });
}
