using System.Diagnostics;
using Fog.Api.Attest;
using Fog.Api.FogLedger;
using Fog.Crypto.Ristretto;
using Fog.Enclaves.KeyImage;
using Fog.Model.Ledger;
using Fog.Model.Transactions;
using Fog.Services.BlockSources;
using Fog.Services.Hosting;
using Google.Protobuf;
using Grpc.Core;
using ApiTxOut = Fog.Api.External.TxOut;
using TimestampResultCode = Fog.Api.Watcher.TimestampResultCode;

namespace Fog.Services.Ledger;

/// <summary>What the ledger server's gRPC services share.</summary>
internal sealed class LedgerRuntime(IKeyImageEnclave enclave, IBlockSource source, KeyImageLoader loader, LedgerServerOptions options)
{
    public IKeyImageEnclave Enclave { get; } = enclave;

    public IBlockSource Source { get; } = source;

    public KeyImageLoader Loader { get; } = loader;

    public LedgerServerOptions Options { get; } = options;

    public ILedgerStore Ledger => Source.Ledger;

    /// <summary>A block's timestamp as the reference's watcher reports it: none for the origin block, none for an unsigned block.</summary>
    public static (ulong Timestamp, TimestampResultCode Code) TimestampOf(Fog.Model.Ledger.BlockData? block) =>
        block is null || block.Block.Index == 0 ? (ulong.MaxValue, TimestampResultCode.BlockIndexOutOfBounds)
        : block.Timestamp is { } signedAt ? (signedAt, TimestampResultCode.TimestampFound)
        : (ulong.MaxValue, TimestampResultCode.Unavailable);

    /// <summary>Answers an attested key-image check (shared by the unary and streaming APIs).</summary>
    public Message CheckKeyImages(Message request)
    {
        var started = Stopwatch.GetTimestamp();
        if (!Loader.IsCaughtUp)
        {
            LedgerMetrics.Observe("check_key_images", "not_ready");
            throw new RpcException(new Status(
                StatusCode.Unavailable,
                $"Not ready: the ledger server is still loading key images ({Loader.Progress.NumBlocks} of {Ledger.NumBlocks} blocks so far). Retry shortly."));
        }

        var progress = Loader.Progress;
        var result = Enclave.CheckKeyImages(request, new CheckKeyImagesResponse
        {
            NumBlocks = progress.NumBlocks,
            GlobalTxoCount = progress.GlobalTxoCount,
            LatestBlockVersion = progress.LatestBlockVersion,
            MaxBlockVersion = Math.Max(progress.LatestBlockVersion, BlockVersion.Max.Value),
        });
        switch (result.Status)
        {
            case LedgerRequestStatus.Ok:
                LedgerMetrics.Observe("check_key_images", "ok");
                LedgerMetrics.KeyImagesPerQuery.Observe(result.KeyImageCount);
                LedgerMetrics.CheckDuration.Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
                return result.Response!;
            case LedgerRequestStatus.ChannelError:
                LedgerMetrics.Observe("check_key_images", "channel_error");
                throw AttestedRpc.ToRpcException(result.ChannelError!);
            default:
                LedgerMetrics.Observe("check_key_images", "bad_request");
                throw AttestedRpc.Malformed(result.Detail ?? "The request was refused.");
        }
    }

    public AuthMessage Auth(AuthMessage request) => AttestedRpc.Accept(Enclave, request);
}

/// <summary><c>fog_ledger.FogKeyImageAPI</c>: attested, oblivious key-image checks.</summary>
internal sealed class FogKeyImageApiService(LedgerRuntime runtime) : FogKeyImageAPI.FogKeyImageAPIBase
{
    public override Task<AuthMessage> Auth(AuthMessage request, ServerCallContext context) => Task.FromResult(runtime.Auth(request));

    public override Task<Message> CheckKeyImages(Message request, ServerCallContext context) => Task.FromResult(runtime.CheckKeyImages(request));
}

