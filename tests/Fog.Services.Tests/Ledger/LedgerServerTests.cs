using System.Text.RegularExpressions;
using Fog.Api.Attest;
using Fog.Api.FogLedger;
using Fog.Attestation.Channels;
using Fog.Attestation.Evidence;
using Fog.Client.Balance;
using Fog.Services.BlockSources;
using Fog.Services.Ledger;
using Fog.Testing.Network;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using TimestampResultCode = Fog.Api.Watcher.TimestampResultCode;

namespace Fog.Services.Tests.Ledger;

/// <summary>The ledger server over real gRPC and a real LMDB ledger (reference/ledger-and-report.md §7).</summary>
public sealed class LedgerServerTests
{
    private static ReadOnlyMemory<byte> Bytes(Fog.Model.Transactions.KeyImage keyImage) => keyImage.ToArray();

    [Fact]
    public async Task KeyImagesSpentInBlocks_1_1_2_3_ReportThoseBlocksAndTimestamps_InRequestOrder()
    {
        using var chain = TestChain.Create();
        await using var ledger = await TestLedgerServer.StartAsync(chain);
        await ledger.WaitForBlocksAsync(4);
        using var client = ledger.NewClient();
        var k = chain.KeyImages;
        var unspent = Fog.Testing.Ledger.LedgerFixtures.RandomKeyImage();

        var response = await client.CheckKeyImagesAsync([Bytes(k[0]), Bytes(k[1]), Bytes(k[3]), Bytes(k[7]), Bytes(unspent), k[2].ToArray().AsMemory(0, 31), Bytes(k[2])]);

        Assert.Equal(4UL, response.NumBlocks);
        Assert.Equal(9UL, response.GlobalTxoCount);
        Assert.Equal(Fog.Model.Transactions.BlockVersion.Max.Value, response.LatestBlockVersion);
        Assert.Equal(
            [
                (KeyImageResultCode.Spent, 1UL, 1UL), (KeyImageResultCode.Spent, 1UL, 1UL), (KeyImageResultCode.Spent, 2UL, 2UL), (KeyImageResultCode.Spent, 3UL, 3UL),
                (KeyImageResultCode.NotSpent, ulong.MaxValue, ulong.MaxValue), (KeyImageResultCode.KeyImageError, ulong.MaxValue, ulong.MaxValue), (KeyImageResultCode.NotSpent, ulong.MaxValue, ulong.MaxValue),
            ],
            response.Results.Select(r => (r.Code, r.SpentAt, r.Timestamp)));

        // The SDK's view of the same answers.
        var (statuses, numBlocks) = await ((IFogKeyImageService)client).CheckAsync([k[0], unspent], CancellationToken.None);
        Assert.Equal(4UL, numBlocks);
        Assert.Equal([1UL, null], statuses.Select(s => s.SpentAtBlock));
    }

    [Fact]
    public async Task GetOutputs_ReturnsTheTxOutsWithProofsOfOneTree_AndNotExistingPastTheEnd()
    {
        using var chain = TestChain.Create();
        await using var ledger = await TestLedgerServer.StartAsync(chain);
        await ledger.WaitForBlocksAsync(4);
        using var client = ledger.NewClient();

        var all = await client.GetOutputsAsync(Enumerable.Range(0, 9).Select(i => (ulong)i).ToList());

        Assert.Equal((4UL, 9UL), (all.NumBlocks, all.GlobalTxoCount));
        var root = all.Results[0].Proof!.ImpliedRoot()!;
        for (var i = 0; i < 9; i++)
        {
            var output = all.Results[i];
            Assert.True(output.Exists);
            Assert.Equal(chain.Outputs[i].PublicKey.ToArray(), output.TxOut!.PublicKey.ToArray());
            Assert.Equal(8UL, output.Proof!.HighestIndex);
            Assert.True(output.Proof.IsValidFor(output.TxOut, root.Hash));
        }

        var mixed = await client.GetOutputsAsync([1, 6, 9, 14]);
        Assert.Equal([OutputResultCode.Exists, OutputResultCode.Exists, OutputResultCode.DoesNotExist, OutputResultCode.DoesNotExist], mixed.Results.Select(r => r.Code));

        var (outputs, txoCount, blocks) = await ((IFogMerkleProofService)client).GetOutputsAsync([2, 20], CancellationToken.None);
        Assert.Equal((9UL, 4UL), (txoCount, blocks));
        Assert.Equal([2UL], outputs.Select(o => o.Index));

        var tooMany = await Assert.ThrowsAsync<RpcException>(() => client.GetOutputsAsync(Enumerable.Range(0, 2001).Select(i => (ulong)i).ToList()));
        Assert.Equal(StatusCode.InvalidArgument, tooMany.StatusCode);
        Assert.Contains("at most 2000", tooMany.Status.Detail);
        Assert.True((await client.GetOutputsAsync([0])).Results[0].Exists);
    }

