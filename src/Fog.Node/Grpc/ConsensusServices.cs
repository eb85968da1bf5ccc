using Fog.Api.Attest;
using Fog.Api.ConsensusClient;
using Fog.Api.ConsensusCommon;
using Fog.Attestation.Channels;
using Fog.Model.Transactions;
using Fog.Services.Hosting;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Fog.Node.Grpc;

/// <summary>The handshake of the node's (simulated) consensus enclave: clients attest it before proposing transactions.</summary>
internal sealed class NodeAttestedApi(AttestedResponder responder) : AttestedApi.AttestedApiBase
{
    public override Task<AuthMessage> Auth(AuthMessage request, ServerCallContext context) =>
        responder.TryAccept(request.Data.Span, out var reply, out _, out var error)
            ? Task.FromResult(new AuthMessage { Data = UnsafeByteOperations.UnsafeWrap(reply) })
            : throw AttestedRpc.ToRpcException(error);
}

/// <summary>
/// <c>consensus_client.ConsensusClientAPI</c>: a transaction arrives encrypted on an attested channel, is validated
/// against the ledger and the pending pool, and queued for the next block. The reply carries the result code.
/// </summary>
internal sealed class ConsensusClientService(DevNode node, AttestedResponder responder) : ConsensusClientAPI.ConsensusClientAPIBase
{
    public override Task<ProposeTxResponse> ClientTxPropose(Message request, ServerCallContext context)
    {
        if (!responder.TryDecrypt(request, out var plaintext, out var error))
        {
            throw AttestedRpc.ToRpcException(error);
        }

        if (!Tx.TryParseProtobuf(plaintext, out var tx))
        {
            throw AttestedRpc.Malformed("The decrypted request is not a valid external.Tx.");
        }

        var (result, _) = node.Propose(tx);
        return Task.FromResult(new ProposeTxResponse
        {
            Result = (ProposeTxResult)(int)result,
            BlockCount = node.Read(l => l.NumBlocks),
            BlockVersion = node.BlockVersion.Value,
            ErrMsg = result == TxValidationResult.Ok ? "" : $"The transaction was refused: {result}.",
        });
    }

    public override Task<ProposeMintConfigTxResponse> ProposeMintConfigTx(Fog.Api.External.MintConfigTx request, ServerCallContext context) =>
        throw new RpcException(new Status(StatusCode.Unimplemented, "The dev node does not support minting."));

    public override Task<ProposeMintTxResponse> ProposeMintTx(Fog.Api.External.MintTx request, ServerCallContext context) =>
        throw new RpcException(new Status(StatusCode.Unimplemented, "The dev node does not support minting."));

    public override Task<Fog.Api.ConsensusConfig.ConsensusNodeConfig> GetNodeConfig(Empty request, ServerCallContext context) =>
        throw new RpcException(new Status(StatusCode.Unimplemented, "The dev node has no consensus configuration; see fog_node.NodeAPI/GetLedgerInfo."));
}

/// <summary><c>consensus_common.BlockchainAPI</c>: the last block and block headers by range.</summary>
internal sealed class BlockchainService(DevNode node) : BlockchainAPI.BlockchainAPIBase
{
    /// <summary>Most headers one call returns.</summary>
    internal const uint MaxBlocksPerRequest = 1000;

    public override Task<LastBlockInfoResponse> GetLastBlockInfo(Empty request, ServerCallContext context)
    {
        var response = new LastBlockInfoResponse
        {
            Index = node.Read(l => l.NumBlocks) - 1,
            NetworkBlockVersion = node.BlockVersion.Value,
        };
        foreach (var (token, fee) in node.MinimumFees)
        {
            response.MinimumFees.Add(token, fee);
        }

        if (node.MinimumFees.TryGetValue(Model.Transactions.Amount.MobTokenId, out var mobFee))
        {
#pragma warning disable CS0612 // the deprecated field is still what older clients read
            response.MobMinimumFee = mobFee;
#pragma warning restore CS0612
        }

        return Task.FromResult(response);
    }

    public override Task<BlocksResponse> GetBlocks(BlocksRequest request, ServerCallContext context)
    {
        if (request.Limit > MaxBlocksPerRequest)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"limit is at most {MaxBlocksPerRequest}."));
        }

        return Task.FromResult(node.Read(ledger =>
        {
            if (request.Offset >= ledger.NumBlocks)
            {
                throw new RpcException(new Status(StatusCode.OutOfRange, $"offset {request.Offset} is past the last block ({ledger.NumBlocks - 1})."));
            }

            var response = new BlocksResponse();
            var end = Math.Min(ledger.NumBlocks, request.Offset + request.Limit);
            for (var i = request.Offset; i < end; i++)
            {
                response.Blocks.Add(Fog.Api.Blockchain.Block.Parser.ParseFrom(ledger.GetBlockData(i)!.Block.ToProtobuf()));
            }

            return response;
        }));
    }
}
