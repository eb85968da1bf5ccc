using BenchmarkDotNet.Attributes;
using Fog.Crypto.Box;
using Fog.Crypto.Kex;
using Fog.Crypto.Ristretto;
using Fog.Model.FogData;
using Fog.Model.Keys;
using Fog.Model.Transactions;

namespace Fog.Benchmarks;

/// <summary>
/// The foundation's hot operations, each next to the floor: one raw libsodium ristretto255 scalar
/// multiplication measured in the same run (the Ratio column). Crypto-box decryption and TxOut recognition each
/// need one variable-base multiplication, so their ratio shows what the rest of the work costs.
/// </summary>
[MemoryDiagnoser]
public class CryptoBenchmarks : ScalarMultiplicationFloor
{
    private readonly byte[] _scalar = new byte[32];
    private readonly byte[] _point = new byte[32];
    private readonly byte[] _result = new byte[32];
    private readonly byte[] _plaintext = new byte[FogHint.PlaintextSize];
    private readonly byte[] _search = new byte[KexRng.OutputSize];
    private RistrettoPrivate _key = null!;
    private byte[] _cryptogram = null!;
    private byte[] _record = null!;
    private AccountKey _account = null!;
    private TxOut _txOut = null!;
    private byte[] _secret = null!;
    private ulong _counter;

    [GlobalSetup]
    public void Setup()
    {
        Ristretto255.RandomScalar(_scalar);
        var other = new byte[32];
        Ristretto255.RandomScalar(other);
        Ristretto255.ScalarMultiplyBase(other, _point);
        _key = RistrettoPrivate.Generate();
        _cryptogram = FogHint.Encrypt(_key.PublicKey, _key.PublicKey);
        _account = AccountKey.FromRootEntropy(new byte[32]);
        using var txKey = RistrettoPrivate.Generate();
        _txOut = TxOut.Create(BlockVersion.Three, new Amount(1_000_000, 0), _account.DefaultSubaddress, txKey, FogHint.Fake());
        _record = VersionedCryptoBox.Encrypt(_key.PublicKey, TxOutRecord.FromTxOut(_txOut, 1, 1, 1).ToProtobuf());
        _secret = new byte[32];
        Random.Shared.NextBytes(_secret);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _key.Dispose();
        _account.Dispose();
    }


    [Benchmark(Description = "Ristretto255.TryScalarMultiply")]
    public bool ScalarMultiply() => Ristretto255.TryScalarMultiply(_scalar, _point, _result);

    [Benchmark(Description = "crypto-box decrypt (fog hint, 84 B)")]
    public CryptoBoxResult CryptoBoxDecryptHint() => VersionedCryptoBox.Decrypt(_key, _cryptogram, _plaintext, out _);

    [Benchmark(Description = "crypto-box decrypt (record, 237 B)")]
    public byte[]? CryptoBoxDecryptRecord() => VersionedCryptoBox.TryDecrypt(_key, _record);

    [Benchmark(Description = "KexRng output (one search key)")]
    public byte KexRngOutput()
    {
        KexRng.Prf(_secret, _counter++, _search);
        return _search[0];
    }

    [Benchmark(Description = "TxOut recognition (a·R, P − Hs·G)")]
    public RistrettoPublic? TxOutRecognition() => _txOut.RecoverSubaddressSpendPublic(_account.ViewPrivateKey);
}
