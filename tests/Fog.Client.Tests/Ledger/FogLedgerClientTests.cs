using Fog.Api.Attest;
using Fog.Api.FogLedger;
using Fog.Attestation.Channels;
using Fog.Attestation.Evidence;
using Fog.Attestation.Noise;
using Fog.Client.Balance;
using Fog.Client.Ledger;
using Fog.Model.Ledger;
using Fog.Testing.Ledger;
using Google.Protobuf;
using Grpc.Core;

namespace Fog.Client.Tests.Ledger;

/// <summary>
/// The ledger client against a scripted server: a real attested responder (simulation mode) whose answers a test
/// chooses, to prove the client refuses answers that do not match its request.
/// </summary>
public sealed class FogLedgerClientTests : IDisposable
{
    private readonly ScriptedLedger _server = new();

    public void Dispose() => _server.Dispose();

    private static byte[] Image(byte seed) => Enumerable.Repeat(seed, 32).ToArray();

    private static KeyImageResult Result(byte[] keyImage, KeyImageResultCode code, ulong spentAt = ulong.MaxValue) => new()
    {
        KeyImage = new Fog.Api.External.KeyImage { Data = ByteString.CopyFrom(keyImage) },
        KeyImageResultCode = (uint)code,
        SpentAt = spentAt,
        Timestamp = ulong.MaxValue,
        TimestampResultCode = 1,
    };

    [Fact]
    public async Task CheckKeyImages_MapsAnswersToStatuses_ForTheBalanceCheck()
    {
        using var client = _server.NewClient();
        _server.KeyImages = request => new CheckKeyImagesResponse
        {
            NumBlocks = 9,
            Results = { Result(Image(1), KeyImageResultCode.Spent, 4), Result(Image(2), KeyImageResultCode.NotSpent), Result(Image(3), KeyImageResultCode.KeyImageError) },
        };

        var (statuses, numBlocks) = await ((IFogKeyImageService)client).CheckAsync([new(Image(1)), new(Image(2)), new(Image(3))], CancellationToken.None);

        Assert.Equal(9UL, numBlocks);
        Assert.Equal([(4UL, false), (null, false), (null, true)], statuses.Select(s => (s.SpentAtBlock, s.Error)));
    }

    [Fact]
    public async Task CheckKeyImages_AnswersOutOfOrderOrMissing_AreRefused()
    {
        using var client = _server.NewClient();
        _server.KeyImages = _ => new CheckKeyImagesResponse { Results = { Result(Image(2), KeyImageResultCode.NotSpent), Result(Image(1), KeyImageResultCode.NotSpent) } };
        await Assert.ThrowsAsync<InvalidDataException>(() => client.CheckKeyImagesAsync([Image(1), Image(2)]));

        _server.KeyImages = _ => new CheckKeyImagesResponse { Results = { Result(Image(1), KeyImageResultCode.NotSpent) } };
        await Assert.ThrowsAsync<InvalidDataException>(() => client.CheckKeyImagesAsync([Image(1), Image(2)]));

        _server.KeyImages = _ => new CheckKeyImagesResponse { Results = { Result(Image(1), (KeyImageResultCode)9) } };
        await Assert.ThrowsAsync<InvalidDataException>(() => client.CheckKeyImagesAsync([Image(1)]));
    }

    [Fact]
    public async Task NotReady_ThenReady_TheClientStartsAFreshChannel()
    {
        using var client = _server.NewClient();
        _server.NotReady = true;
        Assert.Equal(StatusCode.Unavailable, (await Assert.ThrowsAsync<RpcException>(() => client.CheckKeyImagesAsync([Image(1)]))).StatusCode);

        _server.NotReady = false;
        _server.KeyImages = _ => new CheckKeyImagesResponse { NumBlocks = 1, Results = { Result(Image(1), KeyImageResultCode.NotSpent) } };
        var answer = await client.CheckKeyImagesAsync([Image(1)]);

        Assert.Equal(KeyImageResultCode.NotSpent, Assert.Single(answer.Results).Code);
        Assert.Equal(2, client.Handshakes);
        Assert.Equal(0, _server.DecryptFailures);
    }

