using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Web;

namespace Fog.Services.Ingest;

/// <summary>
/// An ingest server's peer endpoint: <c>insecure-igp://host[:port][/?responder-id=…]</c> (cleartext HTTP/2, default
/// port 8090) or <c>igp://host[:port]</c> (TLS, default 8453). The responder id — the Noise prologue of the peer's
/// enclave and the peer's identity in peer lists — is the <c>responder-id</c> parameter, else <c>host:port</c>
/// (ingest.md §2.7, §4.1).
/// </summary>
/// <param name="Host">Host name or address.</param>
/// <param name="Port">TCP port.</param>
/// <param name="Tls">True for <c>igp://</c>.</param>
/// <param name="ResponderIdParameter">The explicit <c>responder-id</c>, or null.</param>
public sealed record IngestPeerUri(string Host, int Port, bool Tls, string? ResponderIdParameter)
{
    /// <summary>Default port of <c>igp://</c>.</summary>
    public const int DefaultSecurePort = 8453;

    /// <summary>Default port of <c>insecure-igp://</c>.</summary>
    public const int DefaultInsecurePort = 8090;

    /// <summary>The peer's responder id.</summary>
    public string ResponderId => ResponderIdParameter ?? string.Create(CultureInfo.InvariantCulture, $"{Host}:{Port}");

    /// <summary>The gRPC address of the peer port.</summary>
    public Uri GrpcAddress => new($"{(Tls ? "https" : "http")}://{(Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host)}:{Port}");

    /// <summary>Parses a peer URI; <paramref name="error"/> says what is wrong otherwise.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out IngestPeerUri? uri, [NotNullWhen(false)] out string? error)
    {
        uri = null;
        if (string.IsNullOrWhiteSpace(text) || !Uri.TryCreate(text.Trim(), UriKind.Absolute, out var parsed))
        {
            error = $"'{text}' is not a peer URI (expected insecure-igp://host:port or igp://host:port, optionally with ?responder-id=…)";
            return false;
        }

        bool tls;
        switch (parsed.Scheme)
        {
            case "igp":
                tls = true;
                break;
            case "insecure-igp":
                tls = false;
                break;
            default:
                error = $"'{text}' has scheme '{parsed.Scheme}'; ingest peer URIs use igp:// or insecure-igp://";
                return false;
        }

        var host = parsed.IdnHost.Trim('[', ']');
        if (host.Length == 0)
        {
            error = $"'{text}' has no host";
            return false;
        }

        var responderId = HttpUtility.ParseQueryString(parsed.Query)["responder-id"];
        var port = parsed.Port < 0 ? (tls ? DefaultSecurePort : DefaultInsecurePort) : parsed.Port;
        uri = new IngestPeerUri(host.ToLowerInvariant(), port, tls, string.IsNullOrEmpty(responderId) ? null : responderId);
        error = null;
        return true;
    }

    /// <summary>Parses a peer URI.</summary>
    /// <exception cref="FormatException">It is not one; the message says why.</exception>
    public static IngestPeerUri Parse(string text) => TryParse(text, out var uri, out var error) ? uri : throw new FormatException(error);

    /// <summary>The normal form, <c>scheme://host:port/</c> plus the responder id parameter when explicit.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{(Tls ? "igp" : "insecure-igp")}://{(Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host)}:{Port}/")
        + (ResponderIdParameter is null ? "" : $"?responder-id={Uri.EscapeDataString(ResponderIdParameter)}");
}
