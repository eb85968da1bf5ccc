using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Fog.Api.Attest;
using Fog.Api.FogLedger;
using Fog.Attestation;
using Fog.Attestation.Evidence;
using Fog.Enclaves.Common;
using Fog.Oblivious.Maps;
using Google.Protobuf;

namespace Fog.Enclaves.KeyImage;

/// <summary>The key-image enclave (see <see cref="IKeyImageEnclave"/>).</summary>
internal sealed class KeyImageEnclave : AttestedMapEnclave<KeyImageStore>, IKeyImageEnclave
{
    private static readonly AttestedQueryShape<CheckKeyImagesRequest> CheckShape = new(CheckKeyImagesRequest.Parser, "fog_ledger.CheckKeyImagesRequest", "key images", query => query.Queries.Count);

    // The reference's ledger enclave binds a custom identity of 32 zero bytes.
    internal KeyImageEnclave(IAttestationProvider provider, string responderId, KeyImageEnclaveOptions options)
        : base(
            provider,
            responderId,
            options.MaxSessions,
            new KeyImageStore(ObliviousMapOptions.For(ObliviousMapShape.KeyImage, options.Capacity) with { Storage = options.Storage }),
            customIdentity: new byte[32])
    {
        MaxKeyImagesPerQuery = options.MaxKeyImagesPerQuery;
    }

    public ulong KeyImageCount => StoredCount;

    public int MaxKeyImagesPerQuery { get; }

    public KeyImageAddResult AddKeyImages(IReadOnlyList<KeyImageRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        int added = 0, overwritten = 0, rejected = 0;
        lock (Gate)
        {
            ThrowIfDisposed();
            for (var i = 0; i < records.Count; i++)
            {
                var record = records[i];
                if (record.KeyImage.Length != KeyImageStore.KeySize)
                {
                    rejected++;
                    continue;
                }

                switch (Store.VarTimeAdd(record.KeyImage.Span, record.BlockIndex, record.Timestamp))
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
        var reply = AnswerAttested(request, CheckShape, MaxKeyImagesPerQuery, query => Answer(query, untrustedPart));
        return new KeyImageQueryResult
        {
            Status = reply.StatusAs(LedgerRequestStatus.Ok, LedgerRequestStatus.ChannelError, LedgerRequestStatus.MalformedRequest, LedgerRequestStatus.TooManyItems),
            Response = reply.Response,
            ChannelError = reply.ChannelError,
            KeyImageCount = reply.ItemCount,
            Detail = reply.Detail,
        };
    }

    public OutputsRequestResult OpenOutputsRequest(Message request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!TryDecrypt(request, out var plaintext, out var channelError))
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
        return TryEncryptReply(request, response.ToByteArray(), out encrypted, out error);
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
            lock (Gate)
            {
                ThrowIfDisposed();
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

                    var status = Store.Find(mapKey, value);
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
