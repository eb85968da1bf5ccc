using Fog.Api.Attest;
using Fog.Api.FogLedger;
using Fog.Attestation;
using Fog.Attestation.Evidence;
using Fog.Client.Balance;
using Fog.Client.Connections;
using Fog.Model.Ledger;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using ApiBlockRange = Fog.Api.FogCommon.BlockRange;
using KeyImage = Fog.Model.Transactions.KeyImage;
using TxOut = Fog.Model.Transactions.TxOut;

namespace Fog.Client.Ledger;

/// <summary>
/// A client of fog ledger: attested, oblivious key-image checks (<c>FogKeyImageAPI</c>), attested outputs with membership
/// proofs (<c>FogMerkleProofAPI</c>; not oblivious — the server learns the indices), and the untrusted block and TxOut
/// lookups (<c>FogBlockAPI</c>, <c>FogUntrustedTxOutApi</c>). Re-attests transparently when the server lost a session.
/// </summary>
/// <example>
/// <code>
/// using var ledger = new FogLedgerClient(new Uri("http://127.0.0.1:7200"), "127.0.0.1:7200", policy);
/// var check = await ledger.CheckKeyImagesAsync(keyImages);           // ≤ 100 per call, as reference clients send
/// foreach (var r in check.Results) Console.WriteLine(r.IsSpent ? $"spent in block {r.SpentAt}" : "not spent");
/// var outputs = await ledger.GetOutputsAsync([12, 40, 41]);          // TxOuts and membership proofs
/// var blocks = await ledger.GetBlocksAsync([new BlockSpan(5, 10)]);  // scan a missed range
/// </code>
/// </example>
public sealed class FogLedgerClient : IFogKeyImageService, IFogBlockService, IFogMerkleProofService, IDisposable
{
    private readonly GrpcChannel? _ownedChannel;
    private readonly FogKeyImageAPI.FogKeyImageAPIClient _keyImages;
    private readonly FogMerkleProofAPI.FogMerkleProofAPIClient _proofs;
    private readonly FogBlockAPI.FogBlockAPIClient _blocks;
    private readonly FogUntrustedTxOutApi.FogUntrustedTxOutApiClient _txOuts;
    private readonly AttestedConnection _keyImageConnection;
    private readonly AttestedConnection _proofConnection;

    /// <summary>A client of the ledger server at <paramref name="ledgerUri"/>, attesting its enclave with <paramref name="policy"/>.</summary>
    /// <param name="ledgerUri">The server's client URI (e.g. http://127.0.0.1:7200).</param>
    /// <param name="responderId">The enclave's responder id (the Noise prologue; usually the server's host:port).</param>
    /// <param name="policy">What the ledger enclave must prove (measurement, product id, trusted roots).</param>
    public FogLedgerClient(Uri ledgerUri, string responderId, AttestationPolicy policy)
        : this(GrpcChannel.ForAddress(ledgerUri ?? throw new ArgumentNullException(nameof(ledgerUri))), responderId, new SimulatedEvidenceVerifier(policy ?? throw new ArgumentNullException(nameof(policy))), owned: true)
    {
    }

    /// <summary>A client over an existing gRPC channel or call invoker (which the caller keeps).</summary>
    public FogLedgerClient(CallInvoker callInvoker, string responderId, IEvidenceVerifier verifier)
    {
        ArgumentNullException.ThrowIfNull(callInvoker);
        ArgumentNullException.ThrowIfNull(verifier);
        _keyImages = new FogKeyImageAPI.FogKeyImageAPIClient(callInvoker);
        _proofs = new FogMerkleProofAPI.FogMerkleProofAPIClient(callInvoker);
        _blocks = new FogBlockAPI.FogBlockAPIClient(callInvoker);
        _txOuts = new FogUntrustedTxOutApi.FogUntrustedTxOutApiClient(callInvoker);
        _keyImageConnection = new AttestedConnection(responderId, verifier, async (request, ct) => await _keyImages.AuthAsync(request, cancellationToken: ct).ConfigureAwait(false));
        _proofConnection = new AttestedConnection(responderId, verifier, async (request, ct) => await _proofs.AuthAsync(request, cancellationToken: ct).ConfigureAwait(false));
    }

