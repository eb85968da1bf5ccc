using Fog.Api.ConsensusCommon;
using Fog.Api.Node;
using Fog.Attestation;
using Fog.Attestation.Evidence;
using Fog.Client.Node;
using Fog.Model.Keys;
using Fog.Model.Transactions;
using Fog.Testing.Network;
using Google.Protobuf;
using Grpc.Core;

namespace Fog.Node.Tests;

/// <summary>The dev node over real gRPC on loopback, with an LMDB ledger.</summary>
public sealed class NodeTests : IAsyncLifetime
{
    private TestNode _node = null!;

    public async Task InitializeAsync() => _node = await TestNode.StartAsync();

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        _node.DeleteDirectory();
    }

    private async Task<FaucetResponse> FaucetAsync(TestWallet wallet, ulong amount) =>
        await new NodeAdminAPI.NodeAdminAPIClient(_node.AdminChannel).FaucetAsync(new FaucetRequest { B58Address = wallet.Address.ToB58(), Amount = amount });

    [Fact]
    public async Task Faucet_pays_an_address_and_the_recipient_finds_it_by_scanning()
    {
        var alice = new TestWallet(AccountKey.FromRootEntropy(Enumerable.Repeat((byte)1, 32).ToArray()));
        var response = await FaucetAsync(alice, 5_000_000_000_000);
        Assert.Equal("", response.Error);
        Assert.Equal(1UL, response.BlockIndex);

        var owned = await alice.ScanAsync(_node.Client);
        var found = Assert.Single(owned);
        Assert.Equal(new Amount(5_000_000_000_000, 0), found.Amount);
        Assert.Equal(response.TxOut.PublicKey.Data.ToByteArray(), found.TxOut.PublicKey.ToArray());

        var located = Assert.Single(await _node.Client.FindTxOutsAsync([found.TxOut.PublicKey.ToArray()]));
        Assert.True(located.Found);
        Assert.Equal(found.Index, located.GlobalIndex);
        Assert.Equal(1UL, located.BlockIndex);
        Assert.True(located.Timestamp > 0);
    }

    [Fact]
    public async Task Spent_output_cannot_be_spent_again()
    {
        var alice = new TestWallet(AccountKey.FromRootEntropy(Enumerable.Repeat((byte)2, 32).ToArray()));
        var bob = new TestWallet(AccountKey.FromRootEntropy(Enumerable.Repeat((byte)3, 32).ToArray()));
        await FaucetAsync(alice, 3_000_000_000_000);
        var input = Assert.Single(await alice.ScanAsync(_node.Client));

        var payment = await alice.PayAsync(_node.Client, [(input.Index, input.TxOut)], bob.Address, 1_000_000_000_000);
        Assert.Equal(TxValidationResult.Ok, await _node.Client.ProposeAsync(payment.Tx));
        await WaitForBlocksAsync(3);

        var bobOutputs = await bob.ScanAsync(_node.Client);
        Assert.Equal(1_000_000_000_000UL, Assert.Single(bobOutputs).Amount.Value);

        // The same transaction again, and another transaction spending the same output.
        Assert.Equal(TxValidationResult.ContainsSpentKeyImage, await _node.Client.ProposeAsync(payment.Tx));
        var again = await alice.PayAsync(_node.Client, [(input.Index, input.TxOut)], bob.Address, 5);
        Assert.Equal(TxValidationResult.ContainsSpentKeyImage, await _node.Client.ProposeAsync(again.Tx));
    }

    [Fact]
    public async Task Of_two_conflicting_transactions_submitted_together_exactly_one_lands()
    {
        var alice = new TestWallet(AccountKey.FromRootEntropy(Enumerable.Repeat((byte)4, 32).ToArray()));
        var bob = new TestWallet(AccountKey.FromRootEntropy(Enumerable.Repeat((byte)5, 32).ToArray()));
        var carol = new TestWallet(AccountKey.FromRootEntropy(Enumerable.Repeat((byte)6, 32).ToArray()));
        await FaucetAsync(alice, 3_000_000_000_000);
        var input = Assert.Single(await alice.ScanAsync(_node.Client));
        var toBob = await alice.PayAsync(_node.Client, [(input.Index, input.TxOut)], bob.Address, 1_000);
        var toCarol = await alice.PayAsync(_node.Client, [(input.Index, input.TxOut)], carol.Address, 2_000);

        var results = await Task.WhenAll(_node.Client.ProposeAsync(toBob.Tx), _node.Client.ProposeAsync(toCarol.Tx));
        Assert.Single(results, r => r == TxValidationResult.Ok);
        Assert.Single(results, r => r == TxValidationResult.ContainsSpentKeyImage);
        await WaitForBlocksAsync(3);

        var paid = (await bob.ScanAsync(_node.Client)).Count + (await carol.ScanAsync(_node.Client)).Count;
        Assert.Equal(1, paid);
    }

    [Fact]
    public async Task Consensus_enclave_must_satisfy_the_client_policy()
    {
        var wrong = new AttestationPolicy([EnclaveMeasurement.Compute("other", [1, 2, 3])], EnclaveProductId.Consensus, trustedSimulationRoots: [_node.Server.SimulationRootPublicKey]);
        using var client = new NodeClient(_node.Server.ClientUri, _node.Server.ResponderId, wrong);
        var alice = new TestWallet(AccountKey.FromRootEntropy(Enumerable.Repeat((byte)7, 32).ToArray()));
        await FaucetAsync(alice, 1_000_000_000_000);
        var input = Assert.Single(await alice.ScanAsync(_node.Client));
        var payment = await alice.PayAsync(_node.Client, [(input.Index, input.TxOut)], alice.Address, 1);
        var error = await Assert.ThrowsAsync<AttestException>(() => client.ProposeAsync(payment.Tx));
        Assert.Equal(AttestErrorCode.MeasurementNotAccepted, error.Error.Code);
    }

    [Fact]
    public async Task Bad_requests_get_clear_statuses_and_the_node_keeps_serving()
    {
        var blockchain = new BlockchainAPI.BlockchainAPIClient(_node.ClientChannel);
        var nodeApi = new NodeAPI.NodeAPIClient(_node.ClientChannel);
        var admin = new NodeAdminAPI.NodeAdminAPIClient(_node.AdminChannel);

        async Task Expect(StatusCode code, Func<Task> call)
        {
            var error = await Assert.ThrowsAsync<RpcException>(call);
            Assert.Equal(code, error.StatusCode);
            Assert.False(string.IsNullOrWhiteSpace(error.Status.Detail));
            Assert.True((await _node.Client.GetLedgerInfoAsync()).NumBlocks >= 1);
        }

        await Expect(StatusCode.OutOfRange, async () => await blockchain.GetBlocksAsync(new BlocksRequest { Offset = 999, Limit = 1 }));
        await Expect(StatusCode.InvalidArgument, async () => await blockchain.GetBlocksAsync(new BlocksRequest { Offset = 0, Limit = 5000 }));
        await Expect(StatusCode.OutOfRange, async () =>
        {
            using var call = nodeApi.StreamBlocks(new StreamBlocksRequest { StartIndex = 999 });
            await call.ResponseStream.MoveNext(CancellationToken.None);
        });
        await Expect(StatusCode.OutOfRange, async () => await _node.Client.GetOutputsAsync([999_999]));
        await Expect(StatusCode.InvalidArgument, async () => await _node.Client.GetOutputsAsync(Enumerable.Range(0, 1001).Select(i => (ulong)i)));
        await Expect(StatusCode.InvalidArgument, async () => await admin.FaucetAsync(new FaucetRequest { B58Address = "not-an-address", Amount = 1 }));
        await Expect(StatusCode.ResourceExhausted, async () =>
        {
            var huge = new TxOutsByPublicKeyRequest();
            huge.PublicKeys.Add(new Fog.Api.External.CompressedRistretto { Data = ByteString.CopyFrom(new byte[17 * 1024 * 1024]) });
            await nodeApi.GetTxOutsByPublicKeyAsync(huge);
        });

        // A proposal whose decrypted content is not a transaction.
        var consensus = new Fog.Api.ConsensusClient.ConsensusClientAPI.ConsensusClientAPIClient(_node.ClientChannel);
        using var initiator = Fog.Attestation.Channels.AttestedInitiator.StartClient(_node.Server.ResponderId);
        var auth = new Fog.Api.Attest.AttestedApi.AttestedApiClient(_node.ClientChannel);
        var reply = await auth.AuthAsync(initiator.CreateAuthRequest());
        Assert.True(initiator.TryComplete(reply.Data.Span, new SimulatedEvidenceVerifier(_node.Policy), out var channel, out _));
        await Expect(StatusCode.InvalidArgument, async () => await consensus.ClientTxProposeAsync(channel!.Encrypt([0xff, 0xff, 0x01])));

        // Garbage on the wire instead of a protobuf message.
        var garbage = new Method<byte[], byte[]>(MethodType.Unary, "fog_node.NodeAPI", "GetOutputs",
            Marshallers.Create(b => b, b => b), Marshallers.Create(b => b, b => b));
        var invoker = _node.ClientChannel.CreateCallInvoker();
        var status = await Assert.ThrowsAsync<RpcException>(async () => await invoker.AsyncUnaryCall(garbage, null, new CallOptions(), [0xff, 0xff, 0xff, 0xff]));
        Assert.NotEqual(StatusCode.OK, status.StatusCode);
        Assert.True((await _node.Client.GetLedgerInfoAsync()).NumBlocks >= 1);
    }

    [Fact]
    public async Task Metrics_are_served_over_http1_on_their_own_port()
    {
        using var http = new HttpClient();
        var text = await http.GetStringAsync(new Uri(_node.Server.MetricsUri, "metrics"));
        Assert.Contains("# TYPE", text, StringComparison.Ordinal);
        var onClientPort = await http.GetAsync(new Uri(_node.Server.ClientUri, "metrics"));
        Assert.False(onClientPort.IsSuccessStatusCode);
    }

    private async Task WaitForBlocksAsync(ulong count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await _node.Client.GetLedgerInfoAsync()).NumBlocks < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"The node did not reach {count} blocks.");
            await Task.Delay(50);
        }
    }
}
