using System.CommandLine;
using Fog.Client;
using Fog.Client.Balance;
using Fog.Client.Payments;
using Fog.Client.Reports;
using Fog.Client.Wallet;
using Fog.Model.Addresses;
using Fog.Model.Transactions;

namespace Fog.Cli.Commands;

/// <summary><c>fog wallet balance|history|send</c>: using a wallet against a network. The wallet's state is saved after each.</summary>
internal static class WalletUseCommands
{
    internal static IEnumerable<Command> Build() => [Balance(), History(), Send()];

    private static Command Balance()
    {
        var (wallet, passphraseFile, network, json, timeout) = CommonOptions();
        var command = new Command("balance", "Check the balance privately through fog (incremental after the first check).") { wallet, passphraseFile, network, json, timeout };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var session = await Session.OpenAsync(parse, wallet, passphraseFile, network, json, timeout);
            var balance = await session.Run(c => c.CheckBalanceAsync(session.Progress, cancellationToken));
            session.Save();
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                CliOutput.Json(output, j =>
                {
                    j.WriteNumber("mob_picomob", balance.Mob);
                    j.WriteNumber("valid_at_block_count", balance.ValidAtBlockCount);
                    j.WriteStartObject("tokens");
                    foreach (var (token, value) in balance.ByToken)
                    {
                        j.WriteNumber(token.ToString(System.Globalization.CultureInfo.InvariantCulture), value);
                    }

                    j.WriteEndObject();
                });
            }
            else
            {
                output.WriteLine($"{CliOutput.Mob(balance.Mob)} (valid after {balance.ValidAtBlockCount} blocks)");
                foreach (var (token, value) in balance.ByToken.Where(p => p.Key != Amount.MobTokenId))
                {
                    output.WriteLine($"token {token}: {value}");
                }
            }