    private FogLedgerClient(GrpcChannel channel, string responderId, IEvidenceVerifier verifier, bool owned)
        : this(channel.CreateCallInvoker(), responderId, verifier)
    {
        _ownedChannel = owned ? channel : null;
    }

    /// <summary>Handshakes made on the key-image and on the outputs channel.</summary>
    public int Handshakes => _keyImageConnection.Handshakes + _proofConnection.Handshakes;

    /// <summary>
    /// Checks key images (raw bytes, so malformed ones can be asked too): one result per key image, in order.
    /// </summary>
    /// <exception cref="RpcException"><see cref="StatusCode.Unavailable"/> while the server is still loading (not ready); <see cref="StatusCode.InvalidArgument"/> for too many key images.</exception>
    /// <exception cref="InvalidDataException">The response does not match the request.</exception>
    public async Task<KeyImageCheckResponse> CheckKeyImagesAsync(IReadOnlyList<ReadOnlyMemory<byte>> keyImages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keyImages);
        var request = new CheckKeyImagesRequest();
        foreach (var keyImage in keyImages)
        {
            request.Queries.Add(new KeyImageQuery { KeyImage = new Fog.Api.External.KeyImage { Data = ByteString.CopyFrom(keyImage.Span) }, StartBlock = 0 });
        }

        var response = CheckKeyImagesResponse.Parser.ParseFrom(await CallAttestedAsync(_keyImageConnection, request.ToByteArray(), (m, ct) => _keyImages.CheckKeyImagesAsync(m, cancellationToken: ct), cancellationToken).ConfigureAwait(false));
        if (response.Results.Count != keyImages.Count)
        {
            throw new InvalidDataException($"Fog ledger answered {response.Results.Count} key images for {keyImages.Count} asked.");
        }

        var results = new List<KeyImageCheckResult>(keyImages.Count);
        for (var i = 0; i < keyImages.Count; i++)
        {
            var r = response.Results[i];
            var echoed = r.KeyImage?.Data ?? ByteString.Empty;
            if (!echoed.Span.SequenceEqual(keyImages[i].Span))
            {
                throw new InvalidDataException($"Fog ledger result {i} is for another key image than the one asked (results out of order).");
            }

            if (r.KeyImageResultCode is < (uint)KeyImageResultCode.Spent or > (uint)KeyImageResultCode.KeyImageError)
            {
                throw new InvalidDataException($"Fog ledger result {i} has an unknown result code {r.KeyImageResultCode}.");
            }

            results.Add(new KeyImageCheckResult(echoed.ToByteArray(), (KeyImageResultCode)r.KeyImageResultCode, r.SpentAt, r.Timestamp));
        }

