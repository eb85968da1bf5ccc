using Fog.Oblivious.Oram;
using Fog.Oblivious.Randomness;
using Fog.Oblivious.Tests.Support;

namespace Fog.Oblivious.Tests.Oram;

/// <summary>The contract every <see cref="IOram"/> must meet, run against every implementation.</summary>
public class OramContractTests
{
    [Theory]
    [MemberData(nameof(OramImplementations.All), MemberType = typeof(OramImplementations))]
    public void Values_never_written_read_as_zeros(string implementation)
    {
        using var random = SeededRandomSource.FromTestSeed(1);
        using var oram = OramImplementations.Create(implementation, 64, 128, random);
        var value = new byte[128];
        for (ulong i = 0; i < 64; i += 7)
        {
            value.AsSpan().Fill(0xAA);
            oram.Read(i, value);
            Assert.Equal(new byte[128], value);
        }
    }

    [Theory]
    [MemberData(nameof(OramImplementations.All), MemberType = typeof(OramImplementations))]
    public void Random_reads_and_writes_agree_with_an_array_model(string implementation)
    {
        foreach (var (length, seed) in new[] { (1UL, 1UL), (2UL, 2UL), (16UL, 3UL), (256UL, 4UL), (1024UL, 5UL) })
        {
            using var random = SeededRandomSource.FromTestSeed(seed);
            using var oram = OramImplementations.Create(implementation, length, 64, random);
            var model = new byte[length][];
            var script = new System.Random((int)seed);
            var operations = implementation == "linear-scan" ? 400 : 1500;
            for (var step = 0; step < operations; step++)
            {
                var index = (ulong)script.NextInt64((long)length);
                var value = oram.BeginAccess(index);
                Assert.Equal(model[index] ?? new byte[64], value.ToArray());
                if (script.Next(2) == 0)
                {
                    var fresh = new byte[64];
                    script.NextBytes(fresh);
                    fresh.CopyTo(value);
                    model[index] = fresh;
                }

                oram.EndAccess();
            }
        }
    }

    [Theory]
    [MemberData(nameof(OramImplementations.All), MemberType = typeof(OramImplementations))]
    public void Misuse_is_rejected_with_typed_errors(string implementation)
    {
        using var random = SeededRandomSource.FromTestSeed(2);
        using var oram = OramImplementations.Create(implementation, 16, 64, random);
        Assert.Throws<ArgumentOutOfRangeException>(() => oram.BeginAccess(16));
        Assert.Throws<InvalidOperationException>(oram.EndAccess);
        oram.BeginAccess(3);
        Assert.Throws<InvalidOperationException>(() => oram.BeginAccess(4));
        oram.EndAccess();
        Assert.Throws<ArgumentException>(() => oram.Write(1, new byte[63]));
    }

    [Theory]
    [MemberData(nameof(OramImplementations.All), MemberType = typeof(OramImplementations))]
    public void Independent_orams_can_be_accessed_nested(string implementation)
    {
        using var random = SeededRandomSource.FromTestSeed(3);
        using var a = OramImplementations.Create(implementation, 32, 64, random);
        using var b = OramImplementations.Create(implementation, 32, 64, random);
        for (byte i = 0; i < 32; i++)
        {
            var va = a.BeginAccess(i);
            var vb = b.BeginAccess(31UL - i);
            va[0] = i;
            vb[0] = (byte)(100 + i);
            b.EndAccess();
            a.EndAccess();
        }

        var value = new byte[64];
        for (byte i = 0; i < 32; i++)
        {
            a.Read(i, value);
            Assert.Equal(i, value[0]);
            b.Read(31UL - i, value);
            Assert.Equal(100 + i, value[0]);
        }
    }
}