    [Fact]
    public async Task GetOutputs_AnOutputWhoseProofIsForAnotherOutput_IsRefused()
    {
        var ledger = new InMemoryLedger();
        ledger.Append(LedgerFixtures.NextBlock(ledger, LedgerFixtures.RandomContents(0, 3)));
        using var client = _server.NewClient();
        OutputResult Output(ulong index, ulong proofOf) => new()
        {
            Index = index,
            ResultCode = (uint)OutputResultCode.Exists,
            Output = Fog.Api.External.TxOut.Parser.ParseFrom(ledger.GetTxOut(index)!.ToProtobuf()),
            Proof = Fog.Api.External.TxOutMembershipProof.Parser.ParseFrom(ledger.GetMembershipProof(proofOf).ToProtobuf()),
        };

        _server.Outputs = _ => new GetOutputsResponse { GlobalTxoCount = 3, Results = { Output(0, 0), Output(1, 1) } };
        var good = await client.GetOutputsAsync([0, 1]);
        Assert.All(good.Results, r => Assert.True(r.Exists));

        _server.Outputs = _ => new GetOutputsResponse { GlobalTxoCount = 3, Results = { Output(0, 0), Output(1, 2) } };
        await Assert.ThrowsAsync<InvalidDataException>(() => client.GetOutputsAsync([0, 1]));

        _server.Outputs = _ => new GetOutputsResponse { GlobalTxoCount = 3, Results = { Output(1, 1), Output(0, 0) } };
        await Assert.ThrowsAsync<InvalidDataException>(() => client.GetOutputsAsync([0, 1]));
    }

    /// <summary>An attested ledger whose decrypted requests a test answers.</summary>
    private sealed class ScriptedLedger : CallInvoker, IDisposable
    {
        private const string ResponderId = "scripted-ledger:7200";
        private readonly SimulationRoot _root = SimulationRoot.Generate();
        private readonly SimulatedQuotingKey _quotingKey;
        private readonly NoiseKeyPair _staticKey = NoiseKeyPair.Generate();
        private readonly AttestedResponder _responder;
        private readonly EnclaveIdentity _identity = new(EnclaveMeasurement.Compute("ledger", "scripted"u8), EnclaveSignerId.FogSimulation, EnclaveProductId.Ledger, 1, false);

        public ScriptedLedger()
        {
            _quotingKey = _root.IssueQuotingKey();
            _responder = new AttestedResponder(new AttestedResponderOptions { ResponderId = ResponderId }, _staticKey, new SimulatedQuotingProvider(_quotingKey, _identity));
        }

        public Func<CheckKeyImagesRequest, CheckKeyImagesResponse> KeyImages { get; set; } = _ => new CheckKeyImagesResponse();

        public Func<GetOutputsRequest, GetOutputsResponse> Outputs { get; set; } = _ => new GetOutputsResponse();

        public bool NotReady { get; set; }

        public int DecryptFailures { get; private set; }

        public FogLedgerClient NewClient() =>
            new(this, ResponderId, new SimulatedEvidenceVerifier(new AttestationPolicy([_identity.Measurement], EnclaveProductId.Ledger, trustedSimulationRoots: [_root.PublicKey.ToArray()])));

        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
        {
            object response;
            try
            {
                response = request switch
                {
                    AuthMessage auth => Accept(auth),
                    Message message when method.Name == "CheckKeyImages" => Answer(message, bytes => KeyImages(CheckKeyImagesRequest.Parser.ParseFrom(bytes))),
                    Message message when method.Name == "GetOutputs" => Answer(message, bytes => Outputs(GetOutputsRequest.Parser.ParseFrom(bytes))),
                    _ => throw new RpcException(new Status(StatusCode.Unimplemented, method.FullName)),
                };
            }
            catch (RpcException e)
            {
                return new AsyncUnaryCall<TResponse>(Task.FromException<TResponse>(e), Task.FromResult(new Metadata()), () => e.Status, () => [], () => { });
            }

            return new AsyncUnaryCall<TResponse>(Task.FromResult((TResponse)response), Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => [], () => { });
        }

        public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) => throw new NotSupportedException();

        public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) => throw new NotSupportedException();

        public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) => throw new NotSupportedException();

        public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) => throw new NotSupportedException();

        public void Dispose()
        {
            _responder.Dispose();
            _staticKey.Dispose();
            _quotingKey.Dispose();
            _root.Dispose();
        }

        private AuthMessage Accept(AuthMessage auth) =>
            _responder.TryAccept(auth.Data.Span, out var reply, out _, out var error)
                ? new AuthMessage { Data = ByteString.CopyFrom(reply) }
                : throw new RpcException(new Status(StatusCode.InvalidArgument, error.Message));

        // As the real server: a request refused as not ready is refused before decryption, leaving the session's
        // receive counter where it was.
        private Message Answer(Message request, Func<byte[], IMessage> answer)
        {
            if (NotReady)
            {
                throw new RpcException(new Status(StatusCode.Unavailable, "Not ready"));
            }

            if (!_responder.TryDecrypt(request, out var plaintext, out var error))
            {
                DecryptFailures++;
                throw new RpcException(new Status(StatusCode.PermissionDenied, error.Message));
            }

            var response = answer(plaintext);
            Assert.True(_responder.TryEncrypt(request.ChannelId.Span, response.ToByteArray(), request.Aad.Span, out var encrypted, out _));
            return encrypted;
        }
    }
}