        return new KeyImageCheckResponse(response.NumBlocks, response.GlobalTxoCount, response.LatestBlockVersion, response.MaxBlockVersion, results);
    }

    /// <summary>Checks key images; see <see cref="CheckKeyImagesAsync(IReadOnlyList{ReadOnlyMemory{byte}}, CancellationToken)"/>.</summary>
    public Task<KeyImageCheckResponse> CheckKeyImagesAsync(IReadOnlyList<KeyImage> keyImages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keyImages);
        return CheckKeyImagesAsync(keyImages.Select(k => (ReadOnlyMemory<byte>)k.ToArray()).ToList(), cancellationToken);
    }

    /// <summary>
    /// TxOuts by global index with membership proofs against the server's current tree, in request order; indices past
    /// the end come back as not existing. Not oblivious: the server learns the indices.
    /// </summary>
    /// <exception cref="InvalidDataException">The response does not match the request, or an output's proof is not for that output.</exception>
    public async Task<LedgerOutputsResponse> GetOutputsAsync(IReadOnlyList<ulong> indices, ulong merkleRootBlock = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(indices);
        var request = new GetOutputsRequest { MerkleRootBlock = merkleRootBlock };
        request.Indices.AddRange(indices);
        var response = GetOutputsResponse.Parser.ParseFrom(await CallAttestedAsync(_proofConnection, request.ToByteArray(), (m, ct) => _proofs.GetOutputsAsync(m, cancellationToken: ct), cancellationToken).ConfigureAwait(false));
        if (response.Results.Count != indices.Count)
        {
            throw new InvalidDataException($"Fog ledger returned {response.Results.Count} outputs for {indices.Count} indices.");
        }

        var outputs = new List<LedgerOutput>(indices.Count);
        for (var i = 0; i < indices.Count; i++)
        {
            var r = response.Results[i];
            if (r.Index != indices[i])
            {
                throw new InvalidDataException($"Fog ledger output {i} is index {r.Index}, not {indices[i]} (out of order).");
            }

            if (r.ResultCode != (uint)OutputResultCode.Exists)
            {
                outputs.Add(new LedgerOutput(r.Index, (OutputResultCode)r.ResultCode, null, null));
                continue;
            }

            if (r.Output is null || r.Proof is null ||
                !TxOut.TryParseProtobuf(r.Output.ToByteArray(), out var txOut) ||
                !MembershipProof.TryParseProtobuf(r.Proof.ToByteArray(), out var proof) ||
                proof.Index != r.Index || proof.ImpliedRoot() is not { } root || !proof.IsValidFor(txOut, root.Hash))
            {
                throw new InvalidDataException($"Fog ledger sent an output at index {r.Index} that does not parse or whose proof is not for it.");
            }

            outputs.Add(new LedgerOutput(r.Index, OutputResultCode.Exists, txOut, proof));
        }

        return new LedgerOutputsResponse(response.NumBlocks, response.GlobalTxoCount, response.LatestBlockVersion, response.MaxBlockVersion, outputs);
    }

    /// <summary>The blocks of <paramref name="ranges"/> (half-open; missing blocks skipped), for scanning missed ranges. Untrusted: plain gRPC.</summary>
    public async Task<LedgerBlocksResponse> GetBlocksAsync(IReadOnlyList<BlockSpan> ranges, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        var request = new BlockRequest();
        request.Ranges.AddRange(ranges.Select(r => new ApiBlockRange { StartBlock = r.Start, EndBlock = r.End }));
        var response = await _blocks.GetBlocksAsync(request, cancellationToken: cancellationToken).ConfigureAwait(false);
        var blocks = new List<LedgerBlock>(response.Blocks.Count);
        foreach (var block in response.Blocks)
        {
            var outputs = new List<TxOut>(block.Outputs.Count);
            foreach (var output in block.Outputs)
            {
                outputs.Add(TxOut.TryParseProtobuf(output.ToByteArray(), out var txOut) ? txOut : throw new InvalidDataException($"Fog ledger sent an output of block {block.Index} that does not parse."));
            }

            if (block.GlobalTxoCount < (ulong)outputs.Count)
            {
                throw new InvalidDataException($"Fog ledger says block {block.Index} ends at TxO count {block.GlobalTxoCount} but holds {outputs.Count} outputs.");
            }

            blocks.Add(new LedgerBlock(block.Index, block.GlobalTxoCount, outputs, block.Timestamp, (Fog.Api.Watcher.TimestampResultCode)block.TimestampResultCode));
        }

        return new LedgerBlocksResponse(response.NumBlocks, response.GlobalTxoCount, blocks);
    }

    /// <summary>
    /// Where TxOuts with these public keys are. Untrusted, and revealing: never ask about your own outputs (the operator
    /// would learn the transaction graph).
    /// </summary>
    public async Task<LedgerTxOutsResponse> GetTxOutsAsync(IReadOnlyList<ReadOnlyMemory<byte>> publicKeys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(publicKeys);
        var request = new TxOutRequest();
        request.TxOutPubkeys.AddRange(publicKeys.Select(k => new Fog.Api.External.CompressedRistretto { Data = ByteString.CopyFrom(k.Span) }));
        var response = await _txOuts.GetTxOutsAsync(request, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (response.Results.Count != publicKeys.Count)
        {
            throw new InvalidDataException($"Fog ledger answered {response.Results.Count} public keys for {publicKeys.Count} asked.");
        }

        return new LedgerTxOutsResponse(
            response.NumBlocks,
            response.GlobalTxoCount,
            response.Results.Select(r => new LedgerTxOutResult(r.TxOutPubkey?.Data.ToByteArray() ?? [], r.ResultCode, r.TxOutGlobalIndex, r.BlockIndex, r.Timestamp, (Fog.Api.Watcher.TimestampResultCode)r.TimestampResultCode)).ToList());
    }

    /// <summary>The server's block and TxO counts (an empty block request).</summary>
    public async Task<(ulong NumBlocks, ulong GlobalTxoCount)> GetLedgerInfoAsync(CancellationToken cancellationToken = default)
    {
        var response = await _blocks.GetBlocksAsync(new BlockRequest(), cancellationToken: cancellationToken).ConfigureAwait(false);
        return (response.NumBlocks, response.GlobalTxoCount);
    }

    /// <inheritdoc />
    async Task<(IReadOnlyList<KeyImageStatus> Statuses, ulong NumBlocks)> IFogKeyImageService.CheckAsync(IReadOnlyList<KeyImage> keyImages, CancellationToken cancellationToken)
    {
        var response = await CheckKeyImagesAsync(keyImages, cancellationToken).ConfigureAwait(false);
        var statuses = new List<KeyImageStatus>(keyImages.Count);
        for (var i = 0; i < keyImages.Count; i++)
        {
            var r = response.Results[i];
            statuses.Add(new KeyImageStatus(keyImages[i], r.IsSpent ? r.SpentAt : null, r.Code == KeyImageResultCode.KeyImageError));
        }

        return (statuses, response.NumBlocks);
    }

    /// <inheritdoc />
    async Task<IReadOnlyList<ScannedBlock>> IFogBlockService.GetBlocksAsync(IReadOnlyList<BlockSpan> ranges, CancellationToken cancellationToken)
    {
        var response = await GetBlocksAsync(ranges, cancellationToken).ConfigureAwait(false);
        return response.Blocks.Select(b => new ScannedBlock(b.Index, b.GlobalTxoCount - (ulong)b.Outputs.Count, b.Timestamp, b.Outputs)).ToList();
    }

    /// <inheritdoc />
    async Task<(IReadOnlyList<(ulong Index, TxOut TxOut, MembershipProof Proof)> Outputs, ulong GlobalTxoCount, ulong NumBlocks)> IFogMerkleProofService.GetOutputsAsync(IReadOnlyList<ulong> indices, CancellationToken cancellationToken)
    {
        var response = await GetOutputsAsync(indices, 0, cancellationToken).ConfigureAwait(false);
        return (response.Results.Where(r => r.Exists).Select(r => (r.Index, r.TxOut!, r.Proof!)).ToList(), response.GlobalTxoCount, response.NumBlocks);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _keyImageConnection.Dispose();
        _proofConnection.Dispose();
        _ownedChannel?.Dispose();
    }

    private static Task<byte[]> CallAttestedAsync(AttestedConnection connection, byte[] plaintext, Func<Message, CancellationToken, AsyncUnaryCall<Message>> call, CancellationToken cancellationToken) =>
        connection.CallAsync(
            async (channel, ct) =>
            {
                Message reply;
                try
                {
                    reply = await call(channel.Encrypt(plaintext), ct).ConfigureAwait(false);
                }
                catch (RpcException e) when (e.StatusCode != StatusCode.PermissionDenied)
                {
                    // The server may have refused before decrypting (not ready), leaving the channel's counters apart.
                    connection.Reset();
                    throw;
                }

                if (!channel.TryDecrypt(reply, out var decrypted, out var error))
                {
                    connection.Reset();
                    throw new AttestException(error);
                }

                return decrypted;
            },
            cancellationToken);
}

