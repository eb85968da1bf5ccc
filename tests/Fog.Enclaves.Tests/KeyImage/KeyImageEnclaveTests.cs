using Fog.Api.Attest;
using Fog.Api.External;
using Fog.Api.FogLedger;
using Fog.Attestation;
using Fog.Attestation.Channels;
using Fog.Enclaves.KeyImage;
using Fog.Enclaves.Tests.View;
using Fog.Oblivious.Storage;
using Google.Protobuf;

namespace Fog.Enclaves.Tests.KeyImage;

public sealed class KeyImageEnclaveTests : IDisposable
{
    private readonly EnclaveTestHost _host = new();

    public void Dispose() => _host.Dispose();

    private static byte[] Image(int seed)
    {
        var bytes = new byte[32];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static Message Request(AttestedChannel channel, IEnumerable<byte[]?> keyImages)
    {
        var request = new CheckKeyImagesRequest();
        request.Queries.AddRange(keyImages.Select(k => k is null ? new KeyImageQuery() : new KeyImageQuery { KeyImage = new Fog.Api.External.KeyImage { Data = ByteString.CopyFrom(k) }, StartBlock = 0 }));
        return channel.Encrypt(request.ToByteArray());
    }

    private static CheckKeyImagesResponse Open(AttestedChannel channel, KeyImageQueryResult result)
    {
        Assert.Equal(LedgerRequestStatus.Ok, result.Status);
        Assert.True(channel.TryDecrypt(result.Response!, out var plaintext, out var error), error?.ToString());
        return CheckKeyImagesResponse.Parser.ParseFrom(plaintext);
    }

    private static byte[] Reserved() => [0xFF, .. new byte[31]];

    private static CheckKeyImagesResponse Untrusted() => new() { NumBlocks = 4, GlobalTxoCount = 12, LatestBlockVersion = 4, MaxBlockVersion = 4 };

    private static IKeyImageEnclave Loaded(IKeyImageEnclave enclave, params (byte[] Image, ulong Block)[] spent)
    {
        Assert.True(enclave.AddKeyImages(spent.Select(s => new KeyImageRecord(s.Image, s.Block, 1_700_000_000 + s.Block)).ToList()).IsOk);
        return enclave;
    }

    [Fact]
    public void CheckKeyImages_ReportsSpentBlocksAndTimestamps_NotSpent_AndErrors_InRequestOrder()
    {
        byte[] k0 = Image(0), k1 = Image(1), k3 = Image(3), k7 = Image(7), k19 = Image(19);
        using var enclave = Loaded(_host.CreateKeyImage(), (k0, 1), (k1, 1), (k3, 2), (Image(4), 2), (k7, 3));
        using var channel = _host.ConnectLedger(enclave);
        byte[][] malformed = [Image(50)[..31], [0xFF, .. new byte[31]]];

        var response = Open(channel, enclave.CheckKeyImages(Request(channel, [k0, k1, k3, malformed[0], k7, k19, null, malformed[1]]), Untrusted()));

        Assert.Equal(4UL, response.NumBlocks);
        Assert.Equal(12UL, response.GlobalTxoCount);
        var expected = new (byte[] Image, uint Code, ulong SpentAt)[]
        {
            (k0, 1, 1), (k1, 1, 1), (k3, 1, 2), (malformed[0], 3, ulong.MaxValue), (k7, 1, 3), (k19, 2, ulong.MaxValue), ([], 3, ulong.MaxValue), (malformed[1], 3, ulong.MaxValue),
        };
        Assert.Equal(expected.Length, response.Results.Count);
        for (var i = 0; i < expected.Length; i++)
        {
            var result = response.Results[i];
            Assert.Equal(expected[i].Image, result.KeyImage.Data.ToByteArray());
            Assert.Equal(expected[i].Code, result.KeyImageResultCode);
            Assert.Equal(expected[i].SpentAt, result.SpentAt);
            Assert.Equal(expected[i].Code == 1 ? 1_700_000_000 + expected[i].SpentAt : ulong.MaxValue, result.Timestamp);
            Assert.Equal(1u, result.TimestampResultCode);
        }
    }

    [Fact]
    public void CheckKeyImages_AllZeroKeyImage_IsStorableAndFound()
    {
        using var enclave = Loaded(_host.CreateKeyImage(), (new byte[32], 5));
        using var channel = _host.ConnectLedger(enclave);

        var result = Assert.Single(Open(channel, enclave.CheckKeyImages(Request(channel, [new byte[32]]), Untrusted())).Results);

        Assert.Equal(1u, result.KeyImageResultCode);
        Assert.Equal(5UL, result.SpentAt);
    }

    [Fact]
    public void CheckKeyImages_EncryptedResponseLength_IsTheSameWhateverTheAnswers()
    {
        var spent = Enumerable.Range(0, 6).Select(Image).ToArray();
        using var enclave = Loaded(_host.CreateKeyImage(), spent.Select(s => (s, 1UL)).ToArray());
        using var channel = _host.ConnectLedger(enclave);

        int Length(IEnumerable<byte[]?> images) => enclave.CheckKeyImages(Request(channel, images), Untrusted()).Response!.Data.Length;

        var allSpent = Length(spent);
        var noneSpent = Length(Enumerable.Range(100, 6).Select(Image));
        var mixed = Length([spent[0], Image(200), spent[2], Image(201), spent[4], Image(202)]);
        var errors = Length([[0xFF, .. new byte[31]], .. spent.Skip(1)]);

        Assert.Equal(allSpent, noneSpent);
        Assert.Equal(allSpent, mixed);
        Assert.Equal(allSpent, errors);
    }

    [Fact]
    public void CheckKeyImages_StorageTrace_HasTheSameShapeWhateverTheAnswers()
    {
        var trace = new AccessTrace();
        var spent = Enumerable.Range(0, 8).Select(Image).ToArray();
        using var enclave = Loaded(_host.CreateKeyImage(capacity: 4096, trace: trace), spent.Select(s => (s, 2UL)).ToArray());
        using var channel = _host.ConnectLedger(enclave);

        List<(int, StorageAccessKind, int, int)> Shape(IEnumerable<byte[]?> images)
        {
            var request = Request(channel, images);
            trace.Clear();
            Assert.Equal(LedgerRequestStatus.Ok, enclave.CheckKeyImages(request, Untrusted()).Status);
            return TraceShape.Of(trace);
        }

        var allSpent = Shape(spent);
        var noneSpent = Shape(Enumerable.Range(100, 8).Select(Image));
        var malformed = Shape([.. spent.Take(4), [0xFF, .. new byte[31]], Image(9)[..5], null, Image(300)]);

        Assert.NotEmpty(allSpent);
        Assert.Equal(allSpent, noneSpent);
        Assert.Equal(allSpent, malformed);
    }

    [Fact]
    public void CheckKeyImages_MoreThanTheCap_IsRefused_AndTheSessionStillAnswers()
    {
        using var enclave = _host.CreateKeyImage(maxKeyImages: 3);
        using var channel = _host.ConnectLedger(enclave);

        var refused = enclave.CheckKeyImages(Request(channel, Enumerable.Range(0, 4).Select(Image)), Untrusted());

        Assert.Equal(LedgerRequestStatus.TooManyItems, refused.Status);
        Assert.Contains("at most 3", refused.Detail);
        Assert.Equal(3, Open(channel, enclave.CheckKeyImages(Request(channel, Enumerable.Range(0, 3).Select(Image)), Untrusted())).Results.Count);
    }

    [Fact]
    public void CheckKeyImages_GarbageCiphertext_IsAChannelError_AndTheSessionStillAnswers()
    {
        using var enclave = _host.CreateKeyImage();
        using var channel = _host.ConnectLedger(enclave);
        var good = Request(channel, [Image(1)]);
        var garbage = good.Clone();
        garbage.Data = ByteString.CopyFrom(Image(2));

        Assert.Equal(LedgerRequestStatus.ChannelError, enclave.CheckKeyImages(garbage, Untrusted()).Status);
        Assert.Single(Open(channel, enclave.CheckKeyImages(good, Untrusted())).Results);
    }

    [Fact]
    public void CheckKeyImages_WhosePlaintextIsNotARequest_IsMalformed()
    {
        using var enclave = _host.CreateKeyImage();
        using var channel = _host.ConnectLedger(enclave);

        Assert.Equal(LedgerRequestStatus.MalformedRequest, enclave.CheckKeyImages(channel.Encrypt([0x0A, 0x05]), Untrusted()).Status);
    }

    [Fact]
    public void AddKeyImages_SkipsKeyImagesThatCannotBeStored_AndOverwritesRepeats()
    {
        using var enclave = _host.CreateKeyImage();

        var first = enclave.AddKeyImages([new(Image(1), 1, 10), new(Image(2)[..31], 1, 10), new(Reserved(), 1, 10)]);
        var again = enclave.AddKeyImages([new(Image(1), 7, 70)]);

        Assert.Equal(new KeyImageAddResult(KeyImageAddStatus.Ok, 1, 0, 2, -1), first);
        Assert.Equal(new KeyImageAddResult(KeyImageAddStatus.Ok, 0, 1, 0, -1), again);
        Assert.Equal(1UL, enclave.KeyImageCount);
        using var channel = _host.ConnectLedger(enclave);
        var result = Assert.Single(Open(channel, enclave.CheckKeyImages(Request(channel, [Image(1)]), Untrusted())).Results);
        Assert.Equal((7UL, 70UL), (result.SpentAt, result.Timestamp));
    }

    [Fact]
    public void AddKeyImages_BeyondCapacity_ReportsOverflow()
    {
        using var enclave = _host.CreateKeyImage(capacity: 64);

        var result = enclave.AddKeyImages(Enumerable.Range(0, 200).Select(i => new KeyImageRecord(Image(i), 1, 1)).ToList());

        Assert.Equal(KeyImageAddStatus.MapOverflow, result.Status);
        Assert.Equal((ulong)result.Added, enclave.KeyImageCount);
    }

    [Fact]
    public void Outputs_RequestAndResponse_RoundTripOnTheAttestedChannel()
    {
        using var enclave = _host.CreateKeyImage();
        using var channel = _host.ConnectLedger(enclave);
        var request = new GetOutputsRequest { Indices = { 3, 1, 4 }, MerkleRootBlock = 9 };
        var message = channel.Encrypt(request.ToByteArray(), [1, 2]);

        var opened = enclave.OpenOutputsRequest(message);
        Assert.Equal(LedgerRequestStatus.Ok, opened.Status);
        Assert.Equal(request, opened.Request);
        var response = new GetOutputsResponse { NumBlocks = 5, GlobalTxoCount = 11, Results = { new OutputResult { Index = 3, ResultCode = 2, Output = new TxOut(), Proof = new TxOutMembershipProof() } } };
        Assert.True(enclave.TrySealOutputsResponse(message, response, out var sealedResponse, out _));

        Assert.Equal(new byte[] { 1, 2 }, sealedResponse.Aad.ToByteArray());
        Assert.True(channel.TryDecrypt(sealedResponse, out var plaintext, out _));
        Assert.Equal(response, GetOutputsResponse.Parser.ParseFrom(plaintext));
    }

    [Fact]
    public void Outputs_GarbageAndMalformedRequests_AreRefused()
    {
        using var enclave = _host.CreateKeyImage();
        using var channel = _host.ConnectLedger(enclave);
        var good = channel.Encrypt(new GetOutputsRequest { Indices = { 1 } }.ToByteArray());
        var garbage = good.Clone();
        garbage.ChannelId = ByteString.CopyFrom(new byte[64]);

        Assert.Equal(AttestErrorCode.UnknownChannel, enclave.OpenOutputsRequest(garbage).ChannelError!.Code);
        Assert.Equal(LedgerRequestStatus.Ok, enclave.OpenOutputsRequest(good).Status);
        Assert.Equal(LedgerRequestStatus.MalformedRequest, enclave.OpenOutputsRequest(channel.Encrypt([0x0A, 0x09, 0x01])).Status);
    }

    [Fact]
    public void Evidence_NamesTheLedgerProduct()
    {
        using var enclave = _host.CreateKeyImage();

        Assert.Equal(Fog.Attestation.Evidence.EnclaveProductId.Ledger, enclave.Identity.ProductId);
        Assert.True(enclave.IsSimulation);
    }
}
