using System.Runtime.CompilerServices;
using Fog.Api.Attest;
using Fog.Api.ConsensusClient;
using Fog.Api.Node;
using Fog.Attestation.Evidence;
using Fog.Client.Connections;
using Fog.Model.Ledger;
using Fog.Model.Transactions;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;

namespace Fog.Client.Node;

/// <summary>
/// A client of a dev node: submits transactions to its (attested) consensus enclave, fetches outputs with membership
/// proofs for building transactions, finds TxOuts by public key and reads blocks.
/// </summary>
public sealed class NodeClient : IDisposable
{
    private readonly GrpcChannel _channel;
    private readonly NodeAPI.NodeAPIClient _node;
    private readonly ConsensusClientAPI.ConsensusClientAPIClient _consensus;
    private readonly AttestedConnection _attested;

    /// <summary>A client of the node at <paramref name="nodeUri"/>, attesting its consensus enclave with <paramref name="policy"/>.</summary>
    /// <param name="nodeUri">The node's client URI.</param>
    /// <param name="responderId">The node's responder id (the Noise prologue; usually its host:port).</param>
    /// <param name="policy">What the node's consensus enclave must prove (measurement, product id, trusted roots).</param>
    public NodeClient(Uri nodeUri, string responderId, AttestationPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(nodeUri);
        ArgumentNullException.ThrowIfNull(policy);
        _channel = GrpcChannel.ForAddress(nodeUri);
        _node = new NodeAPI.NodeAPIClient(_channel);
        _consensus = new ConsensusClientAPI.ConsensusClientAPIClient(_channel);
        var auth = new AttestedApi.AttestedApiClient(_channel);
        _attested = new AttestedConnection(responderId, new SimulatedEvidenceVerifier(policy), async (request, ct) => await auth.AuthAsync(request, cancellationToken: ct).ConfigureAwait(false));
    }

    /// <summary>Block and TxO counts, the last block, minimum fees.</summary>
    public async Task<LedgerInfo> GetLedgerInfoAsync(CancellationToken cancellationToken = default) =>
        await _node.GetLedgerInfoAsync(new Empty(), cancellationToken: cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Submits <paramref name="tx"/> to the node's consensus enclave over an attested channel. Ok means it is queued for
    /// the next block; any other value is the rule it broke.
    /// </summary>
    public async Task<TxValidationResult> ProposeAsync(Tx tx, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tx);
        var bytes = tx.ToProtobuf();
        var response = await _attested.CallAsync(
            async (channel, ct) => await _consensus.ClientTxProposeAsync(channel.Encrypt(bytes), cancellationToken: ct).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);
        return (TxValidationResult)(int)response.Result;
    }

    /// <summary>TxOuts by global index with membership proofs against the node's current tree.</summary>
    public async Task<IReadOnlyList<(ulong Index, TxOut TxOut, MembershipProof Proof)>> GetOutputsAsync(IEnumerable<ulong> indices, CancellationToken cancellationToken = default)
    {
        var request = new OutputsRequest();
        request.Indices.AddRange(indices);
        var response = await _node.GetOutputsAsync(request, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.Outputs.Select(o =>
        {
            if (!TxOut.TryParseProtobuf(o.TxOut.ToByteArray(), out var txOut) || !MembershipProof.TryParseProtobuf(o.Proof.ToByteArray(), out var proof))
            {
                throw new InvalidDataException($"The node sent an output or proof that does not parse (index {o.Index}).");
            }

            return (o.Index, txOut, proof);
        }).ToList();
    }

    /// <summary>Where TxOuts with these public keys are: global index, block, timestamp — or not found.</summary>
    public async Task<IReadOnlyList<TxOutLocation>> FindTxOutsAsync(IEnumerable<ReadOnlyMemory<byte>> publicKeys, CancellationToken cancellationToken = default)
    {
        var request = new TxOutsByPublicKeyRequest();
        request.PublicKeys.AddRange(publicKeys.Select(k => new Fog.Api.External.CompressedRistretto { Data = ByteString.CopyFrom(k.Span) }));
        var response = await _node.GetTxOutsByPublicKeyAsync(request, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.Results;
    }

    /// <summary>Blocks from <paramref name="startIndex"/>; with <paramref name="follow"/>, new blocks as they come.</summary>
    public async IAsyncEnumerable<BlockData> StreamBlocksAsync(ulong startIndex, bool follow, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var call = _node.StreamBlocks(new StreamBlocksRequest { StartIndex = startIndex, Follow = follow }, cancellationToken: cancellationToken);
        await foreach (var archived in call.ResponseStream.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return BlockData.TryParseArchiveBlock(archived.ToByteArray(), out var block)
                ? block
                : throw new InvalidDataException("The node sent a block that does not parse.");
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _attested.Dispose();
        _channel.Dispose();
    }
}
