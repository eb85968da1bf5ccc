using System.Text.Json;
using Fog.Client.Balance;
using Fog.Crypto.Ristretto;
using Fog.Model.FogData;
using Fog.Model.Keys;
using Fog.Model.Transactions;

namespace Fog.Client.Tests.Balance;

/// <summary>The balance-check algorithm (view.md §5) against records made as ingest makes them.</summary>
public sealed class FogSyncTests : IDisposable
{
    private readonly AccountKey _alice = AccountKey.FromRootEntropy(Enumerable.Repeat((byte)21, 32).ToArray());
    private readonly AccountKey _bob = AccountKey.FromRootEntropy(Enumerable.Repeat((byte)22, 32).ToArray());
    private readonly FakeFog _fog = new() { HighestProcessedBlockCount = 10, LedgerBlockCount = 10 };
    private readonly FogClientState _state = new();

    public void Dispose()
    {
        _alice.Dispose();
        _bob.Dispose();
    }

    private async Task<(IReadOnlyDictionary<ulong, ulong> Balances, ulong ValidAt)> CheckAsync(AccountKey account, FogClientState? state = null)
    {
        var sync = new FogSync(account, state ?? _state);
        await sync.PollViewAsync(_fog, null, CancellationToken.None);
        await sync.ScanMissedBlocksAsync(_fog, CancellationToken.None);
        await sync.CheckKeyImagesAsync(_fog, CancellationToken.None);
        return sync.Balance();
    }

    [Fact]
    public async Task Finds_every_record_across_rngs_with_different_counts_and_nothing_of_others()
    {
        using var first = _fog.NewInvocation(1, 0);
        using var second = _fog.NewInvocation(2, 3);
        for (var i = 0; i < 37; i++)
        {
            _fog.Pay(first, _alice, 1, (ulong)(i % 9));
        }

        _fog.Pay(second, _alice, 1000, 5);
        _fog.Pay(first, _bob, 7, 2);

        var (balances, validAt) = await CheckAsync(_alice);
        Assert.Equal(10UL, validAt);
        Assert.Equal(37UL + 1000, balances[0]);
        Assert.Equal(38, _state.Outputs.Count);
        Assert.All(_fog.KeysPerQuery, n => Assert.True(n <= FogSync.MaxSearchKeysPerRequest));

        var bobState = new FogClientState();
        var (bobBalances, _) = await CheckAsync(_bob, bobState);
        Assert.Equal(7UL, bobBalances[0]);
        Assert.Single(bobState.Outputs);
    }

    [Fact]
    public async Task Incremental_check_finds_only_new_records_and_state_survives_serialization()
    {
        using var egress = _fog.NewInvocation(1, 0);
        _fog.Pay(egress, _alice, 5, 1);
        await CheckAsync(_alice);

        var json = JsonSerializer.Serialize(_state);
        var restored = JsonSerializer.Deserialize<FogClientState>(json)!;
        _fog.Pay(egress, _alice, 6, 11);
        _fog.HighestProcessedBlockCount = 12;
        _fog.LedgerBlockCount = 12;
        var queriesBefore = _fog.Queries;
        var (balances, validAt) = await CheckAsync(_alice, restored);
        Assert.Equal(11UL, balances[0]);
        Assert.Equal(12UL, validAt);
        Assert.Equal(2, restored.Outputs.Count);
        Assert.True(_fog.Queries - queriesBefore <= 3, "an incremental check asks only from where it stopped");
    }

    [Fact]
    public async Task Spent_outputs_leave_the_balance_and_unspent_status_bounds_the_valid_height()
    {
        using var egress = _fog.NewInvocation(1, 0);
        var first = _fog.Pay(egress, _alice, 100, 1);
        _fog.Pay(egress, _alice, 50, 2);
        using (var spend = _alice.SubaddressSpendPrivate(0))
        {
            _fog.Spend(first.KeyImage(_alice.ViewPrivateKey, spend), 7);
        }

        var (balances, validAt) = await CheckAsync(_alice);
        Assert.Equal(50UL, balances[0]);
        Assert.Equal(10UL, validAt);

        // The ledger lags the view: the balance is only claimed as of the ledger's count.
        _fog.LedgerBlockCount = 6;
        var lagging = new FogClientState();
        var (laggingBalances, laggingValidAt) = await CheckAsync(_alice, lagging);
        Assert.Equal(6UL, laggingValidAt);
        Assert.Equal(150UL, laggingBalances[0]); // spent at 7, which is after the claimed height
    }

    [Fact]
    public async Task Missed_ranges_are_kept_even_when_the_view_does_not_advance_and_are_scanned()
    {
        using var egress = _fog.NewInvocation(1, 0);
        _fog.Pay(egress, _alice, 1, 0);
        await CheckAsync(_alice);
        Assert.Equal(10UL, _state.HighestProcessedBlockCount);

        // A missed range arrives while the processed count stays the same (the reference client dropped it here).
        using var txKey = RistrettoPrivate.Generate();
        var unfogged = TxOut.Create(BlockVersion.Max, new Amount(40, 0), _alice.DefaultSubaddress, txKey, FogHint.Fake());
        _fog.AddBlock(4, unfogged);
        _fog.Missed(4, 6);
        var sync = new FogSync(_alice, _state);
        await sync.PollViewAsync(_fog, null, CancellationToken.None);
        Assert.Contains(new BlockSpan(4, 6), _state.MissedRanges);
        Assert.Equal(4UL, sync.Balance().ValidAtBlockCount); // limited to the range's first block

        await sync.ScanMissedBlocksAsync(_fog, CancellationToken.None);
        await sync.CheckKeyImagesAsync(_fog, CancellationToken.None);
        var (balances, validAt) = sync.Balance();
        Assert.Empty(_state.MissedRanges);
        Assert.Equal(10UL, validAt);
        Assert.Equal(41UL, balances[0]);
    }

    [Fact]
    public async Task Exhausted_rngs_of_decommissioned_invocations_stop_being_probed()
    {
        using var old = _fog.NewInvocation(1, 0);
        _fog.Pay(old, _alice, 1, 1);
        _fog.Decommission(1, 3);
        using var current = _fog.NewInvocation(2, 4);
        _fog.Pay(current, _alice, 2, 5);
        await CheckAsync(_alice);
        Assert.True(_state.Rngs.Single(r => r.IngestInvocationId == 1).Exhausted);
        Assert.False(_state.Rngs.Single(r => r.IngestInvocationId == 2).Exhausted);

        _fog.HighestProcessedBlockCount = 11;
        _fog.KeysPerQuery.Clear();
        await CheckAsync(_alice);
        Assert.All(_fog.KeysPerQuery.Where(n => n > 0), n => Assert.Equal(2, n)); // only the live RNG's two keys
    }

    [Fact]
    public async Task Search_rounds_never_exceed_500_keys()
    {
        var egresses = Enumerable.Range(0, 300).Select(i => _fog.NewInvocation(i, 0)).ToList();
        try
        {
            foreach (var egress in egresses.Take(5))
            {
                for (var i = 0; i < 3; i++)
                {
                    _fog.Pay(egress, _alice, 1, 1);
                }
            }

            var (balances, _) = await CheckAsync(_alice);
            Assert.Equal(15UL, balances[0]);
            Assert.True(_fog.MaxKeysInOneQuery <= FogSync.MaxSearchKeysPerRequest);
        }
        finally
        {
            egresses.ForEach(e => e.Dispose());
        }
    }
}
