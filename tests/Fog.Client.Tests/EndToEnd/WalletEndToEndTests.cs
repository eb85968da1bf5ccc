using Fog.Client.Balance;
using Fog.Client.Payments;
using Fog.Model.Addresses;
using Fog.Model.Keys;
using Fog.Model.Transactions;
using Fog.Testing.Network;

namespace Fog.Client.Tests.EndToEnd;

/// <summary>
/// The SDK against a whole network of real servers on loopback: a wallet restored on a new device, a wallet that was
/// offline while ingest's key was lost and replaced, and balances checked while view and ledger are at different
/// heights. Every balance the client reports is compared with the ground truth computed from the node's ledger at the
/// block count the client says it is valid at.
/// </summary>
public sealed class WalletEndToEndTests
{
    private const ulong Mob = 1_000_000_000_000;
    private const ulong Fee = 400_000_000;

    [Fact]
    public async Task Wallet_restored_from_its_mnemonic_on_a_new_device_recovers_the_full_history_and_can_spend()
    {
        await using var network = await FogTestNetwork.StartAsync();
        var phrase = Mnemonic.Generate();
        using var alice = AccountKey.FromMnemonic(phrase, 0, network.Fog);
        using var bob = AccountKey.FromRootEntropy(Seed(2), network.Fog);
        var contacts = new Dictionary<string, PublicAddress> { ["alice"] = alice.DefaultSubaddress, ["bob"] = bob.DefaultSubaddress };

        using var aliceWallet = network.Wallet(alice);
        using var bobWallet = network.Wallet(bob);
        await network.CaughtUpToAsync(await network.PayFromFaucetAsync(alice, 10 * Mob) + 1);
        Assert.Equal(10 * Mob, (await aliceWallet.CheckBalanceAsync()).Mob);
        var toBob = await aliceWallet.SendAsync(bob.DefaultSubaddress, new Amount(5 * Mob / 2, Amount.MobTokenId));
        Assert.Equal(SendStatus.Confirmed, toBob.Status);
        await network.CaughtUpToAsync(toBob.BlockIndex!.Value + 1);
        Assert.Equal(5 * Mob / 2, (await bobWallet.CheckBalanceAsync()).Mob);
        var toAlice = await bobWallet.SendAsync(alice.DefaultSubaddress, new Amount(Mob, Amount.MobTokenId));
        Assert.Equal(SendStatus.Confirmed, toAlice.Status);
        await network.CaughtUpToAsync(toAlice.BlockIndex!.Value + 1);
        var original = await aliceWallet.CheckBalanceAsync();
        Assert.Equal((10 * Mob) - (5 * Mob / 2) - Fee + Mob, original.Mob);
        var originalHistory = aliceWallet.GetHistory(contacts);

        // A new device: the same mnemonic, no saved state.
        using var restoredKey = AccountKey.FromMnemonic(phrase, 0, network.Fog);
        using var restored = network.Wallet(restoredKey);
        var balance = await restored.CheckBalanceAsync();
        var history = restored.GetHistory(contacts);

        Assert.Equal(original.ValidAtBlockCount, balance.ValidAtBlockCount);
        Assert.Equal(original.ByToken, balance.ByToken);
        Assert.Equal(originalHistory, history);
        Assert.Contains(history, e => e is { Direction: HistoryDirection.Received, Value: 10 * Mob, Spent: true });
        Assert.Contains(history, e => e is { Direction: HistoryDirection.Sent, Value: 5 * Mob / 2, Fee: Fee, CounterpartyName: "bob" });
        Assert.Contains(history, e => e is { Direction: HistoryDirection.Received, Value: Mob, CounterpartyName: "bob", CounterpartyVerified: true, Spent: false });

        // It knows which outputs are spent, so it can pay from what is left.
        var again = await restored.SendAsync(bob.DefaultSubaddress, new Amount(Mob, Amount.MobTokenId));
        Assert.Equal(SendStatus.Confirmed, again.Status);
        await network.CaughtUpToAsync(again.BlockIndex!.Value + 1);
        var after = await restored.CheckBalanceAsync();
        Assert.Equal(original.Mob - Mob - Fee, after.Mob);
        AssertTrue(network, restoredKey, after);
    }

