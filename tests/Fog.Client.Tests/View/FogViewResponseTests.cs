using Fog.Api.FogView;
using Fog.Client.Balance;
using Fog.Client.View;
using Fog.Crypto.Box;
using Fog.Crypto.Ristretto;
using Fog.Model.Keys;
using Fog.Testing.Ledger;
using Google.Protobuf;
using TxOutRecord = Fog.Model.FogData.TxOutRecord;

namespace Fog.Client.Tests.View;

/// <summary>How the view client reads a decrypted response: results must answer the request, in order.</summary>
public sealed class FogViewResponseTests
{
    private static readonly byte[] KeyA = Enumerable.Repeat((byte)1, 16).ToArray();
    private static readonly byte[] KeyB = Enumerable.Repeat((byte)2, 16).ToArray();

    private static FixedTxOutSearchResult Fixed(byte[] key, TxOutSearchResultCode code, byte[] payload) => new()
    {
        SearchKey = ByteString.CopyFrom(key),
        ResultCode = (uint)code,
        Ciphertext = ByteString.CopyFrom([.. payload, .. new byte[255 - payload.Length]]),
        PayloadLength = (uint)payload.Length,
    };

    private static QueryResponse Response(params FixedTxOutSearchResult[] results)
    {
        var response = new QueryResponse
        {
            HighestProcessedBlockCount = 6,
            HighestProcessedBlockSignatureTimestamp = 99,
            NextStartFromUserEventId = 4,
            LastKnownBlockCount = 7,
            LastKnownBlockCumulativeTxoCount = 20,
            MissedBlockRanges = { new Fog.Api.FogCommon.BlockRange { StartBlock = 3, EndBlock = 4 } },
            Rngs = { new RngRecord { IngestInvocationId = 2, StartBlock = 2, Pubkey = new Fog.Api.KexRng.KexRngPubkey { Pubkey = ByteString.CopyFrom(new byte[32]) } } },
            DecommissionedIngestInvocations = { new DecommissionedIngestInvocation { IngestInvocationId = 1, LastIngestedBlock = 1 } },
        };
        response.FixedTxOutSearchResults.AddRange(results);
        return response;
    }

    [Fact]
    public void From_MapsTheResultsAndTheUntrustedPart()
    {
        var payload = new byte[] { 5, 6, 7 };

        var mapped = FogViewResponse.From(Response(Fixed(KeyA, TxOutSearchResultCode.Found, payload), Fixed(KeyB, TxOutSearchResultCode.NotFound, [])), [KeyA, KeyB]);

        Assert.Equal((6UL, 99UL, 4L, 7UL, 20UL), (mapped.HighestProcessedBlockCount, mapped.HighestProcessedBlockSignatureTimestamp, mapped.NextStartFromUserEventId, mapped.LastKnownBlockCount, mapped.LastKnownBlockCumulativeTxoCount));
        Assert.Equal([new BlockSpan(3, 4)], mapped.MissedBlockRanges);
        Assert.Equal([new DecommissionedInvocation(1, 1)], mapped.Decommissioned);
        Assert.Equal(2, Assert.Single(mapped.RngRecords).IngestInvocationId);
        Assert.Equal(payload, mapped.Results[0].Ciphertext);
        Assert.True(mapped.Results[0].IsFound);
        Assert.Empty(mapped.Results[1].Ciphertext);
    }

    [Fact]
    public void From_RejectsAMissingResult()
    {
        var error = Assert.Throws<InvalidDataException>(() => FogViewResponse.From(Response(Fixed(KeyA, TxOutSearchResultCode.NotFound, [])), [KeyA, KeyB]));

        Assert.Contains("1 results for 2 search keys", error.Message);
    }

    [Fact]
    public void From_RejectsResultsOutOfOrder()
    {
        Assert.Throws<InvalidDataException>(() => FogViewResponse.From(Response(Fixed(KeyB, TxOutSearchResultCode.NotFound, []), Fixed(KeyA, TxOutSearchResultCode.NotFound, [])), [KeyA, KeyB]));
    }

    [Fact]
    public void From_RejectsAPayloadLengthBeyondTheCiphertext_AndUnknownCodes()
    {
        var tooLong = Fixed(KeyA, TxOutSearchResultCode.Found, [1]);
        tooLong.PayloadLength = 256;
        var unknown = Fixed(KeyA, TxOutSearchResultCode.Found, [1]);
        unknown.ResultCode = 0;

        Assert.Throws<InvalidDataException>(() => FogViewResponse.From(Response(tooLong), [KeyA]));
        Assert.Throws<InvalidDataException>(() => FogViewResponse.From(Response(unknown), [KeyA]));
    }

    [Fact]
    public void From_ReadsTheLegacyResultsWhenTheFixedOnesAreAbsent()
    {
        var response = Response();
        response.TxOutSearchResults.Add(new TxOutSearchResult { SearchKey = ByteString.CopyFrom(KeyA), ResultCode = 1, Ciphertext = ByteString.CopyFrom(9, 9), Padding = ByteString.CopyFrom(new byte[253]) });

        Assert.Equal([9, 9], Assert.Single(FogViewResponse.From(response, [KeyA]).Results).Ciphertext);
    }

    [Fact]
    public void TryOpenRecord_OpensWithTheDefaultSubaddressViewKeyOnly()
    {
        using var account = AccountKey.FromRootEntropy(Enumerable.Repeat((byte)3, 32).ToArray());
        using var other = AccountKey.FromRootEntropy(Enumerable.Repeat((byte)4, 32).ToArray());
        var record = TxOutRecord.FromTxOut(LedgerFixtures.RandomOutput(), 12, 3, 1_700_000_003);
        var found = new FogViewSearchResult(KeyA, TxOutSearchResultCode.Found, VersionedCryptoBox.Encrypt(account.DefaultSubaddress.ViewPublicKey, record.ToProtobuf()));
        using var c0 = account.DefaultSubaddressViewPrivate();
        using var otherC0 = other.DefaultSubaddressViewPrivate();
        using var random = RistrettoPrivate.Generate();

        Assert.True(found.TryOpenRecord(c0, out var opened));
        Assert.Equal(record.ToProtobuf(), opened.ToProtobuf());
        Assert.False(found.TryOpenRecord(otherC0, out _));
        Assert.False(found.TryOpenRecord(account.ViewPrivateKey, out _));
        Assert.False(new FogViewSearchResult(KeyA, TxOutSearchResultCode.NotFound, []).TryOpenRecord(random, out _));
    }
}