    [Fact]
    public async Task GetBlocks_ReturnsOutputsCountsAndTimestamps()
    {
        using var chain = TestChain.Create();
        await using var ledger = await TestLedgerServer.StartAsync(chain, TestLedgerServer.Options(chain.SimulationRootPath) with { MaxBlocksPerRequest = 3 });
        using var client = ledger.NewClient();

        var origin = await client.GetBlocksAsync([new BlockSpan(0, 1)]);
        var two = await client.GetBlocksAsync([new BlockSpan(1, 3)]);
        var pastTheEnd = await client.GetBlocksAsync([new BlockSpan(3, 100)]);

        var block0 = Assert.Single(origin.Blocks);
        Assert.Equal((0UL, 1UL, 1, ulong.MaxValue, TimestampResultCode.BlockIndexOutOfBounds), (block0.Index, block0.GlobalTxoCount, block0.Outputs.Count, block0.Timestamp, block0.TimestampResultCode));
        Assert.Equal(
            [(1UL, 3UL, 2, 1UL, TimestampResultCode.TimestampFound), (2UL, 6UL, 3, 2UL, TimestampResultCode.TimestampFound)],
            two.Blocks.Select(b => (b.Index, b.GlobalTxoCount, b.Outputs.Count, b.Timestamp, b.TimestampResultCode)));
        Assert.Equal(chain.Outputs[1].PublicKey.ToArray(), two.Blocks[0].Outputs[0].PublicKey.ToArray());
        Assert.Equal((4UL, 9UL), (two.NumBlocks, two.GlobalTxoCount));
        Assert.Equal([3UL], pastTheEnd.Blocks.Select(b => b.Index));
        Assert.Equal((4UL, 9UL), await client.GetLedgerInfoAsync());

        var scanned = await ((IFogBlockService)client).GetBlocksAsync([new BlockSpan(2, 3)], CancellationToken.None);
        Assert.Equal((2UL, 3UL, 2UL), (scanned[0].Index, scanned[0].FirstGlobalIndex, scanned[0].Timestamp));

        Assert.Equal(StatusCode.InvalidArgument, (await Assert.ThrowsAsync<RpcException>(() => client.GetBlocksAsync([new BlockSpan(5, 2)]))).StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, (await Assert.ThrowsAsync<RpcException>(() => client.GetBlocksAsync([new BlockSpan(0, 4)]))).StatusCode);
    }

    [Fact]
    public async Task GetTxOuts_FindsOutputsByPublicKey_InRequestOrder()
    {
        using var chain = TestChain.Create();
        await using var ledger = await TestLedgerServer.StartAsync(chain);
        using var client = ledger.NewClient();

        var response = await client.GetTxOutsAsync([new byte[32], chain.Outputs[0].PublicKey.ToArray(), chain.Outputs[4].PublicKey.ToArray()]);

        Assert.Equal((4UL, 9UL), (response.NumBlocks, response.GlobalTxoCount));
        Assert.Equal(
            [
                (TxOutResultCode.NotFound, 0UL, 0UL, 0UL, (TimestampResultCode)0),
                (TxOutResultCode.Found, 0UL, 0UL, ulong.MaxValue, TimestampResultCode.BlockIndexOutOfBounds),
                (TxOutResultCode.Found, 4UL, 2UL, 2UL, TimestampResultCode.TimestampFound),
            ],
            response.Results.Select(r => (r.Code, r.GlobalIndex, r.BlockIndex, r.Timestamp, r.TimestampResultCode)));
        Assert.Equal(chain.Outputs[4].PublicKey.ToArray(), response.Results[2].PublicKey);

        var invalid = await Assert.ThrowsAsync<RpcException>(() => client.GetTxOutsAsync([chain.Outputs[0].PublicKey.ToArray(), Enumerable.Repeat((byte)0xFF, 32).ToArray()]));
        Assert.Equal(StatusCode.InvalidArgument, invalid.StatusCode);
        Assert.Contains("tx_out_pubkeys[1]", invalid.Status.Detail);
    }

