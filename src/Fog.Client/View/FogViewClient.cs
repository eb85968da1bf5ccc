using Fog.Api.Attest;
using Fog.Api.FogView;
using Fog.Attestation;
using Fog.Attestation.Evidence;
using Fog.Client.Balance;
using Fog.Client.Connections;
using Fog.Crypto.Box;
using Fog.Crypto.Kex;
using Fog.Crypto.Ristretto;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using TxOutRecord = Fog.Model.FogData.TxOutRecord;

namespace Fog.Client.View;

/// <summary>
/// A client of fog view (<c>fog_view.FogViewAPI</c>): attests the view enclave, sends search keys on the attested
/// channel, and returns the enclave's results together with the server's untrusted bookkeeping (events after a cursor,
/// block counts). Re-attests transparently when the server lost the session.
/// </summary>
/// <example>
/// <code>
/// using var view = new FogViewClient(new Uri("http://127.0.0.1:5200"), "127.0.0.1:5200", policy);
/// var events = await view.QueryAsync([], startFromUserEventId: cursor);        // new RNGs, missed ranges, …
/// var found = await view.QueryAsync(searchKeys);                                // cursor long.MaxValue: results only
/// foreach (var r in found.Results.Where(r => r.IsFound))
///     if (r.TryOpenRecord(account.DefaultSubaddressViewPrivate(), out var record)) { /* record.TryRecover(…) */ }
/// </code>
/// </example>
public sealed class FogViewClient : IFogViewService, IDisposable
{
    private readonly GrpcChannel? _ownedChannel;
    private readonly FogViewAPI.FogViewAPIClient _client;
    private readonly AttestedConnection _attested;

    /// <summary>A client of the view server at <paramref name="viewUri"/>, attesting its enclave with <paramref name="policy"/>.</summary>
    /// <param name="viewUri">The server's client URI (e.g. http://127.0.0.1:5200 for insecure-fog://127.0.0.1:5200).</param>
    /// <param name="responderId">The enclave's responder id (the Noise prologue; usually the server's host:port).</param>
    /// <param name="policy">What the view enclave must prove (measurement, product id, trusted roots).</param>
    public FogViewClient(Uri viewUri, string responderId, AttestationPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(viewUri);
        ArgumentNullException.ThrowIfNull(policy);
        _ownedChannel = GrpcChannel.ForAddress(viewUri);
        _client = new FogViewAPI.FogViewAPIClient(_ownedChannel);
        _attested = Connect(responderId, new SimulatedEvidenceVerifier(policy));
    }

    /// <summary>A client over an existing gRPC channel or call invoker (which the caller keeps).</summary>
    /// <param name="callInvoker">The call invoker (e.g. a shared <see cref="GrpcChannel"/>'s).</param>
    /// <param name="responderId">The enclave's responder id.</param>
    /// <param name="verifier">Checks the enclave's evidence.</param>
    public FogViewClient(CallInvoker callInvoker, string responderId, IEvidenceVerifier verifier)
    {
        ArgumentNullException.ThrowIfNull(callInvoker);
        ArgumentNullException.ThrowIfNull(verifier);
        _client = new FogViewAPI.FogViewAPIClient(callInvoker);
        _attested = Connect(responderId, verifier);
    }

    /// <summary>How many handshakes this client has made (one, plus one per re-attestation).</summary>
    public int Handshakes => _attested.Handshakes;

