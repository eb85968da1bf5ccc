using System.Net;
using Fog.Attestation.Channels;
using global::Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fog.Attestation.Tests.Grpc;

/// <summary>A real Kestrel server (HTTP/2 without TLS) on a free loopback port serving the attested echo service.</summary>
internal sealed class EchoServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<GrpcChannel> _extraChannels = [];

    private EchoServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
        Channel = GrpcChannel.ForAddress(address);
        Client = new AttestedEcho.AttestedEchoClient(Channel);
    }

    public Uri Address { get; }

    public GrpcChannel Channel { get; }

    public AttestedEcho.AttestedEchoClient Client { get; }

    public static async Task<EchoServer> StartAsync(AttestedResponder responder)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(responder);
        var app = builder.Build();
        app.MapGrpcService<AttestedEchoService>();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new EchoServer(app, new Uri(address));
    }

    /// <summary>A client on its own HTTP/2 connection.</summary>
    public AttestedEcho.AttestedEchoClient NewClient()
    {
        var channel = GrpcChannel.ForAddress(Address);
        lock (_extraChannels)
        {
            _extraChannels.Add(channel);
        }

        return new AttestedEcho.AttestedEchoClient(channel);
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        lock (_extraChannels)
        {
            _extraChannels.ForEach(c => c.Dispose());
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
