using System.Diagnostics;
using System.Security.Cryptography;
using Fog.Attestation.Evidence;
using Fog.Bench;
using Fog.Bench.Oram;
using Fog.Client;
using Fog.Client.Balance;
using Fog.Client.Ledger;
using Fog.Client.Payments;
using Fog.Client.Reports;
using Fog.Client.View;
using Fog.Model.Keys;
using Fog.Model.Transactions;

namespace Fog.Cli.Network;

/// <summary>What the wallet benchmark measures.</summary>
internal sealed record WalletBenchmarkOptions
{
    /// <summary>Outputs the restored wallet has received (each 1 MOB, paid through fog).</summary>
    public int Outputs { get; init; } = 1_000;

    /// <summary>Full restores timed (each a new client with no state).</summary>
    public int RestoreSamples { get; init; } = 5;

    /// <summary>Incremental checks with nothing new, timed.</summary>
    public int IncrementalSamples { get; init; } = 21;

    /// <summary>Payments timed until the recipient sees them.</summary>
    public int SendSamples { get; init; } = 5;

    /// <summary>Round trips timed for each baseline.</summary>
    public int BaselineSamples { get; init; } = 21;

    /// <summary>A short run (under a minute).</summary>
    public static WalletBenchmarkOptions Quick => new() { Outputs = 100, RestoreSamples = 3, IncrementalSamples = 9, SendSamples = 2, BaselineSamples = 9 };
}

/// <summary>The medians of one run.</summary>
/// <param name="Restore">A new client with no state finding every output and its spent status.</param>
/// <param name="Incremental">A check with nothing new on a client that is up to date.</param>
/// <param name="SendUntilSeen">From starting a payment until the recipient's balance check shows it.</param>
/// <param name="EmptyViewQuery">Baseline: one attested view query with no search keys (events only).</param>
/// <param name="OneKeyImageCheck">Baseline: one attested key-image check of one key image.</param>
/// <param name="BlockInterval">The dev node's longest wait between blocks.</param>
/// <param name="BareRestore">Baseline: the view and ledger round trips a restore makes (new attested channels, the same requests), without the SDK.</param>
/// <param name="BareIncremental">Baseline: the round trips an incremental check makes, on warm channels, without the SDK.</param>
/// <param name="RestoreTrips">What a restore asks (for the report).</param>
/// <param name="IncrementalTrips">What an incremental check asks (for the report).</param>
internal sealed record WalletBenchmarkReport(
    TimeSpan Restore,
    TimeSpan Incremental,
    TimeSpan SendUntilSeen,
    TimeSpan EmptyViewQuery,
    TimeSpan OneKeyImageCheck,
    TimeSpan BlockInterval,
    TimeSpan BareRestore,
    TimeSpan BareIncremental,
    string RestoreTrips,
    string IncrementalTrips);

/// <summary>
/// The client SDK end to end on a dev network on loopback: a full restore of a wallet that received many payments
/// through fog (target ≤ 5 s for 1,000), an incremental check with nothing new (target ≤ 200 ms), and the time from
/// paying until the recipient sees the payment; next to the attested view and ledger round trips they are made of.
/// It lives here rather than in Fog.Bench because it runs the whole <see cref="DevNetwork"/>.
/// </summary>
internal static class WalletBenchmark
{
    private const ulong Mob = CliInput.PicoMobPerMob;

    // Payees per funding transaction: 16 outputs at most, one of them the change.
    private const int PayeesPerTransaction = TransactionBuilder.MaxOutputs - 1;

    // Independent funding chains: transactions of one round go into the same block.
    private const int Chains = 8;

