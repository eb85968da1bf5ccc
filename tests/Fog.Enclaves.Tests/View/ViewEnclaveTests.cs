using Fog.Api.Attest;
using Fog.Api.FogCommon;
using Fog.Api.FogView;
using Fog.Attestation;
using Fog.Attestation.Channels;
using Fog.Enclaves.View;
using Fog.Oblivious.Storage;
using Google.Protobuf;

namespace Fog.Enclaves.Tests.View;

public sealed class ViewEnclaveTests : IDisposable
{
    private readonly EnclaveTestHost _host = new();

    public void Dispose() => _host.Dispose();

    internal static byte[] Key(byte x) => Enumerable.Repeat(x, 16).ToArray();

    internal static byte[] Payload(int length, int seed)
    {
        var payload = new byte[length];
        new Random(seed).NextBytes(payload);
        return payload;
    }

    internal static ViewRecord Record(byte key, byte[] payload) => new(Key(key), payload);

    internal static Message Request(AttestedChannel channel, IEnumerable<byte[]> keys, long cursor = 0, ulong blockIndex = 0)
    {
        var query = new QueryRequest();
        query.GetTxos.AddRange(keys.Select(ByteString.CopyFrom));
        var aad = new QueryRequestAAD { StartFromUserEventId = cursor, StartFromBlockIndex = blockIndex };
        return channel.Encrypt(query.ToByteArray(), aad.ToByteArray());
    }

    internal static QueryResponse Open(AttestedChannel channel, ViewQueryResult result)
    {
        Assert.Equal(ViewQueryStatus.Ok, result.Status);
        Assert.True(channel.TryDecrypt(result.Response!, out var plaintext, out var error), error?.ToString());
        return QueryResponse.Parser.ParseFrom(plaintext);
    }

    private static QueryResponse Untrusted() => new()
    {
        HighestProcessedBlockCount = 6,
        HighestProcessedBlockSignatureTimestamp = 1_700_000_005,
        NextStartFromUserEventId = 4,
        LastKnownBlockCount = 7,
        LastKnownBlockCumulativeTxoCount = 20,
        MissedBlockRanges = { new BlockRange { StartBlock = 3, EndBlock = 4 } },
        Rngs = { new RngRecord { IngestInvocationId = 2, StartBlock = 2, Pubkey = new Fog.Api.KexRng.KexRngPubkey { Pubkey = ByteString.CopyFrom(new byte[32]) } } },
        DecommissionedIngestInvocations = { new DecommissionedIngestInvocation { IngestInvocationId = 1, LastIngestedBlock = 1 } },
    };

    [Fact]
    public void Query_ReturnsEveryLoadedRecordInRequestOrder_WithFixedAndLegacyForms()
    {
        using var enclave = _host.CreateView();
        var payloads = new Dictionary<byte, byte[]> { [1] = Payload(232, 1), [2] = Payload(0, 2), [3] = Payload(127, 3), [4] = Payload(128, 4), [5] = Payload(237, 5), [6] = Payload(239, 6) };
        Assert.True(enclave.AddRecords(payloads.Select(p => Record(p.Key, p.Value)).ToList()).IsOk);
        using var channel = _host.ConnectView(enclave);

        byte[][] keys = [Key(6), Key(200), Key(1), Key(2), Key(3), Key(4), Key(5)];
        var response = Open(channel, enclave.Query(Request(channel, keys), Untrusted()));

        Assert.Equal(keys.Length, response.FixedTxOutSearchResults.Count);
        Assert.Equal(keys.Length, response.TxOutSearchResults.Count);
        for (var i = 0; i < keys.Length; i++)
        {
            var fixedResult = response.FixedTxOutSearchResults[i];
            var legacy = response.TxOutSearchResults[i];
            Assert.Equal(keys[i], fixedResult.SearchKey.ToByteArray());
            Assert.Equal(keys[i], legacy.SearchKey.ToByteArray());
            Assert.Equal(255, fixedResult.Ciphertext.Length);
            Assert.Equal(255, legacy.Ciphertext.Length + legacy.Padding.Length);
            Assert.All(legacy.Padding.ToByteArray(), b => Assert.Equal(0, b));
            if (payloads.TryGetValue(keys[i][0], out var payload))
            {
                Assert.Equal((uint)TxOutSearchResultCode.Found, fixedResult.ResultCode);
                Assert.Equal((uint)TxOutSearchResultCode.Found, legacy.ResultCode);
                Assert.Equal((uint)payload.Length, fixedResult.PayloadLength);
                Assert.Equal(payload, fixedResult.Ciphertext.Span[..payload.Length].ToArray());
                Assert.All(fixedResult.Ciphertext.Span[payload.Length..].ToArray(), b => Assert.Equal(0, b));
                Assert.Equal(payload, legacy.Ciphertext.ToByteArray());
            }
            else
            {
                Assert.Equal((uint)TxOutSearchResultCode.NotFound, fixedResult.ResultCode);
                Assert.Equal((uint)TxOutSearchResultCode.NotFound, legacy.ResultCode);
                Assert.Equal(0u, fixedResult.PayloadLength);
                Assert.Equal(new byte[255], fixedResult.Ciphertext.ToByteArray());
                Assert.True(legacy.Ciphertext.IsEmpty);
            }
        }
    }

