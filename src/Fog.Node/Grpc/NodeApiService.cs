using Fog.Api.Node;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Fog.Node.Grpc;

/// <summary><c>fog_node.NodeAPI</c>: how Fog services and wallets follow the chain and look outputs up.</summary>
internal sealed class NodeApiService(DevNode node) : NodeAPI.NodeAPIBase
{
    /// <summary>Most keys or indices one lookup takes.</summary>
    internal const int MaxItemsPerRequest = 1000;

    public override Task<LedgerInfo> GetLedgerInfo(Empty request, ServerCallContext context) =>
        Task.FromResult(node.Read(ledger =>
        {
            var last = ledger.GetBlockData(ledger.NumBlocks - 1)!;
            var info = new LedgerInfo
            {
                NumBlocks = ledger.NumBlocks,
                NumTxos = ledger.NumTxOuts,
                BlockVersion = node.BlockVersion.Value,
                LastBlockId = new Fog.Api.Blockchain.BlockID { Data = ByteString.CopyFrom(last.Block.Id) },
                LastBlockTimestamp = last.Timestamp ?? 0,
            };
            foreach (var (token, fee) in node.MinimumFees)
            {
                info.MinimumFees.Add(token, fee);
            }

            return info;
        }));

    public override async Task StreamBlocks(StreamBlocksRequest request, IServerStreamWriter<Fog.Api.Blockchain.ArchiveBlock> responseStream, ServerCallContext context)
    {
        var next = request.StartIndex;
        var numBlocks = node.Read(l => l.NumBlocks);
        if (next > numBlocks)
        {
            throw new RpcException(new Status(StatusCode.OutOfRange, $"start_index {next} is past the next block ({numBlocks})."));
        }

        while (!context.CancellationToken.IsCancellationRequested)
        {
            while (next < numBlocks)
            {
                var bytes = node.Read(l => l.GetBlockData(next)!.ToArchiveBlockProtobuf());
                await responseStream.WriteAsync(Fog.Api.Blockchain.ArchiveBlock.Parser.ParseFrom(bytes), context.CancellationToken).ConfigureAwait(false);
                next++;
            }

            if (!request.Follow)
            {
                return;
            }

            try
            {
                await node.WaitForBlockAfterAsync(numBlocks, context.CancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            numBlocks = node.Read(l => l.NumBlocks);
        }
    }

    public override Task<TxOutsByPublicKeyResponse> GetTxOutsByPublicKey(TxOutsByPublicKeyRequest request, ServerCallContext context)
    {
        if (request.PublicKeys.Count > MaxItemsPerRequest)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"At most {MaxItemsPerRequest} public keys per request."));
        }

        if (request.PublicKeys.Any(k => k.Data.Length != 32))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "Every public key is 32 bytes."));
        }

        return Task.FromResult(node.Read(ledger =>
        {
            var response = new TxOutsByPublicKeyResponse { NumBlocks = ledger.NumBlocks };
            foreach (var key in request.PublicKeys)
            {
                var location = new TxOutLocation { PublicKey = key };
                if (ledger.GetTxOutIndexByPublicKey(key.Data.Span) is { } index)
                {
                    var blockIndex = ledger.GetBlockIndexByTxOutIndex(index)!.Value;
                    location.Found = true;
                    location.GlobalIndex = index;
                    location.BlockIndex = blockIndex;
                    location.Timestamp = ledger.GetBlockData(blockIndex)!.Timestamp ?? 0;
                    location.TxOut = Fog.Api.External.TxOut.Parser.ParseFrom(ledger.GetTxOut(index)!.ToProtobuf());
                }

                response.Results.Add(location);
            }

            return response;
        }));
    }

    public override Task<OutputsResponse> GetOutputs(OutputsRequest request, ServerCallContext context)
    {
        if (request.Indices.Count > MaxItemsPerRequest)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"At most {MaxItemsPerRequest} indices per request."));
        }

        return Task.FromResult(node.Read(ledger =>
        {
            var response = new OutputsResponse
            {
                NumBlocks = ledger.NumBlocks,
                GlobalTxoCount = ledger.NumTxOuts,
                Root = Fog.Api.External.TxOutMembershipElement.Parser.ParseFrom(ledger.GetRootElement().ToProtobuf()),
            };
            foreach (var index in request.Indices)
            {
                if (index >= ledger.NumTxOuts)
                {
                    throw new RpcException(new Status(StatusCode.OutOfRange, $"TxOut index {index} is past the last output ({ledger.NumTxOuts - 1})."));
                }

                response.Outputs.Add(new OutputWithProof
                {
                    Index = index,
                    TxOut = Fog.Api.External.TxOut.Parser.ParseFrom(ledger.GetTxOut(index)!.ToProtobuf()),
                    Proof = Fog.Api.External.TxOutMembershipProof.Parser.ParseFrom(ledger.GetMembershipProof(index).ToProtobuf()),
                });
            }

            return response;
        }));
    }
}