/// <summary>A key-image check: the ledger's counts and one result per key image, in request order.</summary>
/// <param name="NumBlocks">Key images were checked against every block below this count (a key image reported not spent may be spent in this block or later).</param>
/// <param name="GlobalTxoCount">TxOuts in those blocks.</param>
/// <param name="LatestBlockVersion">The version of the last block checked.</param>
/// <param name="MaxBlockVersion">The highest block version the server knows.</param>
/// <param name="Results">The results.</param>
public sealed record KeyImageCheckResponse(ulong NumBlocks, ulong GlobalTxoCount, uint LatestBlockVersion, uint MaxBlockVersion, IReadOnlyList<KeyImageCheckResult> Results);

/// <summary>The status of one key image.</summary>
/// <param name="KeyImage">The key image asked.</param>
/// <param name="Code">Spent, NotSpent, or KeyImageError (malformed).</param>
/// <param name="SpentAt">The block that spent it (meaningful only when spent; <see cref="ulong.MaxValue"/> otherwise).</param>
/// <param name="Timestamp">That block's timestamp in seconds (<see cref="ulong.MaxValue"/> when not spent or unknown).</param>
public sealed record KeyImageCheckResult(byte[] KeyImage, KeyImageResultCode Code, ulong SpentAt, ulong Timestamp)
{
    /// <summary>Whether the key image is spent.</summary>
    public bool IsSpent => Code == KeyImageResultCode.Spent;
}

