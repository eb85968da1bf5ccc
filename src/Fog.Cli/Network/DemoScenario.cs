using System.Diagnostics;
using System.Security.Cryptography;
using Fog.Attestation.Evidence;
using Fog.Client;
using Fog.Client.Balance;
using Fog.Client.Payments;
using Fog.Client.Reports;
using Fog.Model.Addresses;
using Fog.Model.Keys;
using Fog.Model.Transactions;

namespace Fog.Cli.Network;

/// <summary>The balances at the end of the demo, as fog reported them.</summary>
internal sealed record DemoOutcome(FogBalance Alice, FogBalance Bob);

/// <summary>Why the demo stopped: a step that did not give the result it should.</summary>
internal sealed class DemoFailedException(string message) : Exception(message);

/// <summary>
/// The demo's story on a running <see cref="DevNetwork"/>: the faucet pays Alice's fog address, Alice finds the payment
/// through fog view, pays Bob, Bob finds his payment and its authenticated sender memo, Alice sees her change and
/// her spent output, and Bob pays part back (his spend detected, Alice finding it with his memo). Every step goes through the network's public gRPC APIs as a wallet would.
/// </summary>
internal sealed class DemoScenario(DevNetwork network, TextWriter output)
{
    /// <summary>How long a wallet waits for fog to process a block before the demo gives up.</summary>
    internal static readonly TimeSpan FogTimeout = TimeSpan.FromSeconds(60);

    private const ulong Mob = CliInput.PicoMobPerMob;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    /// <summary>The amounts the story moves, in picoMOB.</summary>
    internal static (ulong Faucet, ulong Payment, ulong PayBack) Amounts => (10 * Mob, 2 * Mob + Mob / 2, Mob);

