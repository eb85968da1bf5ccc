using BenchmarkDotNet.Attributes;
using Fog.Crypto.Interop;
using Fog.Crypto.Ristretto;

namespace Fog.Benchmarks;

/// <summary>
/// The floor every suite here is measured against: one raw libsodium ristretto255 scalar multiplication, in the same
/// run (BenchmarkDotNet's Ratio column).
/// </summary>
public abstract class ScalarMultiplicationFloor
{
    private readonly byte[] _floorScalar = new byte[32];
    private readonly byte[] _floorPoint = new byte[32];
    private readonly byte[] _floorResult = new byte[32];

    /// <summary>A random scalar and point for the floor.</summary>
    protected ScalarMultiplicationFloor()
    {
        Ristretto255.RandomScalar(_floorScalar);
        var other = new byte[32];
        Ristretto255.RandomScalar(other);
        Ristretto255.ScalarMultiplyBase(other, _floorPoint);
    }

    [Benchmark(Baseline = true, Description = "libsodium scalarmult (floor)")]
    public unsafe int RawLibsodiumScalarMultiply()
    {
        fixed (byte* q = _floorResult)
        fixed (byte* n = _floorScalar)
        fixed (byte* p = _floorPoint)
        {
            return Libsodium.crypto_scalarmult_ristretto255(q, n, p);
        }
    }
}
