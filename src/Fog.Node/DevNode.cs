using Fog.Crypto.Ristretto;
using Fog.Model.Addresses;
using Fog.Model.Encoding;
using Fog.Model.FogData;
using Fog.Model.Ledger;
using Fog.Model.Transactions;
using Microsoft.Extensions.Logging;
using NSec.Cryptography;

namespace Fog.Node;

/// <summary>
/// The dev node's core: validates proposed transactions against the ledger and the pending pool, forms a block from the
/// pool at most every <see cref="NodeOptions.BlockInterval"/> (at once when idle), signs it with the node's Ed25519 key
/// and appends it. Reads may run concurrently with block formation; only the producer writes.
/// </summary>
public sealed partial class DevNode : IDisposable
{
    private readonly NodeOptions _options;
    private readonly ILedgerStore _ledger;
    private readonly Key _signingKey;
    private readonly ILogger _logger;
    private readonly TxValidationOptions _validation;
    private readonly ReaderWriterLockSlim _ledgerLock = new(LockRecursionPolicy.SupportsRecursion);
    private readonly object _poolLock = new();
    private readonly List<Pending> _pool = [];
    private readonly HashSet<string> _poolKeyImages = new(StringComparer.Ordinal);
    private readonly HashSet<string> _poolOutputKeys = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _poolSignal = new(0);
    private readonly SemaphoreSlim _faucetLock = new(1, 1);
    private readonly FaucetWallet _faucet;
    private TaskCompletionSource _newBlock = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private DateTimeOffset _lastBlockAt = DateTimeOffset.MinValue;

    /// <summary>A node over <paramref name="ledger"/>; creates the origin block if the ledger is empty.</summary>
    public DevNode(NodeOptions options, ILedgerStore ledger, Key signingKey, IRangeProofVerifier rangeProofs, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(rangeProofs);
        options.Validate();
        _options = options;
        _ledger = ledger ?? throw new ArgumentNullException(nameof(ledger));
        _signingKey = signingKey ?? throw new ArgumentNullException(nameof(signingKey));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _validation = new TxValidationOptions { RangeProofs = rangeProofs, MinimumFees = options.MinimumFees };
        _faucet = new FaucetWallet(Faucet.CreateAccountKey());
        LogRangeProofs(_logger, rangeProofs.Description);

        if (_ledger.NumBlocks == 0)
        {
            CreateOrigin();
        }

        var firstIndex = 0UL;
        for (ulong i = 0; i < _ledger.NumBlocks; i++)
        {
            var block = _ledger.GetBlockData(i)!;
            _faucet.Scan(block, firstIndex);
            firstIndex += (ulong)block.Contents.Outputs.Count;
        }

        LogStarted(_logger, _ledger.NumBlocks, _ledger.NumTxOuts, _faucet.Balance(Amount.MobTokenId));
    }

    /// <summary>The block version new blocks get.</summary>
    public BlockVersion BlockVersion => _options.BlockVersion;

    /// <summary>Token id → minimum fee.</summary>
    public IReadOnlyDictionary<ulong, ulong> MinimumFees => _options.MinimumFees;

    /// <summary>The faucet's address.</summary>
    public PublicAddress FaucetAddress => _faucet.Address;

    /// <summary>Transactions waiting for a block.</summary>
    public int PendingCount
    {
        get
        {
            lock (_poolLock)
            {
                return _pool.Count;
            }
        }
    }

    /// <summary>Runs <paramref name="read"/> with the ledger consistent (no block half-appended).</summary>
    public T Read<T>(Func<ILedgerStore, T> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        _ledgerLock.EnterReadLock();
        try
        {
            return read(_ledger);
        }
        finally
        {
            _ledgerLock.ExitReadLock();
        }
    }