    public static async Task<WalletBenchmarkReport> RunAsync(WalletBenchmarkOptions options, TextWriter output, TextWriter progress, CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory("fog-bench-wallet-").FullName;
        try
        {
            var networkOptions = new DevNetworkOptions { DataDirectory = directory, EphemeralPorts = true };
            await using var network = await DevNetwork.StartAsync(networkOptions, cancellationToken: cancellationToken).ConfigureAwait(false);
            await network.CaughtUpAsync(cancellationToken).ConfigureAwait(false);
            var config = network.Config;
            var fog = new FogInfo(config.FogReportUrl, "", Convert.FromHexString(config.FogAuthoritySpki));
            using var alice = AccountKey.FromRootEntropy(RandomNumberGenerator.GetBytes(32), fog);
            using var bob = AccountKey.FromRootEntropy(RandomNumberGenerator.GetBytes(32), fog);

            var setup = Stopwatch.StartNew();
            await FundAsync(network, alice, options.Outputs, progress, cancellationToken).ConfigureAwait(false);
            progress.WriteLine($"… {options.Outputs} outputs paid to the wallet through fog in {setup.Elapsed.TotalSeconds:F1} s; timing");

            var expected = (ulong)options.Outputs * Mob;
            var (restoreTrips, incrementalTrips) = await RecordRoundTripsAsync(config, alice, expected, cancellationToken).ConfigureAwait(false);
            var restore = new List<double>();
            FogClient? restored = null;
            for (var i = 0; i < options.RestoreSamples; i++)
            {
                restored?.Dispose();
                restored = FogClient.Connect(config, alice);
                var watch = Stopwatch.StartNew();
                var balance = await restored.CheckBalanceAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                restore.Add(watch.Elapsed.TotalMilliseconds);
                Expect(balance.Mob == expected, $"the restored wallet found {balance.Mob} picoMOB, not {expected}");
            }

            using var wallet = restored!;
            progress.WriteLine($"… each of {options.RestoreSamples + 1} restores found the {options.Outputs} outputs paid, balance {options.Outputs} MOB");
            var incremental = new List<double>();
            for (var i = 0; i < options.IncrementalSamples; i++)
            {
                var watch = Stopwatch.StartNew();
                var balance = await wallet.CheckBalanceAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                incremental.Add(watch.Elapsed.TotalMilliseconds);
                Expect(balance.Mob == expected, "an incremental check changed the balance");
            }

            var (emptyQuery, keyImageCheck) = await MeasureBaselinesAsync(config, wallet, options.BaselineSamples, cancellationToken).ConfigureAwait(false);
            var (bareRestore, bareIncremental) = await MeasureBareRoundTripsAsync(config, restoreTrips, incrementalTrips, options, cancellationToken).ConfigureAwait(false);
            var sendUntilSeen = await MeasureSendUntilSeenAsync(config, wallet, bob, options.SendSamples, cancellationToken).ConfigureAwait(false);

            var report = new WalletBenchmarkReport(
                TimeSpan.FromMilliseconds(Samples.Median(restore)),
                TimeSpan.FromMilliseconds(Samples.Median(incremental)),
                TimeSpan.FromMilliseconds(Samples.Median(sendUntilSeen)),
                emptyQuery,
                keyImageCheck,
                networkOptions.BlockInterval,
                bareRestore,
                bareIncremental,
                restoreTrips.Describe(),
                incrementalTrips.Describe());
            Print(options, report, output);
            return report;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static void Print(WalletBenchmarkOptions options, WalletBenchmarkReport report, TextWriter output)
    {
        output.WriteLine($"wallet on a dev network (loopback, SIMULATION MODE enclaves, map capacity 2^16): {options.Outputs} received outputs; medians of {options.RestoreSamples} restores, {options.IncrementalSamples} incremental checks, {options.SendSamples} payments");
        var table = new TablePrinter("measurement", ">median", ">vs target", "vs baseline");
        table.Add($"full restore, {options.Outputs} outputs", Ms(report.Restore), options.Outputs >= 1_000 ? Target(report.Restore, TimeSpan.FromSeconds(5), "5 s") : "(target is for 1,000)", $"{options.Outputs / report.Restore.TotalSeconds:F0} outputs/s; {report.Restore / report.BareRestore:F1}x its round trips bare");
        table.Add("incremental check, nothing new", Ms(report.Incremental), Target(report.Incremental, TimeSpan.FromMilliseconds(200), "200 ms"), $"{report.Incremental / report.BareIncremental:F1}x its round trips bare; {report.Incremental / report.EmptyViewQuery:F0}x an empty view query");
        table.Add("send until the recipient sees it", Ms(report.SendUntilSeen), "", $"{report.SendUntilSeen / report.BlockInterval:F1}x the block interval ({report.BlockInterval.TotalMilliseconds:F0} ms)");
        table.Add("baseline: restore's round trips, bare", Ms(report.BareRestore), "", report.RestoreTrips);
        table.Add("baseline: incremental's round trips, bare", Ms(report.BareIncremental), "", report.IncrementalTrips);
        table.Add("baseline: attested view query, no keys", Ms(report.EmptyViewQuery), "", "");
        table.Add("baseline: attested check of 1 key image", Ms(report.OneKeyImageCheck), "", "");
        table.WriteTo(output);
    }

    private static string Ms(TimeSpan t) => $"{t.TotalMilliseconds:F1} ms";

    private static string Target(TimeSpan measured, TimeSpan target, string label) => $"target ≤ {label}: {(measured <= target ? "met" : "MISSED")}";

    private static void Expect(bool condition, string failure)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"The wallet benchmark went wrong: {failure}.");
        }
    }

    /// <summary>
    /// Pays <paramref name="recipient"/> <paramref name="outputs"/> outputs of 1 MOB through fog: the faucet funds a few
    /// funder outputs, then each round every funding chain submits one transaction of 15 payments, all in one block.
    /// </summary>
    private static async Task FundAsync(DevNetwork network, AccountKey recipient, int outputs, TextWriter progress, CancellationToken cancellationToken)
    {
        var node = network.Node.Node;
        var fee = node.MinimumFees[Amount.MobTokenId];
        using var funder = AccountKey.FromRootEntropy(RandomNumberGenerator.GetBytes(32));
        using var resolver = new FogReportResolver(network.Config.PolicyFor("ingest", EnclaveProductId.Ingest));
        var ingress = (await resolver.ResolveAsync(recipient.DefaultSubaddress, cancellationToken).ConfigureAwait(false)).IngressPublicKey;

        var transactions = (outputs + PayeesPerTransaction - 1) / PayeesPerTransaction;
        var chains = Math.Min(Chains, transactions);
        var perChain = ((ulong)((transactions + chains - 1) / chains) * ((PayeesPerTransaction * Mob) + fee)) + Mob;
        var heads = new List<(ulong Index, TxOut TxOut, ulong Subaddress)>();
        for (var c = 0; c < chains; c++)
        {
            var paid = await node.PayFromFaucetAsync(funder.DefaultSubaddress, new Amount(perChain, Amount.MobTokenId), null, cancellationToken).ConfigureAwait(false);
            Expect(paid.Succeeded, $"the faucet could not fund the benchmark: {paid.Error}");
            heads.Add((IndexOf(network, paid.Output!), paid.Output!, AccountKey.DefaultSubaddressIndex));
        }

        var remaining = outputs;
        while (remaining > 0)
        {
            var round = new List<(Task<Fog.Node.DevNode.Inclusion> Included, TxOut Change, int Chain)>();
            for (var c = 0; c < heads.Count && remaining > 0; c++)
            {
                var count = Math.Min(PayeesPerTransaction, remaining);
                remaining -= count;
                var built = Build(network, funder, heads[c], Enumerable.Repeat(new Payee(recipient.DefaultSubaddress, Mob, ingress), count).ToList(), fee);
                var (result, included) = node.Propose(built.Tx);
                Expect(result == TxValidationResult.Ok, $"the node refused a funding transaction: {result}");
                round.Add((included!, built.ChangeOutput, c));
            }

            foreach (var (included, change, chain) in round)
            {
                var inclusion = await included.WaitAsync(cancellationToken).ConfigureAwait(false);
                Expect(inclusion.Result == TxValidationResult.Ok, $"a funding transaction was dropped: {inclusion.Result}");
                heads[chain] = (IndexOf(network, change), change, AccountKey.ChangeSubaddressIndex);
            }

            progress.WriteLine($"… funding: {outputs - remaining} of {outputs} outputs in blocks");
        }

        var target = network.Node.Ledger.NumBlocks;
        var deadline = Stopwatch.StartNew();
        while (network.View.Progress.HighestProcessedBlockCount < target || network.Ledger.Progress.NumBlocks < target)
        {
            Expect(deadline.Elapsed < TimeSpan.FromMinutes(2), "fog view and fog ledger did not catch up within two minutes");
            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }
    }

    private static BuiltTransaction Build(DevNetwork network, AccountKey funder, (ulong Index, TxOut TxOut, ulong Subaddress) input, IReadOnlyList<Payee> payees, ulong fee) =>
        network.Node.Node.Read(ledger =>
        {
            var decoys = new HashSet<ulong>();
            while (decoys.Count < TransactionBuilder.RingSize - 1)
            {
                var index = (ulong)Random.Shared.NextInt64((long)ledger.NumTxOuts);
                if (index != input.Index)
                {
                    decoys.Add(index);
                }
            }

            return TransactionBuilder.Build(new PaymentRequest
            {
                Sender = funder,
                Inputs = [new OwnedInput(input.TxOut, input.Subaddress, ledger.GetMembershipProof(input.Index))],
                Mixins = [decoys.Select(d => new Mixin(ledger.GetTxOut(d)!, ledger.GetMembershipProof(d))).ToList()],
                Payees = payees,
                Fee = fee,
                TombstoneBlock = ledger.NumBlocks + 50,
                BlockVersion = network.Node.Node.BlockVersion,
            });
        });

    private static ulong IndexOf(DevNetwork network, TxOut output) =>
        network.Node.Ledger.GetTxOutIndexByPublicKey(output.PublicKey) ?? throw new InvalidOperationException("A funding output is not in the ledger.");

    private static async Task<(TimeSpan EmptyQuery, TimeSpan KeyImageCheck)> MeasureBaselinesAsync(NetworkConfig config, FogClient wallet, int samples, CancellationToken cancellationToken)
    {
        using var view = NewView(config);
        using var ledger = NewLedger(config);
        ReadOnlyMemory<byte>[] keyImage = [Convert.FromHexString(wallet.State.Outputs[0].KeyImage)];
        var query = new List<double>();
        var check = new List<double>();
        for (var i = 0; i < samples + 1; i++)
        {
            var watch = Stopwatch.StartNew();
            await view.QueryAsync([], startFromUserEventId: wallet.State.NextUserEventId, cancellationToken: cancellationToken).ConfigureAwait(false);
            var queried = watch.Elapsed;
            watch.Restart();
            await ledger.CheckKeyImagesAsync(keyImage, cancellationToken).ConfigureAwait(false);
            var checkedAt = watch.Elapsed;
            if (i > 0)
            {
                // The first round trip includes the handshake.
                query.Add(queried.TotalMilliseconds);
                check.Add(checkedAt.TotalMilliseconds);
            }
        }

        return (TimeSpan.FromMilliseconds(Samples.Median(query)), TimeSpan.FromMilliseconds(Samples.Median(check)));
    }

    /// <summary>
    /// Restores the wallet once (untimed) through recording services, then checks again with nothing new: the exact view
    /// and ledger requests each makes, to replay without the SDK.
    /// </summary>
    private static async Task<(RoundTrips Restore, RoundTrips Incremental)> RecordRoundTripsAsync(NetworkConfig config, AccountKey account, ulong expected, CancellationToken cancellationToken)
    {
        using var view = NewView(config);
        using var ledger = NewLedger(config);
        var recorder = new RecordingServices(view, ledger);
        using var client = new FogClient(account, new FogClientState(), recorder, recorder, ledger, ledger, new NoSubmitter(), reports: null);
        var restored = await client.CheckBalanceAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        Expect(restored.Mob == expected, $"the recorded restore found {restored.Mob} picoMOB, not {expected}");
        var restore = recorder.Take();
        var checkedAgain = await client.CheckBalanceAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        Expect(checkedAgain.Mob == expected, "the recorded incremental check changed the balance");
        Expect(client.State.MissedRanges.Count == 0, "fog reported missed blocks, which the replay does not cover");
        return (restore, recorder.Take());
    }

    /// <summary>
    /// The restore's requests on new attested channels (handshakes included, as a restore makes them), and the incremental
    /// check's requests on warm channels: what the SDK costs on top is the rest.
    /// </summary>
    private static async Task<(TimeSpan Restore, TimeSpan Incremental)> MeasureBareRoundTripsAsync(NetworkConfig config, RoundTrips restore, RoundTrips incremental, WalletBenchmarkOptions options, CancellationToken cancellationToken)
    {
        var restoreTimes = new List<double>();
        for (var i = 0; i < options.RestoreSamples; i++)
        {
            using var freshView = NewView(config);
            using var freshLedger = NewLedger(config);
            var watch = Stopwatch.StartNew();
            await restore.ReplayAsync(freshView, freshLedger, cancellationToken).ConfigureAwait(false);
            restoreTimes.Add(watch.Elapsed.TotalMilliseconds);
        }

        using var view = NewView(config);
        using var ledger = NewLedger(config);
        await incremental.ReplayAsync(view, ledger, cancellationToken).ConfigureAwait(false); // handshakes
        var incrementalTimes = new List<double>();
        for (var i = 0; i < options.IncrementalSamples; i++)
        {
            var watch = Stopwatch.StartNew();
            await incremental.ReplayAsync(view, ledger, cancellationToken).ConfigureAwait(false);
            incrementalTimes.Add(watch.Elapsed.TotalMilliseconds);
        }

        return (TimeSpan.FromMilliseconds(Samples.Median(restoreTimes)), TimeSpan.FromMilliseconds(Samples.Median(incrementalTimes)));
    }

    private static FogViewClient NewView(NetworkConfig config) =>
        new(FogUri.Parse(config.View.Uri).GrpcAddress, config.View.ResponderId, config.PolicyFor("view", EnclaveProductId.View));

    private static FogLedgerClient NewLedger(NetworkConfig config) =>
        new(FogUri.Parse(config.Ledger.Uri).GrpcAddress, config.Ledger.ResponderId, config.PolicyFor("ledger", EnclaveProductId.Ledger));

    private static async Task<List<double>> MeasureSendUntilSeenAsync(NetworkConfig config, FogClient sender, AccountKey recipient, int samples, CancellationToken cancellationToken)
    {
        using var recipientWallet = FogClient.Connect(config, recipient);
        var seen = (await recipientWallet.CheckBalanceAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Mob;
        var times = new List<double>();
        for (var i = 0; i < samples; i++)
        {
            var watch = Stopwatch.StartNew();
            var sent = await sender.SendAsync(recipient.DefaultSubaddress, new Amount(Mob, Amount.MobTokenId), cancellationToken: cancellationToken).ConfigureAwait(false);
            Expect(sent.Status == SendStatus.Confirmed, $"a payment did not go through: {sent.Message}");
            while ((await recipientWallet.CheckBalanceAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Mob < seen + Mob)
            {
                Expect(watch.Elapsed < TimeSpan.FromMinutes(1), "the recipient did not see the payment within a minute");
                await Task.Delay(10, cancellationToken).ConfigureAwait(false);
            }

            times.Add(watch.Elapsed.TotalMilliseconds);
            seen += Mob;
        }

        return times;
    }

    /// <summary>Requests made through <see cref="RecordingServices"/>, to be made again.</summary>
    private sealed class RoundTrips(List<Func<FogViewClient, FogLedgerClient, CancellationToken, Task>> calls, int viewQueries, int searchKeys, int keyImageChecks, int keyImages)
    {
        public async Task ReplayAsync(FogViewClient view, FogLedgerClient ledger, CancellationToken cancellationToken)
        {
            foreach (var call in calls)
            {
                await call(view, ledger, cancellationToken).ConfigureAwait(false);
            }
        }

        public string Describe() =>
            $"{viewQueries} view {(viewQueries == 1 ? "query" : "queries")} ({(searchKeys == 0 ? "no" : searchKeys)} search keys), {keyImageChecks} key-image {(keyImageChecks == 1 ? "check" : "checks")} ({keyImages} key images)";
    }

    /// <summary>Fog view and fog ledger for a <see cref="FogClient"/>, keeping every request it makes.</summary>
    private sealed class RecordingServices(FogViewClient view, FogLedgerClient ledger) : IFogViewService, IFogKeyImageService
    {
        private List<Func<FogViewClient, FogLedgerClient, CancellationToken, Task>> _calls = [];
        private int _viewQueries;
        private int _searchKeys;
        private int _keyImageChecks;
        private int _keyImages;

        public Task<ViewQueryResult> QueryAsync(long startFromUserEventId, ulong startFromBlockIndex, IReadOnlyList<byte[]> searchKeys, CancellationToken cancellationToken)
        {
            var keys = searchKeys.Select(k => (ReadOnlyMemory<byte>)k.ToArray()).ToList();
            _calls.Add((v, _, ct) => v.QueryAsync(keys, startFromUserEventId, startFromBlockIndex, ct));
            _viewQueries++;
            _searchKeys += keys.Count;
            return ((IFogViewService)view).QueryAsync(startFromUserEventId, startFromBlockIndex, searchKeys, cancellationToken);
        }

        public Task<(IReadOnlyList<KeyImageStatus> Statuses, ulong NumBlocks)> CheckAsync(IReadOnlyList<KeyImage> keyImages, CancellationToken cancellationToken)
        {
            var images = keyImages.Select(k => (ReadOnlyMemory<byte>)k.ToArray()).ToList();
            _calls.Add((_, l, ct) => l.CheckKeyImagesAsync(images, ct));
            _keyImageChecks++;
            _keyImages += images.Count;
            return ((IFogKeyImageService)ledger).CheckAsync(keyImages, cancellationToken);
        }

        /// <summary>The requests so far; starts recording afresh.</summary>
        public RoundTrips Take()
        {
            var taken = new RoundTrips(_calls, _viewQueries, _searchKeys, _keyImageChecks, _keyImages);
            _calls = [];
            (_viewQueries, _searchKeys, _keyImageChecks, _keyImages) = (0, 0, 0, 0);
            return taken;
        }
    }

    /// <summary>The recording client only checks balances.</summary>
    private sealed class NoSubmitter : ITransactionSubmitter
    {
        public Task<(ulong NumBlocks, BlockVersion BlockVersion, IReadOnlyDictionary<ulong, ulong> MinimumFees)> GetNetworkInfoAsync(CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<TxValidationResult> ProposeAsync(Tx tx, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<ulong?> FindBlockOfAsync(ReadOnlyMemory<byte> txOutPublicKey, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
