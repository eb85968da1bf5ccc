using Fog.Oblivious.Oram;
using Fog.Oblivious.Randomness;
using Fog.Oblivious.Storage;

namespace Fog.Oblivious.Tests.Support;

/// <summary>
/// The registry of ORAM implementations: every contract test runs against each of them.
/// </summary>
public static class OramImplementations
{
    public static readonly string[] Names =
    [
        "linear-scan",
        "path/in-memory",
        "circuit/in-memory",
        "path/untrusted(top 2)",
        "circuit/untrusted(top 0)",
        "circuit/in-memory/deep-recursion",
        "circuit/in-memory/no-extra-branch-z2",
    ];

    public static TheoryData<string> All => [.. Names];

    public static TheoryData<string> TreeOrams => [.. Names.Where(n => n != "linear-scan")];

    public static IOram Create(string name, ulong length, int valueSize, RandomSource random) => name switch
    {
        "linear-scan" => new LinearScanOram(length, valueSize),
        "path/in-memory" => OramFactory.Create(length, Options(EvictorKind.PathOram, valueSize), random),
        "circuit/in-memory" => OramFactory.Create(length, Options(EvictorKind.Circuit, valueSize), random),
        "path/untrusted(top 2)" => OramFactory.Create(
            length,
            Options(EvictorKind.PathOram, valueSize) with { Storage = new OramStorageOptions { Kind = OramStorageKind.Untrusted, TrustedTopLevels = 2 } },
            random),
        "circuit/untrusted(top 0)" => OramFactory.Create(
            length,
            Options(EvictorKind.Circuit, valueSize) with { Storage = new OramStorageOptions { Kind = OramStorageKind.Untrusted, TrustedTopLevels = 0 } },
            random),
        "circuit/in-memory/deep-recursion" => OramFactory.Create(
            length,
            Options(EvictorKind.Circuit, valueSize) with { LinearScanThreshold = 16, PositionMapValueSize = 64 },
            random),
        "circuit/in-memory/no-extra-branch-z2" => OramFactory.Create(
            length,
            Options(EvictorKind.Circuit, valueSize) with { BucketCapacity = 2, ExtraEvictionBranches = 2 },
            random),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static OramOptions Options(EvictorKind evictor, int valueSize) => new() { Evictor = evictor, ValueSize = valueSize };
}
