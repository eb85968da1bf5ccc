using System.Text.RegularExpressions;
using Fog.Api.Attest;
using Fog.Api.FogView;
using Fog.Attestation.Channels;
using Fog.Attestation.Evidence;
using Fog.Model.Keys;
using Fog.Services.View;
using Fog.Testing.Network;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace Fog.Services.Tests.View;

/// <summary>Restart, readiness, bad input, response shape and metrics of the view server over real gRPC.</summary>
public sealed partial class ViewServerBehaviourTests
{
    private static AccountKey Account(byte seed) => AccountKey.FromRootEntropy(Enumerable.Repeat(seed, 32).ToArray());

    /// <summary>Writes <paramref name="blocks"/> blocks paying <paramref name="user"/> once each among chaff.</summary>
    private static async Task<IngestSimulator> WritePaymentsAsync(TestRecoveryDb db, AccountKey user, ulong blocks)
    {
        var ingest = new IngestSimulator(db.Db);
        await ingest.AddIngressKeyAsync();
        var invocation = await ingest.StartInvocationAsync(0);
        for (ulong block = 0; block < blocks; block++)
        {
            await ingest.AddBlockAsync(invocation, block, (null, IngestSimulator.Payment(null, 1)), (user, IngestSimulator.Payment(user, 100 + block)));
        }

        return ingest;
    }

    /// <summary>A raw attested session on the gRPC API, for tests that look at the wire.</summary>
    private sealed class RawSession : IDisposable
    {
        private readonly GrpcChannel _grpc;

        private RawSession(GrpcChannel grpc, FogViewAPI.FogViewAPIClient api, AttestedChannel channel)
        {
            _grpc = grpc;
            Api = api;
            Channel = channel;
        }

        public FogViewAPI.FogViewAPIClient Api { get; }

        public AttestedChannel Channel { get; }

        public static async Task<RawSession> OpenAsync(TestViewServer view)
        {
            var grpc = GrpcChannel.ForAddress(view.Server.ClientUri);
            var api = new FogViewAPI.FogViewAPIClient(grpc);
            using var initiator = AttestedInitiator.StartClient(view.Server.ResponderId);
            var reply = await api.AuthAsync(initiator.CreateAuthRequest());
            Assert.True(initiator.TryComplete(reply.Data.Span, new SimulatedEvidenceVerifier(view.Policy), out var channel, out var error), error?.ToString());
            return new RawSession(grpc, api, channel);
        }

        public Message Request(IEnumerable<byte[]> keys, long cursor = long.MaxValue)
        {
            var query = new QueryRequest();
            query.GetTxos.AddRange(keys.Select(ByteString.CopyFrom));
            return Channel.Encrypt(query.ToByteArray(), new QueryRequestAAD { StartFromUserEventId = cursor }.ToByteArray());
        }