    [Fact]
    public async Task Restart_ReloadsTheKeyImages_AndGivesTheSameAnswers()
    {
        using var chain = TestChain.Create();
        ReadOnlyMemory<byte>[] query = [.. chain.KeyImages.Select(Bytes)];

        async Task<List<(KeyImageResultCode, ulong, ulong)>> AskAsync()
        {
            await using var ledger = await TestLedgerServer.StartAsync(chain);
            await ledger.WaitForBlocksAsync(4);
            using var client = ledger.NewClient();
            return (await client.CheckKeyImagesAsync(query)).Results.Select(r => (r.Code, r.SpentAt, r.Timestamp)).ToList();
        }

        var before = await AskAsync();
        var after = await AskAsync();

        Assert.Equal(8, before.Count(r => r.Item1 == KeyImageResultCode.Spent));
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task ChecksDuringLoad_AreRefusedAsNotReady_UntilEveryBlockIsLoaded()
    {
        using var chain = TestChain.Create();
        var gated = new GatedBlockSource(new LocalBlockSource(chain.LedgerPath, TimeSpan.FromMilliseconds(20)));
        await using var ledger = await TestLedgerServer.StartAsync(gated, TestLedgerServer.Options(chain.SimulationRootPath));
        using var client = ledger.NewClient();
        using var grpc = GrpcChannel.ForAddress(ledger.Server.ClientUri);
        var health = new Health.HealthClient(grpc);
        ReadOnlyMemory<byte>[] query = [Bytes(chain.KeyImages[8])];

        gated.Release(2);
        await Eventually.HoldsAsync(() => ledger.Server.Progress.NumBlocks == 2, () => "two blocks loaded");
        var refused = await Assert.ThrowsAsync<RpcException>(() => client.CheckKeyImagesAsync(query));
        Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
        Assert.Contains("Not ready", refused.Status.Detail);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, (await health.CheckAsync(new HealthCheckRequest { Service = LedgerServer.HealthServiceName })).Status);

        gated.Open();
        await ledger.WaitForBlocksAsync(4);
        var answer = Assert.Single((await client.CheckKeyImagesAsync(query)).Results);
        Assert.Equal((KeyImageResultCode.Spent, 3UL), (answer.Code, answer.SpentAt));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest { Service = LedgerServer.HealthServiceName })).Status);
    }

    [Fact]
    public async Task BadInput_GetsAClearStatus_AndOtherClientsAreServed()
    {
        using var chain = TestChain.Create();
        await using var ledger = await TestLedgerServer.StartAsync(chain, TestLedgerServer.Options(chain.SimulationRootPath) with { MaxKeyImagesPerQuery = 3 });
        await ledger.WaitForBlocksAsync(4);
        using var grpc = GrpcChannel.ForAddress(ledger.Server.ClientUri);
        var api = new FogKeyImageAPI.FogKeyImageAPIClient(grpc);
        using var initiator = AttestedInitiator.StartClient(ledger.Server.ResponderId);
        Assert.True(initiator.TryComplete((await api.AuthAsync(initiator.CreateAuthRequest())).Data.Span, new SimulatedEvidenceVerifier(ledger.Policy), out var channel, out _));
        using (channel)
        {
            Message Request(int count) => channel.Encrypt(new CheckKeyImagesRequest { Queries = { Enumerable.Range(0, count).Select(i => new KeyImageQuery { KeyImage = new Fog.Api.External.KeyImage { Data = ByteString.CopyFrom(chain.KeyImages[i].ToArray()) } }) } }.ToByteArray());

            Assert.Equal(StatusCode.InvalidArgument, (await Assert.ThrowsAsync<RpcException>(async () => await api.AuthAsync(new AuthMessage()))).StatusCode);
            var good = Request(1);
            var garbage = good.Clone();
            garbage.Data = ByteString.CopyFrom(new byte[good.Data.Length]);
            Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(async () => await api.CheckKeyImagesAsync(garbage))).StatusCode);
            Assert.True(channel.TryDecrypt(await api.CheckKeyImagesAsync(good), out _, out _));

            var tooMany = await Assert.ThrowsAsync<RpcException>(async () => await api.CheckKeyImagesAsync(Request(4)));
            Assert.Equal(StatusCode.InvalidArgument, tooMany.StatusCode);
            Assert.Contains("at most 3 key images", tooMany.Status.Detail);
            Assert.Equal(StatusCode.InvalidArgument, (await Assert.ThrowsAsync<RpcException>(async () => await api.CheckKeyImagesAsync(channel.Encrypt([0xFF, 0x01])))).StatusCode);
            Assert.True(channel.TryDecrypt(await api.CheckKeyImagesAsync(Request(3)), out var plaintext, out _));
            Assert.Equal(3, CheckKeyImagesResponse.Parser.ParseFrom(plaintext).Results.Count);
        }

        using var other = ledger.NewClient();
        Assert.True(Assert.Single((await other.CheckKeyImagesAsync([Bytes(chain.KeyImages[0])])).Results).IsSpent);
    }

    [Fact]
    public async Task EncryptedResponseLength_IsTheSameWhateverTheAnswers_OnTheWire()
    {
        using var chain = TestChain.Create();
        await using var ledger = await TestLedgerServer.StartAsync(chain);
        await ledger.WaitForBlocksAsync(4);
        using var grpc = GrpcChannel.ForAddress(ledger.Server.ClientUri);
        var api = new FogKeyImageAPI.FogKeyImageAPIClient(grpc);
        using var initiator = AttestedInitiator.StartClient(ledger.Server.ResponderId);
        Assert.True(initiator.TryComplete((await api.AuthAsync(initiator.CreateAuthRequest())).Data.Span, new SimulatedEvidenceVerifier(ledger.Policy), out var channel, out _));
        using (channel)
        {
            async Task<int> LengthAsync(IEnumerable<byte[]> keyImages) =>
                (await api.CheckKeyImagesAsync(channel.Encrypt(new CheckKeyImagesRequest { Queries = { keyImages.Select(k => new KeyImageQuery { KeyImage = new Fog.Api.External.KeyImage { Data = ByteString.CopyFrom(k) } }) } }.ToByteArray()))).Data.Length;

            var fresh = Enumerable.Range(0, 4).Select(_ => Fog.Testing.Ledger.LedgerFixtures.RandomKeyImage().ToArray()).ToArray();
            var spent = await LengthAsync([chain.KeyImages[0].ToArray(), chain.KeyImages[3].ToArray(), chain.KeyImages[6].ToArray(), chain.KeyImages[8].ToArray()]);
            var notSpent = await LengthAsync(fresh);
            var mixed = await LengthAsync([chain.KeyImages[0].ToArray(), fresh[1], [0xFF, .. new byte[31]], chain.KeyImages[8].ToArray()]);

            Assert.Equal(spent, notSpent);
            Assert.Equal(spent, mixed);
        }
    }

    [Fact]
    public async Task StreamingLedgerApi_AuthenticatesAndChecksInOrder()
    {
        using var chain = TestChain.Create();
        await using var ledger = await TestLedgerServer.StartAsync(chain);
        await ledger.WaitForBlocksAsync(4);
        using var grpc = GrpcChannel.ForAddress(ledger.Server.ClientUri);
        using var call = new LedgerAPI.LedgerAPIClient(grpc).Request();
        using var initiator = AttestedInitiator.StartClient(ledger.Server.ResponderId);

        await call.RequestStream.WriteAsync(new LedgerRequest { Auth = initiator.CreateAuthRequest() });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.True(initiator.TryComplete(call.ResponseStream.Current.Auth.Data.Span, new SimulatedEvidenceVerifier(ledger.Policy), out var channel, out _));
        using (channel)
        {
            foreach (var (keyImage, block) in new[] { (chain.KeyImages[4], 2UL), (chain.KeyImages[7], 3UL) })
            {
                var request = new CheckKeyImagesRequest { Queries = { new KeyImageQuery { KeyImage = new Fog.Api.External.KeyImage { Data = ByteString.CopyFrom(keyImage.ToArray()) } } } };
                await call.RequestStream.WriteAsync(new LedgerRequest { CheckKeyImages = channel.Encrypt(request.ToByteArray()) });
                Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
                Assert.True(channel.TryDecrypt(call.ResponseStream.Current.CheckKeyImageResponse, out var plaintext, out _));
                Assert.Equal(block, Assert.Single(CheckKeyImagesResponse.Parser.ParseFrom(plaintext).Results).SpentAt);
            }
        }

        await call.RequestStream.CompleteAsync();
    }

    [Fact]
    public async Task Metrics_CountBlocksKeyImagesAndChecks()
    {
        using var chain = TestChain.Create();
        await using var ledger = await TestLedgerServer.StartAsync(chain);
        await ledger.WaitForBlocksAsync(4);
        using var client = ledger.NewClient();
        await client.CheckKeyImagesAsync([Bytes(chain.KeyImages[0]), Bytes(chain.KeyImages[1])]);
        using var http = new HttpClient();

        var metrics = await http.GetStringAsync(new Uri(ledger.Server.MetricsUri!, "metrics"));

        Assert.True(Value(metrics, "fog_ledger_key_images_loaded_total") >= 8);
        Assert.True(Value(metrics, "fog_ledger_blocks_loaded_total") >= 4);
        Assert.True(Value(metrics, "fog_ledger_requests_total{api=\"check_key_images\",outcome=\"ok\"}") >= 1);
        Assert.True(Value(metrics, "fog_ledger_key_images_per_query_sum") >= 2);
        Assert.InRange(Value(metrics, "fog_ledger_omap_fill_ratio"), double.Epsilon, 1);
    }

    private static double Value(string metrics, string name)
    {
        var match = Regex.Match(metrics, "^" + Regex.Escape(name) + @" (\S+)$", RegexOptions.Multiline);
        Assert.True(match.Success, $"metric {name} missing");
        return double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>The ledger server following a live dev node: real transactions, real key images.</summary>
public sealed class LedgerFollowTests
{
    [Fact]
    public async Task FollowsTheNode_ASpendIsReportedOnceItsBlockIsLoaded()
    {
        var node = await TestNode.StartAsync();
        try
        {
            var source = new RemoteBlockSource(node.Server.ClientUri, Path.Combine(node.Directory, "ledger-copy"), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
            await using var ledger = await TestLedgerServer.StartAsync(source, TestLedgerServer.Options(Path.Combine(node.Directory, "simulation-root.key")));
            await ledger.WaitForBlocksAsync(1);
            using var client = ledger.NewClient();
            using var payee = Fog.Model.Keys.AccountKey.FromRootEntropy(Enumerable.Repeat((byte)42, 32).ToArray());

            var paid = await new Fog.Api.Node.NodeAdminAPI.NodeAdminAPIClient(node.AdminChannel)
                .FaucetAsync(new Fog.Api.Node.FaucetRequest { B58Address = payee.DefaultSubaddress.ToB58(), Amount = 1_000_000 });
            Assert.Equal("", paid.Error);
            var block = node.Server.Node.Read(l => l.GetBlockData(paid.BlockIndex))!;
            Assert.NotEmpty(block.Contents.KeyImages);
            await ledger.WaitForBlocksAsync(paid.BlockIndex + 1);

            var response = await client.CheckKeyImagesAsync(block.Contents.KeyImages.ToList());

            Assert.True(response.NumBlocks >= paid.BlockIndex + 1);
            Assert.All(response.Results, r => Assert.Equal((KeyImageResultCode.Spent, paid.BlockIndex, block.Timestamp!.Value), (r.Code, r.SpentAt, r.Timestamp)));
            var output = await client.GetTxOutsAsync([paid.TxOut.PublicKey.Data.Memory]);
            Assert.Equal((TxOutResultCode.Found, paid.BlockIndex), (output.Results[0].Code, output.Results[0].BlockIndex));
        }
        finally
        {
            await node.DisposeAsync();
            node.DeleteDirectory();
        }
    }
}