    [Fact]
    public async Task Wallet_offline_while_ingest_lost_its_key_and_got_a_new_one_finds_every_payment_on_return()
    {
        await using var network = await FogTestNetwork.StartAsync();
        using var alice = AccountKey.FromRootEntropy(Seed(1), network.Fog);
        using var carol = AccountKey.FromRootEntropy(Seed(3), network.Fog);

        // First session: 3 MOB through fog; the client state is what the wallet saves.
        await network.CaughtUpToAsync(await network.PayFromFaucetAsync(alice, 3 * Mob) + 1);
        FogClientState saved;
        using (var session = network.Wallet(alice))
        {
            Assert.Equal(3 * Mob, (await session.CheckBalanceAsync()).Mob);
            saved = session.State;
        }

        // While the wallet is offline, ingest dies with its key. Senders still see that key published and use it: nobody
        // will ever scan these blocks for fog records.
        var lostKey = network.IngressKey;
        await network.KillIngestAsync();
        var missedBlock = await network.PayFromFaucetAsync(alice, 2 * Mob);
        await network.PayFromFaucetAsync(carol, Mob);

        // The operator reports the key lost and activates a new ingest server with a new key.
        await network.ReplaceIngestWithNewKeyAsync(lostKey);
        Assert.NotEqual(lostKey, network.IngressKey);
        var afterRotation = await network.PayFromFaucetAsync(alice, 4 * Mob);
        Assert.True(afterRotation > missedBlock);
        await network.CaughtUpToAsync(afterRotation + 1);

        // Second session, from the saved state.
        using var returned = network.Wallet(alice, saved);
        var balance = await returned.CheckBalanceAsync();

        Assert.Equal(9 * Mob, balance.Mob);
        Assert.True(balance.ValidAtBlockCount > afterRotation, $"valid at {balance.ValidAtBlockCount}, expected past block {afterRotation}");
        AssertTrue(network, alice, balance);
        Assert.Contains(returned.GetHistory(), e => e is { Direction: HistoryDirection.Received, Value: 2 * Mob } && e.BlockIndex == missedBlock);
        Assert.Equal(2, returned.State.Rngs.Select(r => r.IngestInvocationId).Distinct().Count());

        // New blocks keep the balance moving: the missed range never pins it.
        var later = await network.PayFromFaucetAsync(carol, Mob);
        await network.CaughtUpToAsync(later + 1);
        var latest = await returned.CheckBalanceAsync();
        Assert.True(latest.ValidAtBlockCount > later);
        Assert.Equal(9 * Mob, latest.Mob);
        AssertTrue(network, alice, latest);
    }

    [Fact]
    public async Task With_view_and_ledger_at_different_heights_every_reported_balance_is_true_at_its_block_count()
    {
        await using var network = await FogTestNetwork.StartAsync();
        using var alice = AccountKey.FromRootEntropy(Seed(1), network.Fog);
        using var bob = AccountKey.FromRootEntropy(Seed(2), network.Fog);
        using var aliceWallet = network.Wallet(alice);
        using var bobWallet = network.Wallet(bob);
        async Task<FogBalance> CheckAsync(FogClient wallet, AccountKey account)
        {
            var balance = await wallet.CheckBalanceAsync();
            AssertTrue(network, account, balance);
            return balance;
        }

        var funded = await network.PayFromFaucetAsync(alice, 10 * Mob);
        await network.CaughtUpToAsync(funded + 1);
        Assert.Equal(10 * Mob, (await CheckAsync(aliceWallet, alice)).Mob);

        // Ledger behind: Alice spends, view sees her change and Bob's output, but fog ledger does not know the spend yet.
        var ledgerHeld = network.NumBlocks;
        network.LedgerBlocks.HoldAt(ledgerHeld);
        var sent = await aliceWallet.SendAsync(bob.DefaultSubaddress, new Amount(3 * Mob, Amount.MobTokenId));
        Assert.Equal(SendStatus.Confirmed, sent.Status);
        await Eventually.HoldsAsync(() => network.ViewBlockCount > sent.BlockIndex, () => $"view past block {sent.BlockIndex}");
        var aliceLedgerBehind = await CheckAsync(aliceWallet, alice);
        Assert.Equal((ledgerHeld, 10 * Mob), (aliceLedgerBehind.ValidAtBlockCount, aliceLedgerBehind.Mob));

        // Bob's output is newer than anything the ledger has checked, and nothing is spent in the block that creates it.
        var bobLedgerBehind = await CheckAsync(bobWallet, bob);
        Assert.Equal((sent.BlockIndex + 1, 3 * Mob), (bobLedgerBehind.ValidAtBlockCount, bobLedgerBehind.Mob));

        // View behind: the ledger catches up and goes on, fog view stays where it is.
        var viewHeld = network.NumBlocks;
        network.IngestBlocks.HoldAt(viewHeld);
        network.LedgerBlocks.Open();
        var topUp = await network.PayFromFaucetAsync(alice, 5 * Mob);
        await Eventually.HoldsAsync(() => network.LedgerBlockCount > topUp, () => $"ledger past block {topUp}");
        var aliceViewBehind = await CheckAsync(aliceWallet, alice);
        Assert.Equal((viewHeld, (10 * Mob) - (3 * Mob) - Fee), (aliceViewBehind.ValidAtBlockCount, aliceViewBehind.Mob));
        var bobViewBehind = await CheckAsync(bobWallet, bob);
        Assert.Equal((viewHeld, 3 * Mob), (bobViewBehind.ValidAtBlockCount, bobViewBehind.Mob));

        // Both caught up.
        network.IngestBlocks.Open();
        await network.CaughtUpToAsync(topUp + 1);
        var aliceCaughtUp = await CheckAsync(aliceWallet, alice);
        Assert.Equal((topUp + 1, (12 * Mob) - Fee), (aliceCaughtUp.ValidAtBlockCount, aliceCaughtUp.Mob));
        Assert.Equal(3 * Mob, (await CheckAsync(bobWallet, bob)).Mob);
    }

    /// <summary>The client's (balance, valid-at) pair against the node's ledger: what the account really owned then.</summary>
    private static void AssertTrue(FogTestNetwork network, AccountKey account, FogBalance balance)
    {
        Assert.True(balance.ValidAtBlockCount <= network.NumBlocks, $"valid at {balance.ValidAtBlockCount}, but the chain has {network.NumBlocks} blocks");
        Assert.Equal(network.TrueBalance(account, balance.ValidAtBlockCount), balance.Mob);
    }

    private static byte[] Seed(byte value) => Enumerable.Repeat(value, 32).ToArray();
}
