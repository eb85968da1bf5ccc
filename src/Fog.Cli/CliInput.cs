using Fog.Crypto.Ristretto;

namespace Fog.Cli;

/// <summary>Parsers for command-line values; every failure names the argument and says what was expected.</summary>
internal static class CliInput
{
    /// <summary>Hex bytes of an exact length.</summary>
    internal static byte[] Hex(string argument, string? text, int length)
    {
        var bytes = Hex(argument, text);
        if (bytes.Length != length)
        {
            throw CliException.BadArgument(argument, $"expected {length} bytes ({length * 2} hex digits), got {bytes.Length}");
        }

        return bytes;
    }

    /// <summary>Hex bytes of any length (an optional "0x" prefix is allowed).</summary>
    internal static byte[] Hex(string argument, string? text)
    {
        if (text is null)
        {
            throw CliException.BadArgument(argument, "a value is required");
        }

        var digits = text.Trim();
        if (digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            digits = digits[2..];
        }

        if (digits.Length % 2 != 0)
        {
            throw CliException.BadArgument(argument, "not valid hex (odd number of digits)");
        }

        try
        {
            return Convert.FromHexString(digits);
        }
        catch (FormatException)
        {
            throw CliException.BadArgument(argument, "not valid hex (only 0-9 and a-f are allowed)");
        }
    }

    /// <summary>
    /// A private key: 32 bytes of hex, or the 34-byte <c>RistrettoPrivate { bytes data = 1; }</c> protobuf form
    /// (0a 20 ‖ key) the test vectors use. The scalar must be canonical.
    /// </summary>
    internal static RistrettoPrivate PrivateKey(string argument, string? text)
    {
        var bytes = Hex(argument, text);
        if (bytes.Length == 34 && bytes[0] == 0x0a && bytes[1] == 0x20)
        {
            bytes = bytes[2..];
        }

        if (bytes.Length != RistrettoPrivate.Size)
        {
            throw CliException.BadArgument(argument, $"expected a 32-byte private key (or its 34-byte protobuf form), got {bytes.Length} bytes");
        }

        return RistrettoPrivate.TryImport(bytes, out var key)
            ? key
            : throw CliException.BadArgument(argument, "not a canonical ristretto255 scalar (it must be less than the group order)");
    }

    /// <summary>picoMOB in one MOB.</summary>
    internal const ulong PicoMobPerMob = 1_000_000_000_000;

    /// <summary>
    /// An amount: an integer in the token's smallest unit (picoMOB for MOB), or a decimal followed by "MOB"
    /// (e.g. 1.5MOB).
    /// </summary>
    internal static ulong Amount(string argument, string? text)
    {
        var value = (text ?? "").Trim();
        if (value.EndsWith("mob", StringComparison.OrdinalIgnoreCase))
        {
            if (decimal.TryParse(value[..^3].Trim(), System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var mob) &&
                mob * PicoMobPerMob is var pico && pico == decimal.Truncate(pico) && pico <= ulong.MaxValue)
            {
                return (ulong)pico;
            }

            throw CliException.BadArgument(argument, $"'{text}' is not an amount of MOB with at most 12 decimals");
        }

        return ulong.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var units)
            ? units
            : throw CliException.BadArgument(argument, $"'{text}' is not an amount (an integer of picoMOB, or e.g. 1.5MOB)");
    }

    /// <summary>An endpoint (host:port, insecure-fog://host:port or fog://host:port).</summary>
    internal static Fog.Services.Hosting.FogEndpoint Endpoint(string argument, string? text) =>
        Fog.Services.Hosting.FogEndpoint.TryParse(text ?? "", out var endpoint, out var error)
            ? endpoint
            : throw CliException.BadArgument(argument, error);

    /// <summary>
    /// The responder id a server attests with: <paramref name="given"/> (the value of <paramref name="responderArgument"/>), or null for the listen address's host:port. A
    /// server on port 0 would attest as "host:0", which no client dials, so it must be named.
    /// </summary>
    internal static string? ResponderId(string responderArgument, string? given, string listenArgument, string? listen)
    {
        if (given is null && Endpoint(listenArgument, listen).Port == 0)
        {
            throw CliException.BadArgument(responderArgument, $"{listenArgument} on port 0 needs {responderArgument} (peers and clients attest with the responder id, and host:0 names no server)");
        }

        return given;
    }

    /// <summary>A public key: 32 bytes of hex that decode to a ristretto255 point.</summary>
    internal static RistrettoPublic PublicKey(string argument, string? text)
    {
        var bytes = Hex(argument, text, RistrettoPublic.Size);
        return RistrettoPublic.TryFrom(bytes, out var key)
            ? key
            : throw CliException.BadArgument(argument, "not a valid ristretto255 point encoding");
    }

    /// <summary>The network configuration at <paramref name="path"/> (the value of <paramref name="argument"/>).</summary>
    internal static Fog.Client.NetworkConfig Network(string argument, string path)
    {
        if (!File.Exists(path))
        {
            throw CliException.BadArgument(argument, $"no network configuration at {path} (fog up writes one)");
        }

        try
        {
            return Fog.Client.NetworkConfig.Load(path);
        }
        catch (InvalidDataException e)
        {
            throw CliException.BadArgument(argument, e.Message);
        }
    }
}