    /// <summary>Completes when a block after <paramref name="numBlocks"/> blocks exists.</summary>
    public async Task WaitForBlockAfterAsync(ulong numBlocks, CancellationToken cancellationToken)
    {
        while (true)
        {
            var signal = Volatile.Read(ref _newBlock).Task;
            if (Read(l => l.NumBlocks) > numBlocks)
            {
                return;
            }

            await signal.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Validates <paramref name="tx"/> against the ledger and the pending pool and, if valid, queues it for the next block.
    /// The returned task completes with the block index once the transaction is in a block, or with the code of the rule
    /// it broke if it is dropped at block formation.
    /// </summary>
    public (TxValidationResult Result, Task<Inclusion>? Included) Propose(Tx tx)
    {
        ArgumentNullException.ThrowIfNull(tx);
        var result = Read(ledger => TransactionValidator.Validate(tx, _options.BlockVersion, ledger, _validation));
        if (result != TxValidationResult.Ok)
        {
            return (result, null);
        }

        var pending = new Pending(tx, new TaskCompletionSource<Inclusion>(TaskCreationOptions.RunContinuationsAsynchronously));
        lock (_poolLock)
        {
            var keyImages = tx.KeyImages.Select(k => k.ToString()).ToList();
            var outputKeys = tx.Prefix.Outputs.Select(o => Convert.ToHexString(o.PublicKey)).ToList();
            if (keyImages.Any(_poolKeyImages.Contains))
            {
                return (TxValidationResult.ContainsSpentKeyImage, null);
            }

            if (outputKeys.Any(_poolOutputKeys.Contains))
            {
                return (TxValidationResult.ContainsExistingOutputPublicKey, null);
            }

            _pool.Add(pending);
            _poolKeyImages.UnionWith(keyImages);
            _poolOutputKeys.UnionWith(outputKeys);
        }

        _poolSignal.Release();
        return (TxValidationResult.Ok, pending.Included.Task);
    }

    /// <summary>
    /// Pays <paramref name="recipient"/> from the faucet with a real transaction and waits until it is in a block.
    /// </summary>
    public async Task<FaucetResult> PayFromFaucetAsync(PublicAddress recipient, Amount amount, RistrettoPublic? fogIngressKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        if (recipient.HasFog && fogIngressKey is null)
        {
            return FaucetResult.Failed(TxValidationResult.Ok, "the address uses fog: pass the ingress public key from its fog report");
        }

        if (!_options.MinimumFees.TryGetValue(amount.TokenId, out var fee))
        {
            return FaucetResult.Failed(TxValidationResult.TokenNotYetConfigured, $"token {amount.TokenId} is not configured on this node");
        }

        Task<Inclusion> included;
        IReadOnlyList<ulong> inputs;
        TxOut output;
        await _faucetLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            (BuiltTransaction Built, IReadOnlyList<ulong> Inputs)? payment;
            string? reason;
            _ledgerLock.EnterReadLock();
            try
            {
                payment = _faucet.BuildPayment(_ledger, recipient, amount, fee, fogIngressKey, _options.BlockVersion, out reason);
            }
            finally
            {
                _ledgerLock.ExitReadLock();
            }

            if (payment is not { } built)
            {
                return FaucetResult.Failed(TxValidationResult.Ok, reason!);
            }

            var (result, task) = Propose(built.Built.Tx);
            if (result != TxValidationResult.Ok)
            {
                _faucet.Release(built.Inputs);
                return FaucetResult.Failed(result, $"the faucet's own transaction was refused: {result}");
            }

            (included, inputs, output) = (task!, built.Inputs, built.Built.PayeeOutputs[0]);
        }
        finally
        {
            _faucetLock.Release();
        }

        var inclusion = await included.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (inclusion.Result != TxValidationResult.Ok)
        {
            await _faucetLock.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            _faucet.Release(inputs);
            _faucetLock.Release();
            return FaucetResult.Failed(inclusion.Result, "the faucet's transaction was dropped from the block");
        }

        return new FaucetResult(TxValidationResult.Ok, inclusion.BlockIndex, output, null);
    }

    /// <summary>Forms blocks until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await _poolSignal.WaitAsync(cancellationToken).ConfigureAwait(false);
                var wait = _lastBlockAt + _options.BlockInterval - DateTimeOffset.UtcNow;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                }