        public void Dispose()
        {
            Channel.Dispose();
            _grpc.Dispose();
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Restart_ReloadsFromTheRecoveryDb_AndGivesTheSameAnswers(string backend)
    {
        await using var db = await TestRecoveryDb.CreateAsync(backend);
        using var user = Account(7);
        await WritePaymentsAsync(db, user, 6);

        async Task<(ulong Processed, ulong Known, string[] Records)> AskAsync()
        {
            await using var view = await TestViewServer.StartAsync(db);
            await view.WaitForBlockCountAsync(6, lastKnown: 6);
            using var client = view.NewClient();
            var counts = await client.QueryAsync([], startFromUserEventId: 0);
            var records = await ViewSearch.FindRecordsAsync(client, user);
            return (counts.HighestProcessedBlockCount, counts.LastKnownBlockCount, records.Select(r => Convert.ToHexString(r.ToProtobuf())).Order().ToArray());
        }

        var before = await AskAsync();
        var after = await AskAsync();

        Assert.Equal(6, before.Records.Length);
        Assert.Equal((before.Processed, before.Known), (after.Processed, after.Known));
        Assert.Equal(before.Records, after.Records);
    }

    [SkippableTheory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task QueriesDuringLoad_AreRefusedAsNotReady_NeverAnsweredFromPartialData(string backend)
    {
        await using var db = await TestRecoveryDb.CreateAsync(backend);
        using var user = Account(8);
        await WritePaymentsAsync(db, user, 6);
        var gated = new GatedRecoveryDb(await db.OpenAnotherAsync());
        await using var view = await TestViewServer.StartAsync(db, serverDb: gated);
        using var client = view.NewClient();
        using var grpc = GrpcChannel.ForAddress(view.Server.ClientUri);
        var health = new Health.HealthClient(grpc);

        // Nothing loaded yet.
        await Eventually.HoldsAsync(() => gated.ReadsStarted >= 1, () => "the loader's first read");
        var refused = await Assert.ThrowsAsync<RpcException>(() => client.QueryAsync([], startFromUserEventId: 0));
        Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
        Assert.Contains("Not ready", refused.Status.Detail);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, (await health.CheckAsync(new HealthCheckRequest { Service = ViewServer.HealthServiceName })).Status);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, (await health.CheckAsync(new HealthCheckRequest())).Status);

        // Part loaded (one batch of two blocks): still refused.
        gated.Release();
        await Eventually.HoldsAsync(() => view.Server.Progress.HighestProcessedBlockCount == 2 && gated.ReadsStarted >= 2, () => "the first batch loaded");
        Assert.Equal(StatusCode.Unavailable, (await Assert.ThrowsAsync<RpcException>(() => client.QueryAsync([], startFromUserEventId: 0))).StatusCode);
        Assert.False(view.Server.IsReady);

        // Everything loaded: answered, complete, serving.
        gated.Open();
        await view.WaitForBlockCountAsync(6, lastKnown: 6);
        Assert.Equal(6, (await ViewSearch.FindRecordsAsync(client, user)).Count);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest { Service = ViewServer.HealthServiceName })).Status);
    }

    [Fact]
    public async Task ABlockCountedInAResponse_HasItsRngRecordInThatResponseOrAnEarlierOne()
    {
        // The reference reads user events first and the counts after: blocks loaded in between are counted although
        // the RNG that wrote them was not announced, and a client then misses their records. Here the counts are read
        // first. The query below reads its events, then (held there) a new invocation writes block 1 and view loads it.
        await using var db = await TestRecoveryDb.CreateAsync(Backends.Sqlite);
        using var user = Account(12);
        var ingest = await WritePaymentsAsync(db, user, 1);
        var gated = new GatedRecoveryDb(await db.OpenAnotherAsync());
        gated.Open();
        await using var view = await TestViewServer.StartAsync(db, serverDb: gated);
        await view.WaitForBlockCountAsync(1);
        using var client = view.NewClient();
        gated.HoldEvents = true;

        var pending = client.QueryAsync([], startFromUserEventId: 0);
        await Eventually.HoldsAsync(() => gated.EventReadsHeld == 1, () => "the query's event read");
        var second = await ingest.StartInvocationAsync(1);
        await ingest.AddBlockAsync(second, 1, (user, IngestSimulator.Payment(user, 5)));
        await view.WaitForBlockCountAsync(2);
        gated.HoldEvents = false;
        gated.ReleaseEvents();
        var response = await pending;

        Assert.Equal(1UL, response.HighestProcessedBlockCount);
        Assert.DoesNotContain(response.RngRecords, r => r.IngestInvocationId == second.Id);
        var next = await client.QueryAsync([], startFromUserEventId: response.NextStartFromUserEventId);
        Assert.Equal(2UL, next.HighestProcessedBlockCount);
        Assert.Contains(next.RngRecords, r => r.IngestInvocationId == second.Id);
        Assert.Equal(2, (await ViewSearch.FindRecordsAsync(client, user)).Count);
    }

    [Fact]
    public async Task BadInput_GetsAClearStatus_AndTheServerKeepsServingOtherClients()
    {
        await using var db = await TestRecoveryDb.CreateAsync(Backends.Sqlite);
        using var user = Account(9);
        await WritePaymentsAsync(db, user, 3);
        await using var view = await TestViewServer.StartAsync(db, TestViewServer.Options(db) with { MaxSearchKeysPerQuery = 10 });
        await view.WaitForBlockCountAsync(3);
        using var session = await RawSession.OpenAsync(view);

        // A handshake that is not one.
        var badAuth = await Assert.ThrowsAsync<RpcException>(async () => await session.Api.AuthAsync(new AuthMessage { Data = ByteString.CopyFrom(1, 2, 3) }));
        Assert.Equal(StatusCode.InvalidArgument, badAuth.StatusCode);

        // Garbage ciphertext on a real channel: the session is not advanced, so the client's next message still works.
        var good = session.Request([new byte[16]]);
        var garbage = good.Clone();
        garbage.Data = ByteString.CopyFrom(new byte[good.Data.Length]);
        Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(async () => await session.Api.QueryAsync(garbage))).StatusCode);

        // A channel nobody opened, and a channel id of the wrong size.
        var unknown = good.Clone();
        unknown.ChannelId = ByteString.CopyFrom(new byte[64]);
        Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(async () => await session.Api.QueryAsync(unknown))).StatusCode);
        unknown.ChannelId = ByteString.CopyFrom(new byte[5]);
        Assert.Equal(StatusCode.InvalidArgument, (await Assert.ThrowsAsync<RpcException>(async () => await session.Api.QueryAsync(unknown))).StatusCode);

        // An AAD that is not a QueryRequestAAD.
        var badAad = good.Clone();
        badAad.Aad = ByteString.CopyFrom(0xFF, 0xFF);
        var aadError = await Assert.ThrowsAsync<RpcException>(async () => await session.Api.QueryAsync(badAad));
        Assert.Equal(StatusCode.InvalidArgument, aadError.StatusCode);

        // The genuine message, still decryptable after all that; a zero-length key is a BadSearchKey result.
        Assert.True(session.Channel.TryDecrypt(await session.Api.QueryAsync(good), out _, out _));
        Assert.True(session.Channel.TryDecrypt(await session.Api.QueryAsync(session.Request([[]])), out var plaintext, out _));
        Assert.Equal((uint)TxOutSearchResultCode.BadSearchKey, Assert.Single(QueryResponse.Parser.ParseFrom(plaintext).FixedTxOutSearchResults).ResultCode);

        // Too many keys: refused with the limit in the message, and the session goes on.
        var oversized = await Assert.ThrowsAsync<RpcException>(async () => await session.Api.QueryAsync(session.Request(Enumerable.Range(0, 11).Select(_ => new byte[16]))));
        Assert.Equal(StatusCode.InvalidArgument, oversized.StatusCode);
        Assert.Contains("at most 10 search keys", oversized.Status.Detail);
        Assert.True(session.Channel.TryDecrypt(await session.Api.QueryAsync(session.Request([new byte[16]])), out _, out _));

        // Another client is served throughout.
        using var other = view.NewClient();
        Assert.Equal(3, (await ViewSearch.FindRecordsAsync(other, user)).Count);
    }

    [Fact]
    public async Task EncryptedResponseLength_IsTheSameForZeroOneAndManyHits_OnTheWire()
    {
        await using var db = await TestRecoveryDb.CreateAsync(Backends.Sqlite);
        using var user = Account(10);
        await WritePaymentsAsync(db, user, 8);
        await using var view = await TestViewServer.StartAsync(db);
        await view.WaitForBlockCountAsync(8);
        using var client = view.NewClient();
        var events = await client.QueryAsync([], startFromUserEventId: 0);
        using var c0 = user.DefaultSubaddressViewPrivate();
        Assert.Equal(Fog.Crypto.Kex.KexRngError.None, Fog.Crypto.Kex.KexRng.TryCreate(Assert.Single(events.RngRecords).Pubkey, c0, out var rng));
        using (rng)
        {
            var mine = rng!.PeekAhead(16);    // the first 8 exist, the next 8 do not
            using var session = await RawSession.OpenAsync(view);

            async Task<int> LengthAsync(IEnumerable<byte[]> keys) => (await session.Api.QueryAsync(session.Request(keys))).Data.Length;

            var none = await LengthAsync(mine[8..]);
            var one = await LengthAsync([mine[0], .. mine[9..]]);
            var all = await LengthAsync(mine[..8]);

            Assert.Equal(none, one);
            Assert.Equal(none, all);
        }
    }

    [Fact]
    public async Task Metrics_CountRecordsQueriesKeysPerQueryAndMapFill()
    {
        await using var db = await TestRecoveryDb.CreateAsync(Backends.Sqlite);
        using var user = Account(11);
        await WritePaymentsAsync(db, user, 4);
        await using var view = await TestViewServer.StartAsync(db);
        await view.WaitForBlockCountAsync(4);
        using var client = view.NewClient();
        await client.QueryAsync([new byte[16], new byte[16], new byte[16]]);
        using var http = new HttpClient();

        var metrics = await http.GetStringAsync(new Uri(view.Server.MetricsUri!, "metrics"));

        Assert.True(Value(metrics, "fog_view_records_loaded_total") >= 8);
        Assert.True(Value(metrics, "fog_view_queries_total{outcome=\"ok\"}") >= 1);
        Assert.True(Value(metrics, "fog_view_search_keys_per_query_count") >= 1);
        Assert.True(Value(metrics, "fog_view_search_keys_per_query_sum") >= 3);
        Assert.InRange(Value(metrics, "fog_view_omap_fill_ratio"), double.Epsilon, 1);
        Assert.Equal(1, Value(metrics, "fog_view_ready"));
    }

    private static double Value(string metrics, string name)
    {
        var match = Regex.Match(metrics, "^" + Regex.Escape(name) + @" (\S+)$", RegexOptions.Multiline);
        Assert.True(match.Success, $"metric {name} missing");
        return double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }
}
