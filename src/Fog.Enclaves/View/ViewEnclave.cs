using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Fog.Api.Attest;
using Fog.Api.FogView;
using Fog.Attestation;
using Fog.Attestation.Channels;
using Fog.Attestation.Evidence;
using Fog.Attestation.Noise;
using Fog.Oblivious.Maps;
using Google.Protobuf;

namespace Fog.Enclaves.View;

/// <summary>The view enclave (see <see cref="IViewEnclave"/>).</summary>
internal sealed class ViewEnclave : IViewEnclave
{
    private readonly Lock _gate = new();
    private readonly IAttestationProvider _provider;
    private readonly NoiseKeyPair _staticKey;
    private readonly AttestedResponder _responder;
    private readonly ETxOutStore _store;
    private bool _disposed;

    internal ViewEnclave(IAttestationProvider provider, string responderId, ViewEnclaveOptions options)
    {
        _provider = provider;
        MaxSearchKeysPerQuery = options.MaxSearchKeysPerQuery;
        _store = new ETxOutStore(ObliviousMapOptions.For(ObliviousMapShape.View, options.Capacity) with { Storage = options.Storage });
        _staticKey = NoiseKeyPair.Generate();
        try
        {
            _responder = new AttestedResponder(new AttestedResponderOptions { ResponderId = responderId, MaxSessions = options.MaxSessions }, _staticKey, provider);
        }
        catch
        {
            _staticKey.Dispose();
            _store.Dispose();
            throw;
        }
    }

    public EnclaveIdentity Identity => _provider.Identity;

    public bool IsSimulation => _provider.IsSimulation;

    public string ResponderId => _responder.ResponderId;

    public ulong Capacity => _store.Capacity;

    public ulong RecordCount
    {
        get
        {
            lock (_gate)
            {
                return _store.Count;
            }
        }
    }

    public int MaxSearchKeysPerQuery { get; }

    public int SessionCount => _responder.SessionCount;

    public bool TryAccept(ReadOnlySpan<byte> request, [NotNullWhen(true)] out byte[]? response, [NotNullWhen(false)] out AttestError? error) =>
        _responder.TryAccept(request, out response, out _, out error);

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
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            for (var i = 0; i < records.Count; i++)
            {
                switch (_store.VarTimeAdd(records[i].SearchKey.Span, records[i].Payload.Span))
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
        if (!_responder.TryDecrypt(request, out var plaintext, out var channelError))
        {
            return new ViewQueryResult { Status = ViewQueryStatus.ChannelError, ChannelError = channelError, Detail = channelError.Message };
        }

        byte[]? response = null;
        try
        {
            QueryRequest query;
            try
            {
                query = QueryRequest.Parser.ParseFrom(plaintext);
            }
            catch (InvalidProtocolBufferException)
            {
                return new ViewQueryResult { Status = ViewQueryStatus.MalformedRequest, Detail = "The decrypted request is not a fog_view.QueryRequest." };
            }

            var keys = query.GetTxos;
            if (keys.Count > MaxSearchKeysPerQuery)
            {
                return new ViewQueryResult
                {
                    Status = ViewQueryStatus.TooManySearchKeys,
                    SearchKeyCount = keys.Count,
                    Detail = $"A query may carry at most {MaxSearchKeysPerQuery} search keys; this one has {keys.Count}. Split it.",
                };
            }

            response = Answer(keys, untrustedPart);
            if (!_responder.TryEncrypt(request.ChannelId.Span, response, request.Aad.Span, out var encrypted, out channelError))
            {
                return new ViewQueryResult { Status = ViewQueryStatus.ChannelError, ChannelError = channelError, SearchKeyCount = keys.Count, Detail = channelError.Message };
            }

            return new ViewQueryResult { Status = ViewQueryStatus.Ok, Response = encrypted, SearchKeyCount = keys.Count };
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
            if (response is not null)
            {
                CryptographicOperations.ZeroMemory(response);
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _responder.Dispose();
            _staticKey.Dispose();
            _store.Dispose();
        }
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
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                foreach (var key in keys)
                {
                    // A key of the wrong (public) length is read as the all-zero key: the same accesses, status InvalidKey.
                    searchKey.Clear();
                    if (key.Length == ETxOutStore.KeySize)
                    {
                        key.Span.CopyTo(searchKey);
                    }

                    var status = _store.Find(searchKey, value);
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