            return FogCommand.Success;
        });
        return command;
    }

    private static Command History()
    {
        var (wallet, passphraseFile, network, json, timeout) = CommonOptions();
        var noSync = new Option<bool>("--offline") { Description = "Show what the wallet already knows, without asking the network." };
        var command = new Command("history", "Received and sent payments, with counterparties from memos.") { wallet, passphraseFile, network, json, timeout, noSync };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var session = await Session.OpenAsync(parse, wallet, passphraseFile, network, json, timeout);
            if (!parse.GetValue(noSync))
            {
                await session.Run(c => c.CheckBalanceAsync(session.Progress, cancellationToken));
                session.Save();
            }

            var contacts = session.Contents.Contacts.ToDictionary(c => c.Key, c => PublicAddress.ParseB58(c.Value));
            var entries = session.Client.GetHistory(contacts);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                CliOutput.Json(output, j =>
                {
                    j.WriteStartArray("entries");
                    foreach (var e in entries)
                    {
                        j.WriteStartObject();
                        j.WriteString("direction", e.Direction == HistoryDirection.Received ? "received" : "sent");
                        j.WriteNumber("value", e.Value);
                        j.WriteNumber("token_id", e.TokenId);
                        j.WriteNumber("fee", e.Fee);
                        j.WriteNumber("block_index", e.BlockIndex);
                        j.WriteNumber("timestamp", e.Timestamp);
                        j.WriteString("counterparty_hash", e.CounterpartyHash);
                        j.WriteString("counterparty_name", e.CounterpartyName);
                        j.WriteBoolean("counterparty_verified", e.CounterpartyVerified);
                        j.WriteBoolean("spent", e.Spent);
                        j.WriteEndObject();
                    }

                    j.WriteEndArray();
                });
            }
            else if (entries.Count == 0)
            {
                output.WriteLine("No payments yet.");
            }
            else
            {
                foreach (var e in entries)
                {
                    var who = e.CounterpartyName ?? (e.CounterpartyHash is { } hash ? $"address {hash[..12]}…" : "unknown sender");
                    var when = e.Timestamp > 0 ? DateTimeOffset.FromUnixTimeSeconds((long)e.Timestamp).ToString("u", System.Globalization.CultureInfo.InvariantCulture) : "";
                    output.WriteLine(e.Direction == HistoryDirection.Received
                        ? $"block {e.BlockIndex,6}  {when}  received {CliOutput.Mob(e.Value)} from {who}{(e.CounterpartyVerified ? " (verified)" : "")}"
                        : $"block {e.BlockIndex,6}  {when}  sent     {CliOutput.Mob(e.Value)} to {who} (fee {CliOutput.Mob(e.Fee)})");
                }
            }

            return FogCommand.Success;
        });
        return command;
    }

    private static Command Send()
    {
        var (wallet, passphraseFile, network, json, timeout) = CommonOptions();
        var to = new Argument<string>("b58-address") { Description = "The recipient's address." };
        var amount = new Argument<string>("amount") { Description = "picoMOB, or e.g. 1.5MOB." };
        var command = new Command("send", "Pay an address (fog or not) and wait until the payment is in a block.") { to, amount, wallet, passphraseFile, network, json, timeout };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!PublicAddress.TryParseB58(parse.GetValue(to) ?? "", out var recipient, out var parseError))
            {
                throw CliException.BadArgument("b58-address", parseError.Describe());
            }

            var value = CliInput.Amount("amount", parse.GetValue(amount));
            if (value == 0)
            {
                throw CliException.BadArgument("amount", "must be positive");
            }

            await using var session = await Session.OpenAsync(parse, wallet, passphraseFile, network, json, timeout);
            await session.Run(c => c.CheckBalanceAsync(session.Progress, cancellationToken));
            SendResult result;
            try
            {
                result = await session.Run(c => c.SendAsync(recipient, new Amount(value, Amount.MobTokenId), session.Progress, cancellationToken));
            }
            catch (FogReportException e)
            {
                throw ReportUnusable(e, recipient);
            }

            session.Save();
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                CliOutput.Json(output, j =>
                {
                    j.WriteString("status", result.Status.ToString());
                    j.WriteNumber("amount", result.Amount);
                    j.WriteNumber("fee", result.Fee);
                    if (result.BlockIndex is { } block)
                    {
                        j.WriteNumber("block_index", block);
                    }

                    j.WriteString("message", result.Message);
                });
            }
            else if (result.Status == SendStatus.Confirmed)
            {
                output.WriteLine($"Paid {CliOutput.Mob(result.Amount)} (fee {CliOutput.Mob(result.Fee)}) in block {result.BlockIndex}.");
            }

            // A payment that did not happen is an error with or without --json (the JSON above carries its status).
            if (result.Status != SendStatus.Confirmed)
            {
                throw new CliException(
                    result.Status == SendStatus.InsufficientFunds
                        ? $"insufficient funds: the wallet can spend {CliOutput.Mob(result.Spendable)}; the payment needs {CliOutput.Mob(result.Amount + result.Fee)} (fee {CliOutput.Mob(result.Fee)}). Nothing was sent."
                        : result.Message,
                    FogCommand.Failure);
            }

            return FogCommand.Success;
        });
        return command;
    }

    /// <summary>
    /// A fog report a payment needs (the recipient's, or the wallet's own for its change) that cannot be used: whose,
    /// why, and what to do. Reports are resolved before anything is proposed.
    /// </summary>
    private static CliException ReportUnusable(FogReportException e, PublicAddress recipient)
    {
        var whose = e.Address is not { } address ? "a fog report"
            : address.Equals(recipient) ? $"the recipient's fog report ({address.FogReportUrl})"
            : $"this wallet's own fog report ({address.FogReportUrl}, needed for its change)";
        var advice = e.Error switch
        {
            FogReportError.ReportServerUnavailable => "try again when the report server answers",
            FogReportError.EvidenceRejected => "check that the network configuration trusts that fog deployment's ingest enclave (measurements, simulation root)",
            _ => "check the address and the network configuration",
        };
        return new CliException($"{whose} cannot be used: {e.Failure.ToString().TrimEnd('.')}. Nothing was sent; {advice}.", FogCommand.Failure);
    }

    private static (Option<string> Wallet, Option<string> PassphraseFile, Option<string> Network, Option<bool> Json, Option<double> Timeout) CommonOptions() =>
        (WalletCommands.WalletOption(), WalletCommands.PassphraseFileOption(), WalletCommands.NetworkOption(), WalletCommands.JsonOption(),
         new Option<double>("--timeout") { Description = "Seconds to wait for any one answer from a service before giving up on it.", DefaultValueFactory = _ => 30 });

    /// <summary>An open wallet connected to its network; saves the state back atomically.</summary>
    private sealed class Session : IAsyncDisposable
    {
        private readonly string _path;
        private readonly string _passphrase;
        private readonly Fog.Model.Keys.AccountKey _account;

        private Session(string path, string passphrase, WalletContents contents, Fog.Model.Keys.AccountKey account, FogClient client, ProgressLine? progress)
        {
            _path = path;
            _passphrase = passphrase;
            Contents = contents;
            _account = account;
            Client = client;
            Progress = progress;
        }

        public WalletContents Contents { get; }

        public FogClient Client { get; }

        public ProgressLine? Progress { get; }

        public static Task<Session> OpenAsync(ParseResult parse, Option<string> wallet, Option<string> passphraseFile, Option<string> network, Option<bool> json, Option<double> timeout)
        {
            var seconds = parse.GetValue(timeout);
            if (!(seconds > 0 && seconds <= 86_400))
            {
                throw CliException.BadArgument("--timeout", "must be a positive number of seconds, at most a day (86400)");
            }

            var path = parse.GetValue(wallet)!;
            var error = parse.InvocationConfiguration.Error;
            var passphrase = WalletCommands.Passphrase(parse.GetValue(passphraseFile), confirm: false, error);
            var contents = WalletFile.TryLoad(path, passphrase, out var failure);
            if (failure != WalletFileError.None)
            {
                // Reuse the one place that words these errors.
                WalletCommands.Open(path, parse.GetValue(passphraseFile), error);
            }

            var networkPath = parse.GetValue(network)!;
            var config = CliInput.Network("--network", networkPath);

            var account = contents!.CreateAccountKey();
            FogClient client;
            try
            {
                client = FogClient.Connect(config, account, contents.State, TimeSpan.FromSeconds(seconds));
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                // The configuration parsed but names no usable endpoint or attestation policy (e.g. a measurement that is not hex).
                account.Dispose();
                var problem = e is ArgumentException { ParamName: { } name } ? e.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : e.Message;
                throw CliException.BadArgument("--network", $"{networkPath}: {problem}");
            }

            var progress = parse.GetValue(json) ? null : new ProgressLine(error);
            return Task.FromResult(new Session(path, passphrase, contents, account, client, progress));
        }

        /// <summary>Runs a network call, turning service failures into one-line errors.</summary>
        public async Task<T> Run<T>(Func<FogClient, Task<T>> call)
        {
            try
            {
                return await call(Client);
            }
            catch (FogServiceException e)
            {
                throw new CliException(e.Message, FogCommand.Failure);
            }
            catch (InvalidDataException e)
            {
                // A service answered something that does not match the request (missing or reordered results).
                throw new CliException($"a Fog service answered inconsistently: {e.Message} Nothing was changed; try again, and tell its operator if it persists.", FogCommand.Failure);
            }
            finally
            {
                Progress?.Clear();
            }
        }

        public void Save() => WalletCommands.Save(_path, Contents, _passphrase);

        public ValueTask DisposeAsync()
        {
            Client.Dispose();
            _account.Dispose();
            Progress?.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
