using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Fog.Client.Reports;

/// <summary>
/// A fog report server URI as public addresses carry it: <c>fog://host[:port]</c> (TLS, default port 443) or
/// <c>insecure-fog://host[:port]</c> (cleartext HTTP/2, default port 3225). Its normal form,
/// <c>scheme://host:port/</c>, is how responses are keyed (ledger-and-report.md §5).
/// </summary>
/// <param name="Host">Host name or address (lower case; IPv6 without brackets).</param>
/// <param name="Port">TCP port.</param>
/// <param name="Tls">True for <c>fog://</c>.</param>
public sealed record FogUri(string Host, int Port, bool Tls)
{
    /// <summary>The default port of <c>fog://</c>.</summary>
    public const int DefaultSecurePort = 443;

    /// <summary>The default port of <c>insecure-fog://</c>.</summary>
    public const int DefaultInsecurePort = 3225;

    /// <summary>The gRPC address to connect to (<c>https://</c> or <c>http://</c>).</summary>
    public Uri GrpcAddress => new($"{(Tls ? "https" : "http")}://{HostForUri}:{Port}");

    private string HostForUri => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host;

    /// <summary>Parses a fog report URI; <paramref name="error"/> says what is wrong otherwise.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out FogUri? uri, [NotNullWhen(false)] out string? error)
    {
        uri = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "the fog report URL is empty";
            return false;
        }

        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var parsed))
        {
            error = $"'{text}' is not a URL (expected fog://host[:port] or insecure-fog://host[:port])";
            return false;
        }

        bool tls;
        switch (parsed.Scheme)
        {
            case "fog":
                tls = true;
                break;
            case "insecure-fog":
                tls = false;
                break;
            default:
                error = $"'{text}' has scheme '{parsed.Scheme}'; a fog report URL uses fog:// or insecure-fog://";
                return false;
        }

        var host = parsed.IdnHost.Trim('[', ']');
        if (string.IsNullOrWhiteSpace(host))
        {
            error = $"'{text}' has no host";
            return false;
        }

        var port = parsed.IsDefaultPort || parsed.Port < 0 ? (tls ? DefaultSecurePort : DefaultInsecurePort) : parsed.Port;
        uri = new FogUri(host.ToLowerInvariant(), port, tls);
        error = null;
        return true;
    }

    /// <summary>Parses a fog report URI.</summary>
    /// <exception cref="FormatException">It is not one; the message says why.</exception>
    public static FogUri Parse(string text) => TryParse(text, out var uri, out var error) ? uri : throw new FormatException(error);

    /// <summary>The normal form <c>scheme://host:port/</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{(Tls ? "fog" : "insecure-fog")}://{HostForUri}:{Port}/");
}
