using System.Security.Cryptography;
using Fog.Crypto.Ristretto;
using Fog.Model.FogData;
using Fog.Model.Keys;
using Fog.Model.Ledger;
using Fog.Model.Transactions;

namespace Fog.Testing.Ledger;

/// <summary>Random but well-formed ledger data for tests.</summary>
public static class LedgerFixtures
{
    /// <summary>An output to a random account.</summary>
    public static TxOut RandomOutput(ulong value = 1000)
    {
        using var account = AccountKey.FromRootEntropy(RandomNumberGenerator.GetBytes(32));
        using var txKey = RistrettoPrivate.Generate();
        return TxOut.Create(BlockVersion.Max, new Amount(value, 0), account.DefaultSubaddress, txKey, FogHint.Fake());
    }

    /// <summary>A random key image (a valid point).</summary>
    public static KeyImage RandomKeyImage()
    {
        var scalar = new byte[32];
        Ristretto255.RandomScalar(scalar);
        return new KeyImage(RistrettoPublic.FromScalarTimesBase(scalar).Bytes);
    }

    /// <summary>Contents with <paramref name="keyImages"/> random key images and <paramref name="outputs"/> random outputs.</summary>
    public static BlockContents RandomContents(int keyImages, int outputs) =>
        new(Enumerable.Range(0, keyImages).Select(_ => RandomKeyImage()).ToList(), Enumerable.Range(0, outputs).Select(_ => RandomOutput()).ToList());

    /// <summary>The next block of <paramref name="store"/> holding <paramref name="contents"/>, unsigned (the origin block if it is empty).</summary>
    public static BlockData NextBlock(ILedgerStore store, BlockContents contents, BlockVersion? version = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        var last = store.NumBlocks == 0 ? null : store.GetBlockData(store.NumBlocks - 1)!.Block;
        var block = last is null
            ? Block.CreateOrigin(contents)
            : Block.CreateWithParent(version ?? BlockVersion.Max, last, store.GetRootElement(), contents);
        return new BlockData(block, contents);
    }
}
