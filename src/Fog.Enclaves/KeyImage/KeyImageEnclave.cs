using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Fog.Api.Attest;
using Fog.Api.FogLedger;
using Fog.Attestation;
using Fog.Attestation.Channels;
using Fog.Attestation.Evidence;
using Fog.Attestation.Noise;
using Fog.Oblivious.Maps;
using Google.Protobuf;

namespace Fog.Enclaves.KeyImage;

/// <summary>The key-image enclave (see <see cref="IKeyImageEnclave"/>).</summary>
internal sealed class KeyImageEnclave : IKeyImageEnclave
{
    private readonly Lock _gate = new();
    private readonly IAttestationProvider _provider;
    private readonly NoiseKeyPair _staticKey;
    private readonly AttestedResponder _responder;
    private readonly KeyImageStore _store;
    private bool _disposed;

    internal KeyImageEnclave(IAttestationProvider provider, string responderId, KeyImageEnclaveOptions options)
    {
        _provider = provider;
        MaxKeyImagesPerQuery = options.MaxKeyImagesPerQuery;
        _store = new KeyImageStore(ObliviousMapOptions.For(ObliviousMapShape.KeyImage, options.Capacity) with { Storage = options.Storage });
        _staticKey = NoiseKeyPair.Generate();
        try
        {
            // The reference's ledger enclave binds a custom identity of 32 zero bytes.
            _responder = new AttestedResponder(
                new AttestedResponderOptions { ResponderId = responderId, MaxSessions = options.MaxSessions },
                _staticKey,
                provider,
                customIdentity: new byte[32]);
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

    public ulong KeyImageCount
    {
        get
        {
            lock (_gate)
            {
                return _store.Count;
            }
        }
    }

    public int MaxKeyImagesPerQuery { get; }

    public int SessionCount => _responder.SessionCount;

    public bool TryAccept(ReadOnlySpan<byte> request, [NotNullWhen(true)] out byte[]? response, [NotNullWhen(false)] out AttestError? error) =>
        _responder.TryAccept(request, out response, out _, out error);

    public KeyImageAddResult AddKeyImages(IReadOnlyList<KeyImageRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        int added = 0, overwritten = 0, rejected = 0;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            for (var i = 0; i < records.Count; i++)
            {
                var record = records[i];
                if (record.KeyImage.Length != KeyImageStore.KeySize)
                {
                    rejected++;
                    continue;
                }

                switch (_store.VarTimeAdd(record.KeyImage.Span, record.BlockIndex, record.Timestamp))
                {
                    case ObliviousMapStatus.NotFound:
                        added++;
                        break;
                    case ObliviousMapStatus.Found:
                        overwritten++;
                        break;
                    case ObliviousMapStatus.Overflow:
                        return new KeyImageAddResult(KeyImageAddStatus.MapOverflow, added, overwritten, rejected, i);
                    default:
                        rejected++;
                        break;
                }
            }
        }

        return new KeyImageAddResult(KeyImageAddStatus.Ok, added, overwritten, rejected, -1);
    }

    public KeyImageQueryResult CheckKeyImages(Message request, CheckKeyImagesResponse untrustedPart)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(untrustedPart);
        if (!_responder.TryDecrypt(request, out var plaintext, out var channelError))
        {
            return new KeyImageQueryResult { Status = LedgerRequestStatus.ChannelError, ChannelError = channelError, Detail = channelError.Message };
        }

        byte[]? response = null;
        try
        {
            CheckKeyImagesRequest query;
            try
            {
                query = CheckKeyImagesRequest.Parser.ParseFrom(plaintext);
            }
            catch (InvalidProtocolBufferException)
            {
                return new KeyImageQueryResult { Status = LedgerRequestStatus.MalformedRequest, Detail = "The decrypted request is not a fog_ledger.CheckKeyImagesRequest." };
            }

            var count = query.Queries.Count;
            if (count > MaxKeyImagesPerQuery)
            {
                return new KeyImageQueryResult
                {
                    Status = LedgerRequestStatus.TooManyItems,
                    KeyImageCount = count,
                    Detail = $"A query may carry at most {MaxKeyImagesPerQuery} key images; this one has {count}. Split it.",
                };
            }

            response = Answer(query, untrustedPart);
            if (!_responder.TryEncrypt(request.ChannelId.Span, response, request.Aad.Span, out var encrypted, out channelError))
            {
                return new KeyImageQueryResult { Status = LedgerRequestStatus.ChannelError, ChannelError = channelError, KeyImageCount = count, Detail = channelError.Message };
            }

            return new KeyImageQueryResult { Status = LedgerRequestStatus.Ok, Response = encrypted, KeyImageCount = count };
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

    public OutputsRequestResult OpenOutputsRequest(Message request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!_responder.TryDecrypt(request, out var plaintext, out var channelError))
        {
            return new OutputsRequestResult { Status = LedgerRequestStatus.ChannelError, ChannelError = channelError, Detail = channelError.Message };
        }

        try
        {
            return new OutputsRequestResult { Status = LedgerRequestStatus.Ok, Request = GetOutputsRequest.Parser.ParseFrom(plaintext) };
        }
        catch (InvalidProtocolBufferException)
        {
            return new OutputsRequestResult { Status = LedgerRequestStatus.MalformedRequest, Detail = "The decrypted request is not a fog_ledger.GetOutputsRequest." };
        }
    }

    public bool TrySealOutputsResponse(Message request, GetOutputsResponse response, [NotNullWhen(true)] out Message? encrypted, [NotNullWhen(false)] out AttestError? error)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(response);
        return _responder.TryEncrypt(request.ChannelId.Span, response.ToByteArray(), request.Aad.Span, out encrypted, out error);
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

    // Encodes the untrusted part, then one result per query in request order; every offset depends only on the number
    // of queries and their key images' lengths.
    private byte[] Answer(CheckKeyImagesRequest query, CheckKeyImagesResponse untrustedPart)
    {
        var header = untrustedPart.Clone();
        header.Results.Clear();
        var headerLength = header.CalculateSize();
        var resultsLength = 0;
        foreach (var q in query.Queries)
        {
            resultsLength += KeyImageResultEncoding.EntryLength(KeyImageBytes(q).Length);
        }

        var response = new byte[headerLength + resultsLength];
        header.WriteTo(response.AsSpan(0, headerLength));
        var results = response.AsSpan(headerLength);

        Span<byte> mapKey = stackalloc byte[KeyImageStore.KeySize];
        Span<byte> value = stackalloc byte[KeyImageStore.ValueSize];
        try
        {
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                foreach (var q in query.Queries)
                {
                    var keyImage = KeyImageBytes(q).Span;

                    // A key image of the wrong (public) length is read as the all-zero map key: the same accesses,
                    // status InvalidKey, answered as KeyImageError.
                    mapKey.Clear();
                    if (keyImage.Length == KeyImageStore.KeySize)
                    {
                        KeyImageStore.ToMapKey(keyImage, mapKey);
                    }

                    var status = _store.Find(mapKey, value);
                    results = results[KeyImageResultEncoding.Write(results, keyImage, status, value)..];
                }
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(mapKey);
            CryptographicOperations.ZeroMemory(value);
        }

        return response;
    }

    private static ByteString KeyImageBytes(KeyImageQuery query) => query.KeyImage?.Data ?? ByteString.Empty;
}
