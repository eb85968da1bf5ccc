using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Fog.Crypto.Ristretto;
using Fog.Model.FogData;
using Fog.Model.Keys;
using Fog.Model.Ledger;
using Fog.Model.Transactions;

namespace Fog.Benchmarks;

/// <summary>
/// Building (MLSAG signing included) and validating (MLSAGs, proofs, balance) a payment with 1, 4 and 16 inputs at
/// ring size 11, next to one raw libsodium scalar multiplication measured in the same run (the Ratio column says how
/// many multiplications' worth of time each takes).
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class TransactionBenchmarks : ScalarMultiplicationFloor
{
    private readonly InMemoryLedger _ledger = new();
    private readonly TxValidationOptions _options = new() { RangeProofs = new UncheckedRangeProofs() };
    private AccountKey _sender = null!;
    private AccountKey _recipient = null!;
    private PaymentRequest _request = null!;
    private Tx _tx = null!;

    [Params(1, 4, 16)]
    public int Inputs { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _sender = AccountKey.FromRootEntropy(RandomNumberGenerator.GetBytes(32));
        _recipient = AccountKey.FromRootEntropy(RandomNumberGenerator.GetBytes(32));
        var outputs = new List<TxOut>();
        var owned = new List<ulong>();
        for (var i = 0; i < Inputs; i++)
        {
            owned.Add((ulong)outputs.Count);
            outputs.Add(NewOutput(_sender.DefaultSubaddress, 1_000_000_000_000));
        }

        var decoys = new List<ulong>();
        for (var i = 0; i < Inputs * (TransactionBuilder.RingSize - 1); i++)
        {
            using var stranger = AccountKey.FromRootEntropy(RandomNumberGenerator.GetBytes(32));
            decoys.Add((ulong)outputs.Count);
            outputs.Add(NewOutput(stranger.DefaultSubaddress, 1));
        }

        _ledger.AppendContents(new BlockContents([], outputs));

        _request = new PaymentRequest
        {
            Sender = _sender,
            Inputs = owned.Select(i => new OwnedInput(_ledger.Outputs[(int)i], 0, _ledger.GetMembershipProof(i))).ToList(),
            Mixins = decoys.Chunk(TransactionBuilder.RingSize - 1)
                .Select(chunk => (IReadOnlyList<Mixin>)chunk.Select(i => new Mixin(_ledger.Outputs[(int)i], _ledger.GetMembershipProof(i))).ToList())
                .ToList(),
            Payees = [new Payee(_recipient.DefaultSubaddress, 1_000_000_000)],
            Fee = 400_000_000,
            TombstoneBlock = _ledger.NumBlocks + 50,
        };
        _tx = TransactionBuilder.Build(_request).Tx;
        if (TransactionValidator.Validate(_tx, BlockVersion.Max, _ledger, _options) != TxValidationResult.Ok)
        {
            throw new InvalidOperationException("The benchmark transaction does not validate.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _sender.Dispose();
        _recipient.Dispose();
    }


    [Benchmark(Description = "build and sign")]
    public Tx Build() => TransactionBuilder.Build(_request).Tx;

    [Benchmark(Description = "validate")]
    public TxValidationResult Validate() => TransactionValidator.Validate(_tx, BlockVersion.Max, _ledger, _options);

    private static TxOut NewOutput(Fog.Model.Addresses.PublicAddress recipient, ulong value)
    {
        using var txKey = RistrettoPrivate.Generate();
        return TxOut.Create(BlockVersion.Max, new Amount(value, 0), recipient, txKey, FogHint.Fake());
    }
}
