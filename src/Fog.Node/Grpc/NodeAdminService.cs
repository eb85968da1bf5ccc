using Fog.Api.Node;
using Fog.Crypto.Ristretto;
using Fog.Model.Addresses;
using Fog.Model.Transactions;
using Grpc.Core;

namespace Fog.Node.Grpc;

/// <summary><c>fog_node.NodeAdminAPI</c>: the faucet.</summary>
internal sealed class NodeAdminService(DevNode node) : NodeAdminAPI.NodeAdminAPIBase
{
    public override async Task<FaucetResponse> Faucet(FaucetRequest request, ServerCallContext context)
    {
        if (!PublicAddress.TryParseB58(request.B58Address, out var address, out var parseError))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"b58_address: {parseError.Describe()}."));
        }

        if (request.Amount == 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "amount must be positive."));
        }

        RistrettoPublic? ingress = null;
        if (!request.FogIngressPublicKey.IsEmpty && !RistrettoPublic.TryFrom(request.FogIngressPublicKey.Span, out ingress))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "fog_ingress_public_key is not a valid ristretto255 point."));
        }

        var result = await node.PayFromFaucetAsync(address, new Amount(request.Amount, request.TokenId), ingress, context.CancellationToken).ConfigureAwait(false);
        var response = new FaucetResponse { Result = (Fog.Api.ConsensusCommon.ProposeTxResult)(int)result.Result, BlockIndex = result.BlockIndex, Error = result.Error ?? "" };
        if (result.Output is { } output)
        {
            response.TxOut = Fog.Api.External.TxOut.Parser.ParseFrom(output.ToProtobuf());
        }

        return response;
    }
}