    /// <summary>
    /// One query: the results for <paramref name="searchKeys"/> (in order) and the user events after
    /// <paramref name="startFromUserEventId"/> (<see cref="long.MaxValue"/>, the default, for none).
    /// </summary>
    /// <param name="searchKeys">Search keys (16 bytes each); at most the server's cap (1000 by default; clients send ≤ 500).</param>
    /// <param name="startFromUserEventId">The event cursor: 0 for every event, the last response's next cursor after that.</param>
    /// <param name="startFromBlockIndex">Sent as the reference clients do (their highest processed block count); servers ignore it.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="RpcException">
    /// <see cref="StatusCode.Unavailable"/>: the server is still loading (not ready) or its database is unavailable —
    /// retry later; <see cref="StatusCode.InvalidArgument"/>: too many keys or a malformed request.
    /// </exception>
    /// <exception cref="AttestException">The enclave's evidence does not satisfy the policy.</exception>
    /// <exception cref="InvalidDataException">The response does not match the request (a result missing or out of order).</exception>
    public async Task<FogViewResponse> QueryAsync(
        IReadOnlyList<ReadOnlyMemory<byte>> searchKeys,
        long startFromUserEventId = long.MaxValue,
        ulong startFromBlockIndex = 0,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(searchKeys);
        var request = new QueryRequest();
        foreach (var key in searchKeys)
        {
            request.GetTxos.Add(ByteString.CopyFrom(key.Span));
        }

        var plaintext = request.ToByteArray();
        var aad = new QueryRequestAAD { StartFromUserEventId = startFromUserEventId, StartFromBlockIndex = startFromBlockIndex }.ToByteArray();
        var response = await _attested.CallAsync(
            async (channel, ct) =>
            {
                Message reply;
                try
                {
                    reply = await _client.QueryAsync(channel.Encrypt(plaintext, aad), cancellationToken: ct).ConfigureAwait(false);
                }
                catch (RpcException e) when (e.StatusCode != StatusCode.PermissionDenied)
                {
                    // The server may have refused before decrypting (not ready, database down), leaving our send counter
                    // ahead of its receive counter: start the next call on a fresh channel.
                    _attested.Reset();
                    throw;
                }

                if (!channel.TryDecrypt(reply, out var decrypted, out var error))
                {
                    _attested.Reset();
                    throw new AttestException(error);
                }

                return QueryResponse.Parser.ParseFrom(decrypted);
            },
            cancellationToken).ConfigureAwait(false);
        return FogViewResponse.From(response, searchKeys);
    }

    /// <inheritdoc />
    async Task<ViewQueryResult> IFogViewService.QueryAsync(long startFromUserEventId, ulong startFromBlockIndex, IReadOnlyList<byte[]> searchKeys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(searchKeys);
        var response = await QueryAsync(searchKeys.Select(k => (ReadOnlyMemory<byte>)k).ToList(), startFromUserEventId, startFromBlockIndex, cancellationToken).ConfigureAwait(false);
        var found = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var result in response.Results)
        {
            switch (result.Code)
            {
                case TxOutSearchResultCode.Found:
                    found[Convert.ToHexString(result.SearchKey)] = result.Ciphertext;
                    break;
                case TxOutSearchResultCode.NotFound:
                    break;
                default:
                    // Treating a failed search as "not found" would end the RNG early and miss records.
                    throw new InvalidDataException($"Fog view could not search a key: {result.Code}.");
            }
        }

        return new ViewQueryResult
        {
            RngRecords = response.RngRecords,
            Decommissioned = response.Decommissioned,
            MissedBlockRanges = response.MissedBlockRanges,
            NextStartFromUserEventId = response.NextStartFromUserEventId,
            HighestProcessedBlockCount = response.HighestProcessedBlockCount,
            Found = found,
        };
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _attested.Dispose();
        _ownedChannel?.Dispose();
    }

    private AttestedConnection Connect(string responderId, IEvidenceVerifier verifier) =>
        new(responderId, verifier, async (request, ct) => await _client.AuthAsync(request, cancellationToken: ct).ConfigureAwait(false));
}

/// <summary>
/// A view response: the enclave's search results (one per key, in request order) and the untrusted part — events after
/// the cursor and block counts, which the server's host supplied and the enclave only relayed.
/// </summary>
public sealed record FogViewResponse
{
    /// <summary>Every record of every block below this count is loaded (the balance can be valid up to it).</summary>
    public required ulong HighestProcessedBlockCount { get; init; }

    /// <summary>The signature time (seconds) of block <see cref="HighestProcessedBlockCount"/> − 1, or 0 if unknown.</summary>
    public required ulong HighestProcessedBlockSignatureTimestamp { get; init; }

    /// <summary>The cursor to send next time.</summary>
    public required long NextStartFromUserEventId { get; init; }

    /// <summary>Block ranges fog will never process (scan them with the ledger's block API).</summary>
    public required IReadOnlyList<BlockSpan> MissedBlockRanges { get; init; }

    /// <summary>New RNG records (ingest invocations) since the cursor.</summary>
    public required IReadOnlyList<RngRecordInfo> RngRecords { get; init; }

    /// <summary>Ingest invocations decommissioned since the cursor.</summary>
    public required IReadOnlyList<DecommissionedInvocation> Decommissioned { get; init; }

    /// <summary>The highest block loaded under any key, plus one (may exceed <see cref="HighestProcessedBlockCount"/>).</summary>
    public required ulong LastKnownBlockCount { get; init; }

    /// <summary>The cumulative TxO count of block <see cref="LastKnownBlockCount"/> − 1 (a hint for ring sampling).</summary>
    public required ulong LastKnownBlockCumulativeTxoCount { get; init; }

    /// <summary>One result per search key, in request order.</summary>
    public required IReadOnlyList<FogViewSearchResult> Results { get; init; }

