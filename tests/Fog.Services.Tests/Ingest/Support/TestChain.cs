using System.Runtime.CompilerServices;
using Fog.Crypto.Ristretto;
using Fog.Model.Addresses;
using Fog.Model.FogData;
using Fog.Model.Ledger;
using Fog.Model.Transactions;
using Fog.Services.BlockSources;
using Fog.Testing.Ledger;

namespace Fog.Services.Tests.Ingest.Support;

/// <summary>
/// A chain built by the test: blocks of chosen TxOuts appended to an in-memory ledger (ingest checks no signatures or
/// transactions), followed by ingest servers through <see cref="IBlockSource"/>. Thread-safe.
/// </summary>
internal sealed class TestChain : IBlockSource
{
    private readonly Lock _lock = new();
    private readonly InMemoryLedger _ledger = new();
    private readonly List<BlockData> _blocks = [];
    private TaskCompletionSource _appended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A chain with its origin block (one output to nobody).</summary>
    public TestChain()
    {
        Append([LedgerFixtures.RandomOutput()]);
    }

    public ILedgerStore Ledger => _ledger;

    public ulong NumBlocks
    {
        get
        {
            lock (_lock)
            {
                return (ulong)_blocks.Count;
            }
        }
    }

    /// <summary>Appends a signed block (timestamp = 1,700,000,000 + index) holding <paramref name="outputs"/>; returns it.</summary>
    public BlockData Append(IReadOnlyList<TxOut> outputs)
    {
        BlockData data;
        lock (_lock)
        {
            var contents = new BlockContents(_blocks.Count == 0 ? [] : [LedgerFixtures.RandomKeyImage()], outputs);
            var unsigned = LedgerFixtures.NextBlock(_ledger, contents);
            data = unsigned.Block.Index == 0
                ? unsigned
                : unsigned with { Signature = new BlockSignature(new byte[64], new byte[32], 1_700_000_000 + unsigned.Block.Index) };
            Assert.Equal(LedgerAppendResult.Ok, _ledger.Append(data));
            _blocks.Add(data);
        }

        Interlocked.Exchange(ref _appended, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        return data;
    }

    /// <summary>A TxOut paying <paramref name="recipient"/> through the ingest enclave whose ingress key is <paramref name="ingressKey"/>.</summary>
    public static TxOut FogOutput(PublicAddress recipient, ReadOnlySpan<byte> ingressKey, ulong value)
    {
        using var txKey = RistrettoPrivate.Generate();
        return TxOut.Create(BlockVersion.Max, new Amount(value, Amount.MobTokenId), recipient, txKey, FogHint.Encrypt(RistrettoPublic.From(ingressKey), recipient.ViewPublicKey));
    }

    public async IAsyncEnumerable<BlockData> FollowAsync(ulong startIndex, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var next = startIndex;
        while (!cancellationToken.IsCancellationRequested)
        {
            Task signal;
            List<BlockData> ready;
            lock (_lock)
            {
                signal = _appended.Task;
                ready = next < (ulong)_blocks.Count ? _blocks.GetRange((int)next, _blocks.Count - (int)next) : [];
            }

            foreach (var block in ready)
            {
                yield return block;
                next++;
            }

            try
            {
                await signal.WaitAsync(TimeSpan.FromMilliseconds(200), cancellationToken);
            }
            catch (TimeoutException)
            {
            }
            catch (OperationCanceledException)
            {
                yield break;
            }
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
