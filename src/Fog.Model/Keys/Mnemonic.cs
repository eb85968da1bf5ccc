using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace Fog.Model.Keys;

/// <summary>
/// BIP-39 mnemonics with the English word list: entropy ↔ phrase (with the SHA-256 checksum) and the
/// PBKDF2 seed. MobileCoin derives account keys from the seed with SLIP-10 (see <see cref="AccountKey.FromMnemonic"/>);
/// passphrases are not used.
/// </summary>
public static class Mnemonic
{
    /// <summary>Valid entropy sizes in bytes (12, 15, 18, 21 or 24 words).</summary>
    public static IReadOnlyList<int> EntropySizes { get; } = [16, 20, 24, 28, 32];

    private static readonly Lazy<WordList> English = new(WordList.LoadEnglish);

    /// <summary>The phrase for <paramref name="entropy"/> (16, 20, 24, 28 or 32 bytes).</summary>
    public static string FromEntropy(ReadOnlySpan<byte> entropy)
    {
        if (!EntropySizes.Contains(entropy.Length))
        {
            throw new ArgumentException("BIP-39 entropy is 16, 20, 24, 28 or 32 bytes.", nameof(entropy));
        }

        var checksumBits = entropy.Length / 4;
        var hash = SHA256.HashData(entropy);
        var totalBits = (entropy.Length * 8) + checksumBits;
        var words = new string[totalBits / 11];
        for (var w = 0; w < words.Length; w++)
        {
            var index = 0;
            for (var b = 0; b < 11; b++)
            {
                var bit = (w * 11) + b;
                var source = bit < entropy.Length * 8 ? entropy[bit / 8] : hash[(bit - (entropy.Length * 8)) / 8];
                var bitInByte = bit < entropy.Length * 8 ? bit % 8 : (bit - (entropy.Length * 8)) % 8;
                index = (index << 1) | ((source >> (7 - bitInByte)) & 1);
            }

            words[w] = English.Value.Words[index];
        }

        return string.Join(' ', words);
    }

    /// <summary>A new random 24-word phrase.</summary>
    public static string Generate()
    {
        var entropy = RandomNumberGenerator.GetBytes(32);
        try
        {
            return FromEntropy(entropy);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(entropy);
        }
    }

    /// <summary>
    /// Parses a phrase back to its entropy, checking the word count, every word and the checksum.
    /// Whitespace and letter case are normalised.
    /// </summary>
    public static bool TryToEntropy(string phrase, [NotNullWhen(true)] out byte[]? entropy, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(phrase);
        entropy = null;
        var words = Normalize(phrase).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length is not (12 or 15 or 18 or 21 or 24))
        {
            error = $"a mnemonic has 12, 15, 18, 21 or 24 words, not {words.Length}";
            return false;
        }

        var indices = new int[words.Length];
        for (var i = 0; i < words.Length; i++)
        {
            if (!English.Value.Index.TryGetValue(words[i], out indices[i]))
            {
                error = $"word {i + 1} ('{words[i]}') is not in the BIP-39 English word list";
                return false;
            }
        }

        var totalBits = words.Length * 11;
        var checksumBits = totalBits / 33;
        var entropyBytes = (totalBits - checksumBits) / 8;
        var bytes = new byte[entropyBytes + 1];
        for (var bit = 0; bit < totalBits; bit++)
        {
            var value = (indices[bit / 11] >> (10 - (bit % 11))) & 1;
            bytes[bit / 8] |= (byte)(value << (7 - (bit % 8)));
        }

        var result = bytes.AsSpan(0, entropyBytes).ToArray();
        var expectedChecksum = SHA256.HashData(result)[0] >> (8 - checksumBits);
        var actualChecksum = bytes[entropyBytes] >> (8 - checksumBits);
        CryptographicOperations.ZeroMemory(bytes);
        if (expectedChecksum != actualChecksum)
        {
            CryptographicOperations.ZeroMemory(result);
            error = "the mnemonic's checksum does not match (a word is wrong or out of order)";
            return false;
        }

        entropy = result;
        error = null;
        return true;
    }

    /// <summary>Whether <paramref name="phrase"/> is a valid English BIP-39 mnemonic.</summary>
    public static bool IsValid(string phrase)
    {
        if (!TryToEntropy(phrase, out var entropy, out _))
        {
            return false;
        }

        CryptographicOperations.ZeroMemory(entropy);
        return true;
    }

    /// <summary>The 64-byte BIP-39 seed: PBKDF2-HMAC-SHA512(NFKD phrase, "mnemonic", 2048).</summary>
    public static byte[] ToSeed(string phrase)
    {
        ArgumentNullException.ThrowIfNull(phrase);
        var password = System.Text.Encoding.UTF8.GetBytes(Normalize(phrase));
        try
        {
            return Rfc2898DeriveBytes.Pbkdf2(password, "mnemonic"u8, 2048, HashAlgorithmName.SHA512, 64);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(password);
        }
    }

    /// <summary>NFKD, lower case, single spaces: the canonical phrase the seed is computed over.</summary>
    public static string Normalize(string phrase) =>
        string.Join(' ', phrase.Normalize(NormalizationForm.FormKD).ToLowerInvariant()
            .Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    private sealed class WordList
    {
        // SHA-256 of the canonical english.txt from the BIP-39 specification (one word per line).
        private const string ExpectedSha256 = "2f5eed53a4727b4bf8880d8f3f199efc90e58503646d9ff8eff3a2ed3b24dbda";

        private WordList(string[] words)
        {
            Words = words;
            Index = words.Select((word, i) => (word, i)).ToDictionary(p => p.word, p => p.i, StringComparer.Ordinal);
        }

        internal string[] Words { get; }

        internal Dictionary<string, int> Index { get; }

        internal static WordList LoadEnglish()
        {
            using var stream = typeof(Mnemonic).Assembly.GetManifestResourceStream("Fog.Model.Keys.bip39-english.txt")
                ?? throw new InvalidOperationException("The BIP-39 English word list is missing from the assembly.");
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var bytes = buffer.ToArray();
            if (Convert.ToHexStringLower(SHA256.HashData(bytes)) != ExpectedSha256)
            {
                throw new InvalidOperationException("The embedded BIP-39 English word list is corrupt.");
            }

            var words = System.Text.Encoding.ASCII.GetString(bytes).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return words.Length == 2048
                ? new WordList(words)
                : throw new InvalidOperationException("The BIP-39 English word list must have 2048 words.");
        }
    }
}
