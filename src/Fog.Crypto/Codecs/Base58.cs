using System.Diagnostics.CodeAnalysis;

namespace Fog.Crypto.Codecs;

/// <summary>Base58 with the Bitcoin alphabet (bs58's default); each leading zero byte becomes a '1'.</summary>
public static class Base58
{
    private const string Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

    private static readonly sbyte[] Digits = BuildDigits();

    /// <summary>Encodes bytes.</summary>
    public static string Encode(ReadOnlySpan<byte> data)
    {
        var zeros = 0;
        while (zeros < data.Length && data[zeros] == 0)
        {
            zeros++;
        }

        // log(256)/log(58) ≈ 1.366: an upper bound on the number of base-58 digits.
        var digits = new byte[((data.Length - zeros) * 138 / 100) + 1];
        var length = 0;
        foreach (var b in data[zeros..])
        {
            var carry = (int)b;
            for (var i = 0; i < length; i++)
            {
                carry += digits[i] << 8;
                digits[i] = (byte)(carry % 58);
                carry /= 58;
            }

            while (carry > 0)
            {
                digits[length++] = (byte)(carry % 58);
                carry /= 58;
            }
        }

        var chars = new char[zeros + length];
        chars.AsSpan(0, zeros).Fill('1');
        for (var i = 0; i < length; i++)
        {
            chars[zeros + i] = Alphabet[digits[length - 1 - i]];
        }

        return new string(chars);
    }

    /// <summary>Decodes a Base58 string; false if it contains a character outside the alphabet.</summary>
    public static bool TryDecode(string text, [NotNullWhen(true)] out byte[]? data)
    {
        ArgumentNullException.ThrowIfNull(text);
        data = null;
        var ones = 0;
        while (ones < text.Length && text[ones] == '1')
        {
            ones++;
        }

        // log(58)/log(256) ≈ 0.733
        var bytes = new byte[((text.Length - ones) * 733 / 1000) + 1];
        var length = 0;
        for (var c = ones; c < text.Length; c++)
        {
            var ch = text[c];
            var digit = ch < 128 ? Digits[ch] : -1;
            if (digit < 0)
            {
                return false;
            }

            var carry = (int)digit;
            for (var i = 0; i < length; i++)
            {
                carry += bytes[i] * 58;
                bytes[i] = unchecked((byte)carry);
                carry >>= 8;
            }

            while (carry > 0)
            {
                bytes[length++] = unchecked((byte)carry);
                carry >>= 8;
            }
        }

        data = new byte[ones + length];
        for (var i = 0; i < length; i++)
        {
            data[ones + i] = bytes[length - 1 - i];
        }

        return true;
    }

    /// <summary>Decodes a Base58 string.</summary>
    /// <exception cref="FormatException">A character is not in the Base58 alphabet.</exception>
    public static byte[] Decode(string text) =>
        TryDecode(text, out var data) ? data : throw new FormatException("Not a Base58 string (it contains a character outside the Bitcoin alphabet).");

    private static sbyte[] BuildDigits()
    {
        var digits = new sbyte[128];
        Array.Fill(digits, (sbyte)-1);
        for (var i = 0; i < Alphabet.Length; i++)
        {
            digits[Alphabet[i]] = (sbyte)i;
        }

        return digits;
    }
}
