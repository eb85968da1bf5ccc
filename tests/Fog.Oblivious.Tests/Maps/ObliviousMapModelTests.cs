using Fog.Oblivious.Maps;
using Fog.Oblivious.Oram;
using Fog.Oblivious.Randomness;
using Fog.Oblivious.Storage;
using Fog.Oblivious.Tests.Support;
using FsCheck;
using FsCheck.Fluent;

namespace Fog.Oblivious.Tests.Maps;

/// <summary>Random operation sequences (FsCheck) against a dictionary model, for every Fog shape and several capacities.</summary>
public class ObliviousMapModelTests
{
    public static TheoryData<string, ulong, int, bool> Configurations => new()
    {
        // Small capacities overflow with this key universe; larger ones never do.
        { "view", 32, 60, true },
        { "view", 1024, 60, false },
        { "ingest", 64, 120, true },
        { "ingest", 4096, 120, false },
        { "key-image", 48, 100, true },
        { "key-image", 2048, 100, false },
    };

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Random_operation_sequences_agree_with_a_dictionary_model(string shape, ulong capacity, int keyUniverse, bool overflows)
    {
        var overflowCount = 0;
        // Scripts of 150-600 operations (4 bytes each); a failing script shrinks by dropping halves
        // or quarters of its operations, which keeps shrinking to a few dozen replays.
        var scripts = Arb.From(
            Gen.Choose(600, 2400).SelectMany(n => Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf(n)),
            Shrink);
        var property = Prop.ForAll(scripts, script =>
        {
            using var random = SeededRandomSource.FromTestSeed((ulong)script.Length * 31 + capacity);
            using var map = new CuckooObliviousMap(ObliviousMapOptions.For(Shape(shape), capacity), random);
            var model = new MapModel(map, keyUniverse);
            for (var i = 0; i + 3 < script.Length; i += 4)
            {
                model.Step(script[i], script[i + 1], script[i + 2], script[i + 3]);
            }

            model.CheckAll();
            overflowCount += model.Overflows;
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(25), property);
        Assert.Equal(overflows, overflowCount > 0);
    }

    [Theory]
    [InlineData(EvictorKind.PathOram, OramStorageKind.InMemory)]
    [InlineData(EvictorKind.Circuit, OramStorageKind.Untrusted)]
    [InlineData(EvictorKind.PathOram, OramStorageKind.Untrusted)]
    public void Every_evictor_and_storage_gives_the_same_map_behaviour(EvictorKind evictor, OramStorageKind storage)
    {
        using var random = SeededRandomSource.FromTestSeed(3);
        var options = ObliviousMapOptions.For(ObliviousMapShape.View, 256) with
        {
            Evictor = evictor,
            Storage = new OramStorageOptions { Kind = storage, TrustedTopLevels = 1 },
        };
        using var map = new CuckooObliviousMap(options, random);
        var model = new MapModel(map, 80);
        var script = new System.Random(3);
        var bytes = new byte[4];
        for (var i = 0; i < 600; i++)
        {
            script.NextBytes(bytes);
            model.Step(bytes[0], bytes[1], bytes[2], bytes[3]);
        }

        model.CheckAll();
    }

    private static IEnumerable<byte[]> Shrink(byte[] script)
    {
        var ops = script.Length / 4;
        if (ops < 2)
        {
            yield break;
        }

        yield return script[..(ops / 2 * 4)];
        yield return script[(ops / 2 * 4)..];
        yield return script[..(ops * 3 / 4 * 4)];
        yield return script[(ops / 4 * 4)..];
    }

    private static ObliviousMapShape Shape(string name) => name switch
    {
        "view" => ObliviousMapShape.View,
        "ingest" => ObliviousMapShape.Ingest,
        _ => ObliviousMapShape.KeyImage,
    };
}