    [Fact]
    public void Query_CopiesTheUntrustedPartAndEchoesTheRequestAad()
    {
        using var enclave = _host.CreateView();
        using var channel = _host.ConnectView(enclave);
        var untrusted = Untrusted();
        var request = Request(channel, [Key(9)], cursor: 17, blockIndex: 5);

        var result = enclave.Query(request, untrusted);
        var response = Open(channel, result);

        Assert.Equal(request.Aad, result.Response!.Aad);
        Assert.Equal(17, QueryRequestAAD.Parser.ParseFrom(result.Response.Aad).StartFromUserEventId);
        var withoutResults = response.Clone();
        withoutResults.TxOutSearchResults.Clear();
        withoutResults.FixedTxOutSearchResults.Clear();
        Assert.Equal(untrusted, withoutResults);
        Assert.Equal(1, result.SearchKeyCount);
    }

    [Fact]
    public void Query_IgnoresSearchResultsTheHostPutInTheUntrustedPart()
    {
        using var enclave = _host.CreateView();
        using var channel = _host.ConnectView(enclave);
        var untrusted = Untrusted();
        untrusted.FixedTxOutSearchResults.Add(new FixedTxOutSearchResult { SearchKey = ByteString.CopyFrom(Key(9)), ResultCode = 1, PayloadLength = 3, Ciphertext = ByteString.CopyFrom(new byte[255]) });
        untrusted.TxOutSearchResults.Add(new TxOutSearchResult { SearchKey = ByteString.CopyFrom(Key(9)), ResultCode = 1 });

        var response = Open(channel, enclave.Query(Request(channel, [Key(9)]), untrusted));

        var result = Assert.Single(response.FixedTxOutSearchResults);
        Assert.Equal((uint)TxOutSearchResultCode.NotFound, result.ResultCode);
        Assert.Single(response.TxOutSearchResults);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(17)]
    public void Query_KeyOfWrongLength_IsBadSearchKeyWithEmptyResult(int length)
    {
        using var enclave = _host.CreateView();
        using var channel = _host.ConnectView(enclave);

        var response = Open(channel, enclave.Query(Request(channel, [new byte[length].Select((_, i) => (byte)(i + 1)).ToArray()]), Untrusted()));

        var fixedResult = Assert.Single(response.FixedTxOutSearchResults);
        var legacy = Assert.Single(response.TxOutSearchResults);
        Assert.Equal((uint)TxOutSearchResultCode.BadSearchKey, fixedResult.ResultCode);
        Assert.Equal((uint)TxOutSearchResultCode.BadSearchKey, legacy.ResultCode);
        Assert.Equal(length, fixedResult.SearchKey.Length);
        Assert.Equal(0u, fixedResult.PayloadLength);
        Assert.Equal(new byte[255], fixedResult.Ciphertext.ToByteArray());
        Assert.Equal(new byte[255], legacy.Padding.ToByteArray());
    }

    [Fact]
    public void Query_AllZeroKey_IsBadSearchKey()
    {
        using var enclave = _host.CreateView();
        using var channel = _host.ConnectView(enclave);

        var response = Open(channel, enclave.Query(Request(channel, [new byte[16]]), Untrusted()));

        Assert.Equal((uint)TxOutSearchResultCode.BadSearchKey, Assert.Single(response.FixedTxOutSearchResults).ResultCode);
    }

    [Fact]
    public void Query_EncryptedResponseLength_IsTheSameForZeroOneAndAllHits()
    {
        using var enclave = _host.CreateView();
        var hits = Enumerable.Range(1, 8).Select(i => (byte)i).ToArray();
        Assert.True(enclave.AddRecords(hits.Select(k => Record(k, Payload(237, k))).ToList()).IsOk);
        using var channel = _host.ConnectView(enclave);

        int Length(byte[][] keys) => enclave.Query(Request(channel, keys), Untrusted()).Response!.Data.Length;

        var none = Length(hits.Select(k => Key((byte)(k + 100))).ToArray());
        var one = Length([Key(1), .. hits.Skip(1).Select(k => Key((byte)(k + 100)))]);
        var all = Length(hits.Select(Key).ToArray());
        var someBad = Length([Key(1), new byte[16], .. hits.Skip(2).Select(Key)]);

        Assert.Equal(none, one);
        Assert.Equal(none, all);
        Assert.Equal(none, someBad);
    }

