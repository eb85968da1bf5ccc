using System.Security.Cryptography;
using Fog.Api.Attest;
using Fog.Api.FogView;
using Fog.Attestation.Evidence;
using Fog.Enclaves.Common;
using Fog.Oblivious.Maps;
using Google.Protobuf;

namespace Fog.Enclaves.View;

/// <summary>The view enclave (see <see cref="IViewEnclave"/>).</summary>
internal sealed class ViewEnclave : AttestedMapEnclave<ETxOutStore>, IViewEnclave
{
    private static readonly AttestedQueryShape<QueryRequest> QueryShape = new(QueryRequest.Parser, "fog_view.QueryRequest", "search keys", query => query.GetTxos.Count);

    internal ViewEnclave(IAttestationProvider provider, string responderId, ViewEnclaveOptions options)
        : base(provider, responderId, options.MaxSessions, new ETxOutStore(ObliviousMapOptions.For(ObliviousMapShape.View, options.Capacity) with { Storage = options.Storage }))
    {
        MaxSearchKeysPerQuery = options.MaxSearchKeysPerQuery;
    }

    public ulong RecordCount => StoredCount;

    public int MaxSearchKeysPerQuery { get; }

    public ViewAddRecordsResult AddRecords(IReadOnlyList<ViewRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);

        // Sizes first (public: the host supplied the records), so a malformed batch stores nothing.
        for (var i = 0; i < records.Count; i++)
        {
            var key = records[i].SearchKey.Span;
            if (key.Length != ETxOutStore.KeySize)
            {
                return new ViewAddRecordsResult(ViewAddRecordsStatus.KeyWrongSize, 0, 0, i);
            }

            if (!key.ContainsAnyExcept((byte)0))
            {
                return new ViewAddRecordsResult(ViewAddRecordsStatus.KeyRejected, 0, 0, i);
            }

            if (records[i].Payload.Length > ETxOutStore.MaxPayloadSize)
            {
                return new ViewAddRecordsResult(ViewAddRecordsStatus.ValueTooLarge, 0, 0, i);
            }
        }

        int added = 0, overwritten = 0;
        lock (Gate)
        {
            ThrowIfDisposed();
            for (var i = 0; i < records.Count; i++)
            {
                switch (Store.VarTimeAdd(records[i].SearchKey.Span, records[i].Payload.Span))
                {
                    case ObliviousMapStatus.NotFound:
                        added++;
                        break;
                    case ObliviousMapStatus.Found:
                        overwritten++;
                        break;
                    case ObliviousMapStatus.Overflow:
                        return new ViewAddRecordsResult(ViewAddRecordsStatus.MapOverflow, added, overwritten, i);
                    default:
                        return new ViewAddRecordsResult(ViewAddRecordsStatus.KeyRejected, added, overwritten, i);
                }
            }
        }

        return new ViewAddRecordsResult(ViewAddRecordsStatus.Ok, added, overwritten, -1);
    }

    public ViewQueryResult Query(Message request, QueryResponse untrustedPart)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(untrustedPart);
        var reply = AnswerAttested(request, QueryShape, MaxSearchKeysPerQuery, query => Answer(query.GetTxos, untrustedPart));
        return new ViewQueryResult
        {
            Status = reply.StatusAs(ViewQueryStatus.Ok, ViewQueryStatus.ChannelError, ViewQueryStatus.MalformedRequest, tooManyItems: ViewQueryStatus.TooManySearchKeys),
            Response = reply.Response,
            ChannelError = reply.ChannelError,
            SearchKeyCount = reply.ItemCount,
            Detail = reply.Detail,
        };
    }

    // Encodes the untrusted part, then every key's legacy result, then every key's fixed result (protobuf readers
    // accept fields in any order). Every offset depends only on the number of keys and their lengths.
    private byte[] Answer(Google.Protobuf.Collections.RepeatedField<ByteString> keys, QueryResponse untrustedPart)
    {
        var header = untrustedPart.Clone();
        header.TxOutSearchResults.Clear();
        header.FixedTxOutSearchResults.Clear();
        var headerLength = header.CalculateSize();
        var legacyLength = 0;
        var fixedLength = 0;
        foreach (var key in keys)
        {
            legacyLength += ViewResultEncoding.LegacyEntryLength(key.Length);
            fixedLength += ViewResultEncoding.FixedEntryLength(key.Length);
        }

        var response = new byte[headerLength + legacyLength + fixedLength];
        header.WriteTo(response.AsSpan(0, headerLength));
        var legacy = response.AsSpan(headerLength, legacyLength);
        var fixedResults = response.AsSpan(headerLength + legacyLength, fixedLength);

        Span<byte> searchKey = stackalloc byte[ETxOutStore.KeySize];
        Span<byte> value = stackalloc byte[ETxOutStore.ValueSize];
        try
        {
            lock (Gate)
            {
                ThrowIfDisposed();
                foreach (var key in keys)
                {
                    // A key of the wrong (public) length is read as the all-zero key: the same accesses, status InvalidKey.
                    searchKey.Clear();
                    if (key.Length == ETxOutStore.KeySize)
                    {
                        key.Span.CopyTo(searchKey);
                    }

                    var status = Store.Find(searchKey, value);
                    legacy = legacy[ViewResultEncoding.WriteLegacy(legacy, key.Span, status, value)..];
                    fixedResults = fixedResults[ViewResultEncoding.WriteFixed(fixedResults, key.Span, status, value)..];
                }
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(searchKey);
            CryptographicOperations.ZeroMemory(value);
        }

        return response;
    }
}