/// <summary>Outputs with membership proofs.</summary>
/// <param name="NumBlocks">The server's block count when it answered.</param>
/// <param name="GlobalTxoCount">The server's TxO count when it answered.</param>
/// <param name="LatestBlockVersion">The last block's version.</param>
/// <param name="MaxBlockVersion">The highest block version the server knows.</param>
/// <param name="Results">One per index asked, in order.</param>
public sealed record LedgerOutputsResponse(ulong NumBlocks, ulong GlobalTxoCount, uint LatestBlockVersion, uint MaxBlockVersion, IReadOnlyList<LedgerOutput> Results);

/// <summary>One output.</summary>
/// <param name="Index">Its global index.</param>
/// <param name="Code">Exists or DoesNotExist.</param>
/// <param name="TxOut">The output when it exists.</param>
/// <param name="Proof">Its membership proof when it exists (checked to be a proof for this output; verify the root yourself or let consensus do it).</param>
public sealed record LedgerOutput(ulong Index, OutputResultCode Code, TxOut? TxOut, MembershipProof? Proof)
{
    /// <summary>Whether the output exists.</summary>
    public bool Exists => Code == OutputResultCode.Exists;
}

/// <summary>Blocks from the untrusted block API.</summary>
/// <param name="NumBlocks">The server's block count.</param>
/// <param name="GlobalTxoCount">The server's TxO count.</param>
/// <param name="Blocks">The blocks found, in request order.</param>
public sealed record LedgerBlocksResponse(ulong NumBlocks, ulong GlobalTxoCount, IReadOnlyList<LedgerBlock> Blocks);

/// <summary>One block's outputs.</summary>
/// <param name="Index">The block index.</param>
/// <param name="GlobalTxoCount">TxOuts up to and including this block (its first output's global index is this minus the outputs).</param>
/// <param name="Outputs">Its outputs.</param>
/// <param name="Timestamp">Its timestamp in seconds, or <see cref="ulong.MaxValue"/>.</param>
/// <param name="TimestampResultCode">Whether the timestamp is known (the origin block has none).</param>
public sealed record LedgerBlock(ulong Index, ulong GlobalTxoCount, IReadOnlyList<TxOut> Outputs, ulong Timestamp, Fog.Api.Watcher.TimestampResultCode TimestampResultCode);

/// <summary>TxOut locations from the untrusted lookup.</summary>
/// <param name="NumBlocks">The server's block count.</param>
/// <param name="GlobalTxoCount">The server's TxO count.</param>
/// <param name="Results">One per public key, in request order.</param>
public sealed record LedgerTxOutsResponse(ulong NumBlocks, ulong GlobalTxoCount, IReadOnlyList<LedgerTxOutResult> Results);

/// <summary>Where one TxOut is.</summary>
/// <param name="PublicKey">The public key asked.</param>
/// <param name="Code">Found or NotFound.</param>
/// <param name="GlobalIndex">Its global index (when found).</param>
/// <param name="BlockIndex">Its block (when found).</param>
/// <param name="Timestamp">Its block's timestamp (when known).</param>
/// <param name="TimestampResultCode">Whether the timestamp is known.</param>
public sealed record LedgerTxOutResult(byte[] PublicKey, TxOutResultCode Code, ulong GlobalIndex, ulong BlockIndex, ulong Timestamp, Fog.Api.Watcher.TimestampResultCode TimestampResultCode);