    internal static FogViewResponse From(QueryResponse response, IReadOnlyList<ReadOnlyMemory<byte>> searchKeys)
    {
        var results = new List<FogViewSearchResult>(searchKeys.Count);
        var useFixed = response.FixedTxOutSearchResults.Count > 0 || response.TxOutSearchResults.Count == 0;
        var count = useFixed ? response.FixedTxOutSearchResults.Count : response.TxOutSearchResults.Count;
        if (count != searchKeys.Count)
        {
            throw new InvalidDataException($"Fog view returned {count} results for {searchKeys.Count} search keys.");
        }

        for (var i = 0; i < count; i++)
        {
            ByteString key, ciphertext;
            uint code;
            if (useFixed)
            {
                var r = response.FixedTxOutSearchResults[i];
                if (r.PayloadLength > (uint)r.Ciphertext.Length)
                {
                    throw new InvalidDataException($"Fog view result {i} claims {r.PayloadLength} payload bytes in a {r.Ciphertext.Length}-byte ciphertext.");
                }

                (key, code, ciphertext) = (r.SearchKey, r.ResultCode, ByteString.CopyFrom(r.Ciphertext.Span[..(int)r.PayloadLength]));
            }
            else
            {
                var r = response.TxOutSearchResults[i];
                (key, code, ciphertext) = (r.SearchKey, r.ResultCode, r.Ciphertext);
            }

            if (!key.Span.SequenceEqual(searchKeys[i].Span))
            {
                throw new InvalidDataException($"Fog view result {i} is for another search key than the one asked (results out of order).");
            }

            if (code is < (uint)TxOutSearchResultCode.Found or > (uint)TxOutSearchResultCode.RateLimited)
            {
                throw new InvalidDataException($"Fog view result {i} has an unknown result code {code}.");
            }

            results.Add(new FogViewSearchResult(key.ToByteArray(), (TxOutSearchResultCode)code, code == (uint)TxOutSearchResultCode.Found ? ciphertext.ToByteArray() : []));
        }

        return new FogViewResponse
        {
            HighestProcessedBlockCount = response.HighestProcessedBlockCount,
            HighestProcessedBlockSignatureTimestamp = response.HighestProcessedBlockSignatureTimestamp,
            NextStartFromUserEventId = response.NextStartFromUserEventId,
            MissedBlockRanges = response.MissedBlockRanges.Select(r => new BlockSpan(r.StartBlock, r.EndBlock)).ToList(),
            RngRecords = response.Rngs.Select(r => new RngRecordInfo(r.IngestInvocationId, new KexRngPubkey(r.Pubkey?.Pubkey.ToByteArray() ?? [], r.Pubkey?.Version ?? 0), r.StartBlock)).ToList(),
            Decommissioned = response.DecommissionedIngestInvocations.Select(d => new DecommissionedInvocation(d.IngestInvocationId, d.LastIngestedBlock)).ToList(),
            LastKnownBlockCount = response.LastKnownBlockCount,
            LastKnownBlockCumulativeTxoCount = response.LastKnownBlockCumulativeTxoCount,
            Results = results,
        };
    }
}

/// <summary>The result for one search key.</summary>
/// <param name="SearchKey">The key asked.</param>
/// <param name="Code">Found, NotFound, or why the search failed (BadSearchKey for a key that is not 16 bytes or all zeros).</param>
/// <param name="Ciphertext">When found, the record: a crypto box of a <c>TxOutRecord</c> to the default-subaddress view key; otherwise empty.</param>
public sealed record FogViewSearchResult(byte[] SearchKey, TxOutSearchResultCode Code, byte[] Ciphertext)
{
    /// <summary>Whether a record was found.</summary>
    public bool IsFound => Code == TxOutSearchResultCode.Found;

    /// <summary>
    /// Decrypts a found record with the account's default-subaddress view private key (c₀) and parses its
    /// <c>TxOutRecord</c>; false when nothing was found, the box does not open under this key, or it does not parse.
    /// </summary>
    public bool TryOpenRecord(RistrettoPrivate defaultSubaddressViewPrivateKey, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TxOutRecord? record)
    {
        ArgumentNullException.ThrowIfNull(defaultSubaddressViewPrivateKey);
        record = null;
        if (!IsFound || VersionedCryptoBox.TryDecrypt(defaultSubaddressViewPrivateKey, Ciphertext) is not { } plaintext)
        {
            return false;
        }

        try
        {
            return TxOutRecord.TryParseProtobuf(plaintext, out record);
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(plaintext);
        }
    }
}