    [Fact]
    public void Query_ResponseLength_DoesNotDependOnThePayloadLengthsFound()
    {
        using var enclave = _host.CreateView();
        var lengths = new[] { 0, 1, 2, 100, 126, 127, 128, 129, 200, 232, 237, 238, 239 };
        Assert.True(enclave.AddRecords(lengths.Select((l, i) => Record((byte)(i + 1), Payload(l, i))).ToList()).IsOk);
        using var channel = _host.ConnectView(enclave);

        var sizes = lengths.Select((_, i) => enclave.Query(Request(channel, [Key((byte)(i + 1))]), Untrusted()).Response!.Data.Length).Distinct().ToList();

        Assert.Single(sizes);
    }

    [Fact]
    public void Query_StorageTrace_HasTheSameShapeForHitsMissesAndBadKeys()
    {
        var trace = new AccessTrace();
        using var enclave = _host.CreateView(capacity: 4096, trace: trace);
        var hits = Enumerable.Range(1, 10).Select(i => (byte)i).ToArray();
        Assert.True(enclave.AddRecords(hits.Select(k => Record(k, Payload(237, k))).ToList()).IsOk);
        using var channel = _host.ConnectView(enclave);

        List<(int, StorageAccessKind, int, int)> Shape(byte[][] keys)
        {
            var request = Request(channel, keys);
            trace.Clear();
            Assert.Equal(ViewQueryStatus.Ok, enclave.Query(request, Untrusted()).Status);
            return TraceShape.Of(trace);
        }

        var allHits = Shape(hits.Select(Key).ToArray());
        var allMisses = Shape(hits.Select(k => Key((byte)(k + 100))).ToArray());
        var mixed = Shape([.. hits.Take(5).Select(Key), .. hits.Skip(5).Select(k => Key((byte)(k + 100)))]);
        var badKeys = Shape([.. hits.Take(5).Select(_ => new byte[16]), .. hits.Skip(5).Select(_ => new byte[3])]);

        Assert.NotEmpty(allHits);
        Assert.Equal(allHits, allMisses);
        Assert.Equal(allHits, mixed);
        Assert.Equal(allHits, badKeys);
    }

    [Fact]
    public void Query_WithMoreKeysThanTheCap_IsRefused_AndTheSessionStillAnswers()
    {
        using var enclave = _host.CreateView(maxKeys: 4);
        using var channel = _host.ConnectView(enclave);

        var refused = enclave.Query(Request(channel, Enumerable.Range(1, 5).Select(i => Key((byte)i))), Untrusted());

        Assert.Equal(ViewQueryStatus.TooManySearchKeys, refused.Status);
        Assert.Null(refused.Response);
        Assert.Contains("at most 4", refused.Detail);
        var response = Open(channel, enclave.Query(Request(channel, Enumerable.Range(1, 4).Select(i => Key((byte)i))), Untrusted()));
        Assert.Equal(4, response.FixedTxOutSearchResults.Count);
    }

    [Fact]
    public void Query_GarbageCiphertext_IsAChannelError_AndTheSessionStillAnswers()
    {
        using var enclave = _host.CreateView();
        using var channel = _host.ConnectView(enclave);
        var good = Request(channel, [Key(1)]);
        var garbage = good.Clone();
        garbage.Data = ByteString.CopyFrom(Payload(good.Data.Length, 7));

        var refused = enclave.Query(garbage, Untrusted());

        Assert.Equal(ViewQueryStatus.ChannelError, refused.Status);
        Assert.NotNull(refused.ChannelError);
        Assert.Single(Open(channel, enclave.Query(good, Untrusted())).FixedTxOutSearchResults);
    }

    [Fact]
    public void Query_OnAnUnknownChannel_IsAChannelError()
    {
        using var enclave = _host.CreateView();
        using var other = _host.CreateView();
        using var channel = _host.ConnectView(other);

        var result = enclave.Query(Request(channel, [Key(1)]), Untrusted());

        Assert.Equal(ViewQueryStatus.ChannelError, result.Status);
        Assert.Equal(AttestErrorCode.UnknownChannel, result.ChannelError!.Code);
    }

    [Fact]
    public void Query_WhosePlaintextIsNotAQueryRequest_IsMalformed()
    {
        using var enclave = _host.CreateView();
        using var channel = _host.ConnectView(enclave);

        var result = enclave.Query(channel.Encrypt([0xFF, 0xFF, 0xFF]), Untrusted());

        Assert.Equal(ViewQueryStatus.MalformedRequest, result.Status);
    }

