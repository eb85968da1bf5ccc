using System.Security.Cryptography;
using Fog.Model.Keys;

namespace Fog.Node;

/// <summary>
/// The dev network's faucet account: derived from a fixed, published mnemonic so anyone can import it into a wallet.
/// It holds the origin block's funds by default. Never use it on a real network.
/// </summary>
public static class Faucet
{
    /// <summary>The faucet's BIP-39 mnemonic (account index 0): the 24 words of SHA-256("Fog for .NET dev-node faucet v1").</summary>
    public static string Mnemonic { get; } =
        Model.Keys.Mnemonic.FromEntropy(SHA256.HashData("Fog for .NET dev-node faucet v1"u8));

    /// <summary>A new copy of the faucet's account key.</summary>
    public static AccountKey CreateAccountKey() => AccountKey.FromMnemonic(Mnemonic);
}