                FormBlock();
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                LogBlockFailed(_logger, e);
            }
        }

        // Nothing queued survives shutdown; tell the waiters.
        List<Pending> left;
        lock (_poolLock)
        {
            left = [.. _pool];
            _pool.Clear();
        }

        foreach (var pending in left)
        {
            pending.Included.TrySetCanceled(cancellationToken);
        }
    }

    /// <summary>Forms, signs and appends one block from the pending pool (no-op when it is empty).</summary>
    internal void FormBlock()
    {
        List<Pending> batch;
        lock (_poolLock)
        {
            batch = _pool.Take(_options.MaxTransactionsPerBlock).ToList();
            _pool.RemoveRange(0, batch.Count);
            foreach (var pending in batch)
            {
                _poolKeyImages.ExceptWith(pending.Tx.KeyImages.Select(k => k.ToString()));
                _poolOutputKeys.ExceptWith(pending.Tx.Prefix.Outputs.Select(o => Convert.ToHexString(o.PublicKey)));
            }
        }

        if (batch.Count == 0)
        {
            return;
        }

        var accepted = new List<Pending>();
        var dropped = new List<(Pending Pending, TxValidationResult Result)>();
        ulong blockIndex;
        _ledgerLock.EnterWriteLock();
        try
        {
            var keyImages = new HashSet<string>(StringComparer.Ordinal);
            var outputKeys = new HashSet<string>(StringComparer.Ordinal);
            foreach (var pending in batch)
            {
                var tx = pending.Tx;
                var result = TransactionValidator.ValidateAgainstLedgerState(tx, _ledger);
                if (result == TxValidationResult.Ok && tx.Prefix.TombstoneBlock <= _ledger.NumBlocks)
                {
                    result = TxValidationResult.TombstoneBlockExceeded;
                }

                if (result == TxValidationResult.Ok && tx.KeyImages.Any(k => !keyImages.Add(k.ToString())))
                {
                    result = TxValidationResult.ContainsSpentKeyImage;
                }

                if (result == TxValidationResult.Ok && tx.Prefix.Outputs.Any(o => !outputKeys.Add(Convert.ToHexString(o.PublicKey))))
                {
                    result = TxValidationResult.ContainsExistingOutputPublicKey;
                }

                if (result == TxValidationResult.Ok)
                {
                    accepted.Add(pending);
                }
                else
                {
                    dropped.Add((pending, result));
                }
            }

            if (accepted.Count == 0)
            {
                blockIndex = 0;
            }
            else
            {
                var contents = new BlockContents(
                    accepted.SelectMany(p => p.Tx.KeyImages).OrderBy(k => k.ToArray(), ByteOrder.Instance).ToList(),
                    accepted.SelectMany(p => p.Tx.Prefix.Outputs).OrderBy(o => o.PublicKey.ToArray(), ByteOrder.Instance).ToList());
                var last = _ledger.GetBlockData(_ledger.NumBlocks - 1)!.Block;
                var block = Block.CreateWithParent(_options.BlockVersion, last, _ledger.GetRootElement(), contents);
                var data = new BlockData(block, contents, BlockSignature.Sign(block, _signingKey, (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
                var firstIndex = _ledger.NumTxOuts;
                var appended = _ledger.Append(data);
                if (appended != LedgerAppendResult.Ok)
                {
                    throw new InvalidOperationException($"The ledger refused block {block.Index}: {appended}.");
                }

                _faucet.Scan(data, firstIndex);
                blockIndex = block.Index;
                _lastBlockAt = DateTimeOffset.UtcNow;
                LogBlockAppended(_logger, block.Index, accepted.Count, contents.Outputs.Count, dropped.Count);
            }
        }
        catch (Exception e)
        {
            foreach (var pending in batch)
            {
                pending.Included.TrySetException(e);
            }

            throw;
        }
        finally
        {
            _ledgerLock.ExitWriteLock();
        }

        foreach (var pending in accepted)
        {
            pending.Included.TrySetResult(new Inclusion(TxValidationResult.Ok, blockIndex));
        }

        foreach (var (pending, result) in dropped)
        {
            pending.Included.TrySetResult(new Inclusion(result, 0));
        }

        if (accepted.Count > 0)
        {
            Interlocked.Exchange(ref _newBlock, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _faucet.Dispose();
        _ledgerLock.Dispose();
        _poolSignal.Dispose();
        _faucetLock.Dispose();
    }

    private void CreateOrigin()
    {
        var funding = _options.Origin ?? [new OriginFunding(_faucet.Address, 100_000UL * 1_000_000_000_000, 100)];
        var outputs = new List<TxOut>();
        foreach (var fund in funding)
        {
            for (var i = 0; i < fund.Outputs; i++)
            {
                using var txKey = RistrettoPrivate.Generate();
                outputs.Add(TxOut.Create(_options.BlockVersion, new Amount(fund.Value, Amount.MobTokenId), fund.Recipient, txKey, FogHint.Fake()));
            }
        }

        var contents = new BlockContents([], outputs.OrderBy(o => o.PublicKey.ToArray(), ByteOrder.Instance).ToList());
        var origin = Block.CreateOrigin(contents);
        var result = _ledger.Append(new BlockData(origin, contents, BlockSignature.Sign(origin, _signingKey, (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds())));
        if (result != LedgerAppendResult.Ok)
        {
            throw new InvalidOperationException($"The ledger refused the origin block: {result}.");
        }

        LogOrigin(_logger, outputs.Count);
    }

    /// <summary>Where a proposed transaction ended up.</summary>
    /// <param name="Result">Ok, or the rule that dropped it at block formation.</param>
    /// <param name="BlockIndex">The block holding it (when Ok).</param>
    public readonly record struct Inclusion(TxValidationResult Result, ulong BlockIndex);

    private sealed record Pending(Tx Tx, TaskCompletionSource<Inclusion> Included);

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Dev node ledger: {Blocks} blocks, {TxOuts} TxOuts; faucet holds {FaucetBalance} picoMOB")]
    private static partial void LogStarted(ILogger logger, ulong blocks, ulong txOuts, ulong faucetBalance);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Created the origin block with {Outputs} outputs")]
    private static partial void LogOrigin(ILogger logger, int outputs);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Block {Index}: {Transactions} transactions, {Outputs} outputs ({Dropped} dropped)")]
    private static partial void LogBlockAppended(ILogger logger, ulong index, int transactions, int outputs, int dropped);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "Forming a block failed; its transactions were dropped")]
    private static partial void LogBlockFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "{Description}")]
    private static partial void LogRangeProofs(ILogger logger, string description);
}

/// <summary>The outcome of a faucet payment.</summary>
/// <param name="Result">Ok, or the validation code of the failure (Ok with an error message for other failures).</param>
/// <param name="BlockIndex">The block holding the payment.</param>
/// <param name="Output">The output paid to the recipient.</param>
/// <param name="Error">Why it failed, or null.</param>
public sealed record FaucetResult(TxValidationResult Result, ulong BlockIndex, TxOut? Output, string? Error)
{
    /// <summary>Whether the payment is in a block.</summary>
    public bool Succeeded => Error is null;

    internal static FaucetResult Failed(TxValidationResult result, string error) => new(result, 0, null, error);
}