    /// <summary>Runs the story; throws <see cref="DemoFailedException"/> when a result is not what it must be.</summary>
    public async Task<DemoOutcome> RunAsync(CancellationToken cancellationToken)
    {
        var config = network.Config;
        var fog = new FogInfo(config.FogReportUrl, "", Convert.FromHexString(config.FogAuthoritySpki));
        using var alice = AccountKey.FromRootEntropy(RandomNumberGenerator.GetBytes(32), fog);
        using var bob = AccountKey.FromRootEntropy(RandomNumberGenerator.GetBytes(32), fog);
        Step($"Alice and Bob: new fog accounts; Alice is {Short(alice.DefaultSubaddress)}");

        // The faucet is a sender like any other: it resolves Alice's fog report to encrypt her fog hint.
        using (var resolver = new FogReportResolver(config.PolicyFor("ingest", EnclaveProductId.Ingest)))
        {
            var pubkey = await resolver.ResolveAsync(alice.DefaultSubaddress, cancellationToken).ConfigureAwait(false);
            Step($"Alice's fog report checked (signing chain, report signature, simulated ingest evidence); ingress key {Hex(pubkey.IngressPublicKey.Bytes)}, expires at block {pubkey.PubkeyExpiry}");
            var paid = await network.Node.Node.PayFromFaucetAsync(alice.DefaultSubaddress, new Amount(Amounts.Faucet, Amount.MobTokenId), pubkey.IngressPublicKey, cancellationToken).ConfigureAwait(false);
            if (!paid.Succeeded)
            {
                throw new DemoFailedException($"the faucet could not pay Alice: {paid.Error}");
            }

            Step($"faucet paid Alice {CliOutput.Mob(Amounts.Faucet)} in block {paid.BlockIndex}");
        }

        using var aliceWallet = FogClient.Connect(config, alice);
        var aliceBalance = await WaitForBalanceAsync(aliceWallet, "Alice", b => b.Mob == Amounts.Faucet, cancellationToken).ConfigureAwait(false);
        Step($"Alice asked fog view (attested, oblivious) and fog ledger: balance {CliOutput.Mob(aliceBalance.Mob)}, valid after {aliceBalance.ValidAtBlockCount} blocks");

        var sent = await aliceWallet.SendAsync(bob.DefaultSubaddress, new Amount(Amounts.Payment, Amount.MobTokenId), cancellationToken: cancellationToken).ConfigureAwait(false);
        if (sent.Status != SendStatus.Confirmed)
        {
            throw new DemoFailedException($"Alice's payment to Bob did not go through: {sent.Message}");
        }

        Step($"Alice paid Bob {CliOutput.Mob(sent.Amount)} (fee {CliOutput.Mob(sent.Fee)}; ring of {TransactionBuilder.RingSize} with decoys and Merkle proofs from fog ledger) in block {sent.BlockIndex}");

        using var bobWallet = FogClient.Connect(config, bob);
        var bobBalance = await WaitForBalanceAsync(bobWallet, "Bob", b => b.Mob == Amounts.Payment, cancellationToken).ConfigureAwait(false);
        var fromAlice = bobWallet.GetHistory(new Dictionary<string, PublicAddress> { ["Alice"] = alice.DefaultSubaddress })
            .SingleOrDefault(e => e.Direction == HistoryDirection.Received);
        if (fromAlice is not { CounterpartyName: "Alice", CounterpartyVerified: true })
        {
            throw new DemoFailedException("Bob's payment does not carry Alice's authenticated sender memo.");
        }

        Step($"Bob found {CliOutput.Mob(bobBalance.Mob)} through fog; its memo proves it is from Alice");

        var expected = Amounts.Faucet - Amounts.Payment - sent.Fee;
        aliceBalance = await WaitForBalanceAsync(aliceWallet, "Alice", b => b.Mob == expected, cancellationToken).ConfigureAwait(false);
        Step($"Alice's balance is now {CliOutput.Mob(aliceBalance.Mob)}: fog ledger reports her first output spent, fog view found her change");

        var back = await bobWallet.SendAsync(alice.DefaultSubaddress, new Amount(Amounts.PayBack, Amount.MobTokenId), cancellationToken: cancellationToken).ConfigureAwait(false);
        if (back.Status != SendStatus.Confirmed)
        {
            throw new DemoFailedException($"Bob's payment back to Alice did not go through: {back.Message}");
        }

        Step($"Bob paid Alice back {CliOutput.Mob(back.Amount)} (fee {CliOutput.Mob(back.Fee)}) in block {back.BlockIndex}");
        var bobExpected = Amounts.Payment - Amounts.PayBack - back.Fee;
        bobBalance = await WaitForBalanceAsync(bobWallet, "Bob", b => b.Mob == bobExpected, cancellationToken).ConfigureAwait(false);
        Step($"Bob's balance is now {CliOutput.Mob(bobBalance.Mob)}: fog ledger reports the output Alice sent him spent");

        var aliceExpected = expected + Amounts.PayBack;
        aliceBalance = await WaitForBalanceAsync(aliceWallet, "Alice", b => b.Mob == aliceExpected, cancellationToken).ConfigureAwait(false);
        var fromBob = aliceWallet.GetHistory(new Dictionary<string, PublicAddress> { ["Bob"] = bob.DefaultSubaddress })
            .Where(e => e.Direction == HistoryDirection.Received)
            .Any(e => e is { CounterpartyName: "Bob", CounterpartyVerified: true });
        if (!fromBob)
        {
            throw new DemoFailedException("Alice's payment from Bob does not carry Bob's authenticated sender memo.");
        }

        Step($"Alice found Bob's {CliOutput.Mob(Amounts.PayBack)} through fog (memo from Bob); her balance is {CliOutput.Mob(aliceBalance.Mob)}");
        return new DemoOutcome(aliceBalance, bobBalance);
    }

    private async Task<FogBalance> WaitForBalanceAsync(FogClient wallet, string who, Func<FogBalance, bool> expected, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var balance = await wallet.CheckBalanceAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            if (expected(balance))
            {
                return balance;
            }

            if (deadline.Elapsed > FogTimeout)
            {
                throw new DemoFailedException(
                    $"{who}'s balance is still {CliOutput.Mob(balance.Mob)} after {FogTimeout.TotalSeconds:0} s (fog has processed {balance.ValidAtBlockCount} of {network.Node.Ledger.NumBlocks} blocks).");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken).ConfigureAwait(false);
        }
    }

    private void Step(string text) => output.WriteLine($"[{_clock.Elapsed.TotalSeconds,5:0.0}s] {text}");

    private static string Short(PublicAddress address) => address.ToB58()[..16] + "…";

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes)[..16] + "…";
}