/// <summary><c>fog_ledger.LedgerAPI</c>: the streaming twin of <see cref="FogKeyImageApiService"/> (auth, then checks, in order).</summary>
internal sealed class LedgerApiService(LedgerRuntime runtime) : LedgerAPI.LedgerAPIBase
{
    public override async Task Request(IAsyncStreamReader<LedgerRequest> requestStream, IServerStreamWriter<LedgerResponse> responseStream, ServerCallContext context)
    {
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
        {
            var response = request.RequestDataCase switch
            {
                LedgerRequest.RequestDataOneofCase.Auth => new LedgerResponse { Auth = runtime.Auth(request.Auth) },
                LedgerRequest.RequestDataOneofCase.CheckKeyImages => new LedgerResponse { CheckKeyImageResponse = runtime.CheckKeyImages(request.CheckKeyImages) },
                _ => throw new RpcException(new Status(StatusCode.InvalidArgument, "A LedgerRequest must carry auth or check_key_images.")),
            };
            await responseStream.WriteAsync(response, context.CancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary>
/// <c>fog_ledger.FogMerkleProofAPI</c>: TxOuts and membership proofs by global index over an attested channel. Not
/// oblivious (as the reference): the host reads the indices to look them up.
/// </summary>
internal sealed class FogMerkleProofApiService(LedgerRuntime runtime) : FogMerkleProofAPI.FogMerkleProofAPIBase
{
    private const int ConsistentSnapshotAttempts = 3;

    public override Task<AuthMessage> Auth(AuthMessage request, ServerCallContext context) => Task.FromResult(runtime.Auth(request));

    public override Task<Message> GetOutputs(Message request, ServerCallContext context)
    {
        var opened = runtime.Enclave.OpenOutputsRequest(request);
        switch (opened.Status)
        {
            case LedgerRequestStatus.Ok:
                break;
            case LedgerRequestStatus.ChannelError:
                LedgerMetrics.Observe("get_outputs", "channel_error");
                throw AttestedRpc.ToRpcException(opened.ChannelError!);
            default:
                LedgerMetrics.Observe("get_outputs", "bad_request");
                throw AttestedRpc.Malformed(opened.Detail ?? "The request was refused.");
        }

        var indices = opened.Request!.Indices;
        if (indices.Count > runtime.Options.MaxOutputsPerRequest)
        {
            LedgerMetrics.Observe("get_outputs", "bad_request");
            throw AttestedRpc.Malformed($"Request size exceeds limit: at most {runtime.Options.MaxOutputsPerRequest} indices per GetOutputs request; this one has {indices.Count}.");
        }

        var response = Answer(indices);
        if (!runtime.Enclave.TrySealOutputsResponse(request, response, out var encrypted, out var error))
        {
            LedgerMetrics.Observe("get_outputs", "channel_error");
            throw AttestedRpc.ToRpcException(error);
        }

        LedgerMetrics.Observe("get_outputs", "ok");
        LedgerMetrics.OutputsPerRequest.Observe(indices.Count);
        return Task.FromResult(encrypted);
    }

    // Every proof of one response is made against the same tree (the reference builds each in its own read, so a block
    // landing mid-request mixes tree sizes): if the TxO count moved while answering, answer again.
    private GetOutputsResponse Answer(IReadOnlyList<ulong> indices)
    {
        var ledger = runtime.Ledger;
        GetOutputsResponse response;
        var attempt = 0;
        bool consistent;
        do
        {
            var numBlocks = ledger.NumBlocks;
            var txoCount = ledger.NumTxOuts;
            var version = numBlocks == 0 ? 0 : ledger.GetBlockData(numBlocks - 1)!.Block.Version;
            response = new GetOutputsResponse
            {
                NumBlocks = numBlocks,
                GlobalTxoCount = txoCount,
                LatestBlockVersion = version,
                MaxBlockVersion = Math.Max(version, BlockVersion.Max.Value),
            };
            consistent = true;
            foreach (var index in indices)
            {
                var txOut = index < txoCount ? ledger.GetTxOut(index) : null;
                if (txOut is null)
                {
                    response.Results.Add(new OutputResult { Index = index, ResultCode = (uint)OutputResultCode.DoesNotExist, Output = new ApiTxOut(), Proof = new Fog.Api.External.TxOutMembershipProof() });
                    continue;
                }

                var proof = ledger.GetMembershipProof(index);
                consistent &= proof.HighestIndex + 1 == txoCount;
                response.Results.Add(new OutputResult
                {
                    Index = index,
                    ResultCode = (uint)OutputResultCode.Exists,
                    Output = ApiTxOut.Parser.ParseFrom(txOut.ToProtobuf()),
                    Proof = Fog.Api.External.TxOutMembershipProof.Parser.ParseFrom(proof.ToProtobuf()),
                });
            }

            consistent &= ledger.NumTxOuts == txoCount;
        }
        while (!consistent && ++attempt < ConsistentSnapshotAttempts);

        return response;
    }
}

/// <summary><c>fog_ledger.FogBlockAPI</c>: blocks by range, for clients scanning ranges fog missed (plain gRPC).</summary>
internal sealed class FogBlockApiService(LedgerRuntime runtime) : FogBlockAPI.FogBlockAPIBase
{
    public override Task<BlockResponse> GetBlocks(BlockRequest request, ServerCallContext context)
    {
        var ledger = runtime.Ledger;
        var numBlocks = ledger.NumBlocks;
        var response = new BlockResponse { NumBlocks = numBlocks, GlobalTxoCount = ledger.NumTxOuts };
        ulong total = 0;
        foreach (var range in request.Ranges)
        {
            if (range.StartBlock > range.EndBlock)
            {
                LedgerMetrics.Observe("get_blocks", "bad_request");
                throw new RpcException(new Status(StatusCode.InvalidArgument, $"Block range [{range.StartBlock}, {range.EndBlock}) ends before it starts."));
            }

            total += Math.Min(range.EndBlock, numBlocks) - Math.Min(range.StartBlock, numBlocks);
            if (total > (ulong)runtime.Options.MaxBlocksPerRequest)
            {
                LedgerMetrics.Observe("get_blocks", "bad_request");
                throw new RpcException(new Status(StatusCode.InvalidArgument, $"At most {runtime.Options.MaxBlocksPerRequest} blocks per GetBlocks request; ask for fewer ranges or shorter ones."));
            }
        }

        foreach (var range in request.Ranges)
        {
            for (var index = range.StartBlock; index < Math.Min(range.EndBlock, numBlocks); index++)
            {
                if (ledger.GetBlockData(index) is not { } block)
                {
                    continue;
                }

                var (timestamp, code) = LedgerRuntime.TimestampOf(block);
                var data = new Fog.Api.FogLedger.BlockData { Index = index, GlobalTxoCount = block.Block.CumulativeTxoCount, Timestamp = timestamp, TimestampResultCode = (uint)code };
                foreach (var output in block.Contents.Outputs)
                {
                    data.Outputs.Add(ApiTxOut.Parser.ParseFrom(output.ToProtobuf()));
                }

                response.Blocks.Add(data);
            }
        }

        LedgerMetrics.Observe("get_blocks", "ok");
        return Task.FromResult(response);
    }
}

/// <summary>
/// <c>fog_ledger.FogUntrustedTxOutApi</c>: where TxOuts with given public keys are (plain gRPC). Clients must not ask
/// about their own outputs: the operator would learn the transaction graph.
/// </summary>
internal sealed class FogUntrustedTxOutApiService(LedgerRuntime runtime) : FogUntrustedTxOutApi.FogUntrustedTxOutApiBase
{
    public override Task<TxOutResponse> GetTxOuts(TxOutRequest request, ServerCallContext context)
    {
        if (request.TxOutPubkeys.Count > runtime.Options.MaxTxOutsPerRequest)
        {
            LedgerMetrics.Observe("get_tx_outs", "bad_request");
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"At most {runtime.Options.MaxTxOutsPerRequest} public keys per GetTxOuts request."));
        }

        for (var i = 0; i < request.TxOutPubkeys.Count; i++)
        {
            if (!RistrettoPublic.TryFrom((request.TxOutPubkeys[i]?.Data ?? ByteString.Empty).Span, out _))
            {
                LedgerMetrics.Observe("get_tx_outs", "bad_request");
                throw new RpcException(new Status(StatusCode.InvalidArgument, $"tx_out_pubkeys[{i}] is not a valid compressed Ristretto point."));
            }
        }

        var ledger = runtime.Ledger;
        var response = new TxOutResponse { NumBlocks = ledger.NumBlocks, GlobalTxoCount = ledger.NumTxOuts };
        foreach (var pubkey in request.TxOutPubkeys)
        {
            var result = new TxOutResult { TxOutPubkey = pubkey, ResultCode = TxOutResultCode.NotFound };
            if (ledger.GetTxOutIndexByPublicKey(pubkey.Data.Span) is { } index)
            {
                if (ledger.GetBlockIndexByTxOutIndex(index) is { } blockIndex)
                {
                    var (timestamp, code) = LedgerRuntime.TimestampOf(ledger.GetBlockData(blockIndex));
                    result.ResultCode = TxOutResultCode.Found;
                    result.TxOutGlobalIndex = index;
                    result.BlockIndex = blockIndex;
                    result.Timestamp = timestamp;
                    result.TimestampResultCode = (uint)code;
                }
                else
                {
                    result.ResultCode = TxOutResultCode.DatabaseError;
                }
            }

            response.Results.Add(result);
        }

        LedgerMetrics.Observe("get_tx_outs", "ok");
        return Task.FromResult(response);
    }
}