    [Fact]
    public void Query_WithNoKeys_ReturnsOnlyTheUntrustedPart()
    {
        using var enclave = _host.CreateView();
        using var channel = _host.ConnectView(enclave);

        var response = Open(channel, enclave.Query(Request(channel, []), Untrusted()));

        Assert.Equal(Untrusted(), response);
    }

    [Fact]
    public void AddRecords_MalformedBatch_StoresNothing()
    {
        using var enclave = _host.CreateView();
        var good = Record(1, Payload(10, 1));

        var wrongKey = enclave.AddRecords([good, new ViewRecord(new byte[15], Payload(10, 2))]);
        var zeroKey = enclave.AddRecords([good, new ViewRecord(new byte[16], Payload(10, 3))]);
        var tooLarge = enclave.AddRecords([good, Record(2, Payload(240, 4))]);

        Assert.Equal(new ViewAddRecordsResult(ViewAddRecordsStatus.KeyWrongSize, 0, 0, 1), wrongKey);
        Assert.Equal(new ViewAddRecordsResult(ViewAddRecordsStatus.KeyRejected, 0, 0, 1), zeroKey);
        Assert.Equal(new ViewAddRecordsResult(ViewAddRecordsStatus.ValueTooLarge, 0, 0, 1), tooLarge);
        Assert.Equal(0UL, enclave.RecordCount);
    }

    [Fact]
    public void AddRecords_SameKeyAgain_OverwritesTheValue()
    {
        using var enclave = _host.CreateView();
        Assert.Equal(new ViewAddRecordsResult(ViewAddRecordsStatus.Ok, 2, 0, -1), enclave.AddRecords([Record(1, Payload(100, 1)), Record(2, Payload(100, 2))]));
        var replacement = Payload(203, 9);

        var again = enclave.AddRecords([Record(1, replacement)]);

        Assert.Equal(new ViewAddRecordsResult(ViewAddRecordsStatus.Ok, 0, 1, -1), again);
        Assert.Equal(2UL, enclave.RecordCount);
        using var channel = _host.ConnectView(enclave);
        var found = Assert.Single(Open(channel, enclave.Query(Request(channel, [Key(1)]), Untrusted())).FixedTxOutSearchResults);
        Assert.Equal(replacement, found.Ciphertext.Span[..(int)found.PayloadLength].ToArray());
    }

    [Fact]
    public void AddRecords_BeyondCapacity_ReportsOverflow_AndKeepsWhatWasStored()
    {
        using var enclave = _host.CreateView(capacity: 16);
        var records = Enumerable.Range(1, 40).Select(i => new ViewRecord(Payload(16, 1000 + i), Payload(50, i))).ToList();

        var result = enclave.AddRecords(records);

        Assert.Equal(ViewAddRecordsStatus.MapOverflow, result.Status);
        Assert.InRange(result.FailedIndex, 1, 39);
        Assert.Equal((ulong)result.Added, enclave.RecordCount);
        using var channel = _host.ConnectView(enclave);
        var response = Open(channel, enclave.Query(Request(channel, records.Take(result.FailedIndex).Select(r => r.SearchKey.ToArray())), Untrusted()));
        Assert.All(response.FixedTxOutSearchResults, r => Assert.Equal((uint)TxOutSearchResultCode.Found, r.ResultCode));
    }

    [Fact]
    public void AddRecords_AcceptsTheReferenceRegressionRecord()
    {
        // FOG-267: a real 203-byte payload under a 16-byte key must be accepted.
        using var enclave = _host.CreateView(capacity: 1024);

        Assert.True(enclave.AddRecords([new ViewRecord(Payload(16, 267), Payload(203, 267))]).IsOk);
    }

    [Fact]
    public void Auth_WithTheWrongResponderId_FailsOnTheClient()
    {
        using var enclave = _host.CreateView();
        using var initiator = AttestedInitiator.StartClient("someone-else:5200");
        Assert.True(enclave.TryAccept(initiator.CreateRequest(), out var reply, out _));

        Assert.False(initiator.TryComplete(reply, new Fog.Attestation.Evidence.SimulatedEvidenceVerifier(_host.Policy(ViewEnclaveFactory.EnclaveName, Fog.Attestation.Evidence.EnclaveProductId.View)), out _, out var error));
        Assert.NotNull(error);
    }

    [Fact]
    public void Options_OutOfRange_AreRefusedWithTheirName()
    {
        Assert.Contains(nameof(ViewEnclaveOptions.Capacity), Assert.Throws<ArgumentException>(() => new ViewEnclaveOptions { Capacity = 0 }.Validate()).Message);
        Assert.Contains(nameof(ViewEnclaveOptions.MaxSearchKeysPerQuery), Assert.Throws<ArgumentException>(() => new ViewEnclaveOptions { MaxSearchKeysPerQuery = 0 }.Validate()).Message);
    }
}
