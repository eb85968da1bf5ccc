using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace Fog.Services.Hosting;

/// <summary>
/// Where a Fog service listens or is reached: a host and port, written <c>host:port</c>,
/// <c>insecure-fog://host:port</c> (HTTP/2 without TLS, for loopback and tests) or <c>fog://host:port</c> (TLS).
/// </summary>
/// <param name="Host">Host name or address.</param>
/// <param name="Port">TCP port.</param>
/// <param name="Tls">Whether the connection uses TLS.</param>
public sealed record FogEndpoint(string Host, int Port, bool Tls = false)
{
    /// <summary>Parses an endpoint; <paramref name="error"/> says what is wrong otherwise.</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out FogEndpoint? endpoint, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        endpoint = null;
        var tls = false;
        var rest = text.Trim();
        if (rest.StartsWith("insecure-fog://", StringComparison.OrdinalIgnoreCase))
        {
            rest = rest["insecure-fog://".Length..];
        }
        else if (rest.StartsWith("fog://", StringComparison.OrdinalIgnoreCase))
        {
            rest = rest["fog://".Length..];
            tls = true;
        }
        else if (rest.Contains("://", StringComparison.Ordinal))
        {
            error = $"'{text}' has an unknown scheme (use host:port, insecure-fog://host:port or fog://host:port)";
            return false;
        }

        rest = rest.TrimEnd('/');
        var colon = rest.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(rest[(colon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) || port is < 0 or > 65535)
        {
            error = $"'{text}' needs a host and a port from 0 to 65535, e.g. 127.0.0.1:3200";
            return false;
        }

        var host = rest[..colon].Trim('[', ']');
        endpoint = new FogEndpoint(host, port, tls);
        error = null;
        return true;
    }

    /// <summary>Parses an endpoint.</summary>
    /// <exception cref="FormatException">It is not a valid endpoint; the message says why.</exception>
    public static FogEndpoint Parse(string text) => TryParse(text, out var endpoint, out var error) ? endpoint : throw new FormatException(error);

    /// <summary>The address Kestrel binds: an IP, or any address for "0.0.0.0"/"*", or loopback for "localhost".</summary>
    public IPAddress BindAddress => Host switch
    {
        "*" or "0.0.0.0" => IPAddress.Any,
        "localhost" => IPAddress.Loopback,
        _ => IPAddress.TryParse(Host, out var address) ? address : throw new FormatException($"Cannot listen on '{Host}': give an IP address (or localhost)."),
    };

    /// <summary>The URI a gRPC client connects to.</summary>
    public Uri ClientUri => new($"{(Tls ? "https" : "http")}://{(Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host)}:{Port}");

    /// <inheritdoc />
    public override string ToString() => $"{(Tls ? "fog" : "insecure-fog")}://{Host}:{Port}";
}
