using Fog.Api.Attest;
using Fog.Api.Blockchain;
using Fog.Api.ConsensusClient;
using Fog.Api.External;
using Fog.Api.FogLedger;
using Fog.Api.FogView;
using Fog.Testing;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Fog.Api.Tests;

public sealed class WireFormatTests
{
    public static TheoryData<string, int> TxOutRecordLines()
    {
        var data = new TheoryData<string, int>();
        foreach (var file in new[] { "mobilecoin/tx_out_records/correct_tx_out_records.jsonl", "mobilecoin/tx_out_records/incorrect_tx_out_records.jsonl" })
        {
            for (var i = 0; i < Vectors.JsonLines(file).Count; i++)
            {
                data.Add(file, i);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(TxOutRecordLines))]
    public void TxOutRecord_vectors_reencode_byte_for_byte(string file, int line)
    {
        var vector = Vectors.JsonLines(file)[line];
        var bytes = vector.Bytes("tx_out_record_hex_proto_bytes");
        var record = TxOutRecord.Parser.ParseFrom(bytes);
        Assert.Equal(Convert.ToHexStringLower(bytes), Convert.ToHexStringLower(record.ToByteArray()));
        Assert.Equal(32, record.TxOutPublicKeyData.Length);

        var keyField = file.Contains("incorrect", StringComparison.Ordinal) ? "spurious_view_private_key_hex_proto_bytes" : "recipient_view_private_key_hex_proto_bytes";
        var viewKey = RistrettoPrivate.Parser.ParseFrom(vector.Bytes(keyField));
        Assert.Equal(32, viewKey.Data.Length);
    }

    [Fact]
    public void TxOutRecord_emits_fields_two_to_six_even_when_zero_like_the_references_required_fields()
    {
        var zero = new TxOutRecord
        {
            TxOutAmountMaskedValue = 0,
            TxOutTargetKeyData = ByteString.Empty,
            TxOutPublicKeyData = ByteString.Empty,
            TxOutGlobalIndex = 0,
            BlockIndex = 0,
        };

        // tag 2 fixed64 (0x11), tag 3 bytes (0x1a 00), tag 4 bytes (0x22 00), tag 5 fixed64 (0x29), tag 6 fixed64 (0x31).
        Assert.Equal(
            "11" + "0000000000000000" + "1a00" + "2200" + "29" + "0000000000000000" + "31" + "0000000000000000",
            Convert.ToHexStringLower(zero.ToByteArray()));

        // The encoded length does not depend on the values of those fields.
        var nonZero = zero.Clone();
        nonZero.TxOutGlobalIndex = ulong.MaxValue;
        nonZero.BlockIndex = 12345;
        Assert.Equal(zero.CalculateSize(), nonZero.CalculateSize());
    }

    [Fact]
    public void Found_and_not_found_search_results_have_the_same_encoded_length()
    {
        FixedTxOutSearchResult Result(uint code, uint length) => new()
        {
            SearchKey = ByteString.CopyFrom(new byte[16]),
            ResultCode = code,
            Ciphertext = ByteString.CopyFrom(new byte[255]),
            PayloadLength = length,
        };

        Assert.Equal(Result((uint)TxOutSearchResultCode.Found, 237).CalculateSize(), Result((uint)TxOutSearchResultCode.NotFound, 0).CalculateSize());

        TxOutSearchResult Legacy(uint code, int payload) => new()
        {
            SearchKey = ByteString.CopyFrom(new byte[16]),
            ResultCode = code,
            Ciphertext = ByteString.CopyFrom(new byte[payload]),
            Padding = ByteString.CopyFrom(new byte[255 - payload]),
        };

        Assert.Equal(Legacy((uint)TxOutSearchResultCode.Found, 237).CalculateSize(), Legacy((uint)TxOutSearchResultCode.NotFound, 0).CalculateSize());

        KeyImageResult KeyImage(ulong spentAt, uint code) => new()
        {
            KeyImage = new KeyImage { Data = ByteString.CopyFrom(new byte[32]) },
            SpentAt = spentAt,
            Timestamp = ulong.MaxValue,
            TimestampResultCode = 1,
            KeyImageResultCode = code,
        };

        Assert.Equal(KeyImage(0, (uint)KeyImageResultCode.NotSpent).CalculateSize(), KeyImage(77, (uint)KeyImageResultCode.Spent).CalculateSize());
    }

    [Fact]
    public void A_view_private_key_is_field_one_of_thirty_two_bytes()
    {
        var key = new RistrettoPrivate { Data = ByteString.CopyFrom(new byte[32]) };
        Assert.StartsWith("0a20", Convert.ToHexStringLower(key.ToByteArray()));
    }

    public static TheoryData<string, string> ServiceMethods() => new()
    {
        { "attest.AttestedApi", "Auth" },
        { "fog_view.FogViewAPI", "Auth,Query" },
        { "fog_view.FogViewRouterAPI", "request" },
        { "fog_view.FogViewRouterAdminAPI", "addShard" },
        { "fog_view.FogViewStoreAPI", "Auth,MultiViewStoreQuery" },
        { "fog_ledger.LedgerAPI", "Request" },
        { "fog_ledger.FogKeyImageAPI", "Auth,CheckKeyImages" },
        { "fog_ledger.FogMerkleProofAPI", "Auth,GetOutputs" },
        { "fog_ledger.KeyImageStoreAPI", "Auth,MultiKeyImageStoreQuery" },
        { "fog_ledger.FogBlockAPI", "GetBlocks" },
        { "fog_ledger.FogUntrustedTxOutApi", "GetTxOuts" },
        { "fog_ledger.LedgerRouterAdminAPI", "AddShard" },
        { "report.ReportAPI", "GetReports" },
        { "account_ingest.AccountIngestAPI", "GetStatus,NewKeys,SetPubkeyExpiryWindow,SetPeers,Activate,Retire,Unretire,ReportLostIngressKey,GetMissedBlockRanges,SyncKeysFromRemote,GetIngressKeyRecords" },
        { "ingest_peer.AccountIngestPeerAPI", "GetStatus,GetIngressPrivateKey,SetIngressPrivateKey,SetPeers" },
        { "consensus_common.BlockchainAPI", "GetLastBlockInfo,GetBlocks" },
        { "consensus_client.ConsensusClientAPI", "ClientTxPropose,ProposeMintConfigTx,ProposeMintTx,GetNodeConfig" },
    };

    [Theory]
    [MemberData(nameof(ServiceMethods))]
    public void Services_have_the_references_names_and_methods(string service, string methods)
    {
        var descriptor = AllFiles().SelectMany(f => f.Services).Single(s => s.FullName == service);
        Assert.Equal(methods.Split(','), descriptor.Methods.Select(m => m.Name));
    }

    public static TheoryData<string, string, int, string> Fields() => new()
    {
        // A sample of the tables whose types matter for the wire (fixed vs varint).
        { "attest.NonceMessage", "nonce", 4, "Fixed64" },
        { "external.MaskedAmount", "masked_value", 2, "Fixed64" },
        { "external.TxOut", "masked_amount_v2", 6, "Message" },
        { "external.Ed25519SignerSet", "threshold", 2, "UInt32" },
        { "external.RootIdentity", "fog_authority_spki", 5, "Bytes" },
        { "external.TxPrefix", "fee_token_id", 5, "Fixed64" },
        { "fog_ledger.OutputResult", "result_code", 2, "Fixed32" },
        { "fog_ledger.KeyImageResult", "spent_at", 2, "Fixed64" },
        { "fog_ledger.KeyImageResult", "key_image_result_code", 5, "Fixed32" },
        { "fog_ledger.TxOutResult", "result_code", 2, "Enum" },
        { "fog_ledger.BlockData", "timestamp_result_code", 5, "UInt32" },
        { "fog_ledger.GetOutputsRequest", "indices", 1, "Fixed64" },
        { "fog_view.TxOutRecord", "tx_out_amount_commitment_data_crc32", 8, "Fixed32" },
        { "fog_view.TxOutRecord", "tx_out_amount_masked_v2_token_id", 11, "Bytes" },
        { "fog_view.QueryRequestAAD", "start_from_user_event_id", 1, "Int64" },
        { "fog_view.QueryResponse", "fixed_tx_out_search_results", 10, "Message" },
        { "fog_view.MultiViewStoreQueryResponse", "block_range", 4, "Message" },
        { "report.Report", "pubkey_expiry", 3, "Fixed64" },
        { "report.Report", "dcap_evidence", 4, "Message" },
        { "ingest_common.IngestSummary", "ingest_invocation_id", 8, "Int64" },
        { "kex_rng.KexRngPubkey", "version", 2, "UInt32" },
        { "blockchain.BlockMetadataContents", "dcap_evidence", 5, "Message" },
        { "blockchain.BlockSignature", "signed_at", 3, "UInt64" },
        { "consensus_common.ProposeTxResponse", "err_msg", 4, "String" },
    };

    [Theory]
    [MemberData(nameof(Fields))]
    public void Fields_have_the_references_numbers_and_types(string message, string field, int number, string type)
    {
        var descriptor = AllFiles().SelectMany(Messages).Single(m => m.FullName == message).FindFieldByName(field);
        Assert.NotNull(descriptor);
        Assert.Equal(number, descriptor.FieldNumber);
        Assert.Equal(type, descriptor.FieldType.ToString());
    }

    [Fact]
    public void Fog_additions_use_Fog_names_and_field_1001_beside_reference_fields()
    {
        Assert.Equal(1001, Fog.Api.Report.Report.Descriptor.FindFieldByName("fog_simulated_evidence").FieldNumber);
        Assert.Equal(1001, BlockMetadataContents.Descriptor.FindFieldByName("fog_simulated_evidence").FieldNumber);
        Assert.Equal(1001, FogEvidenceEnvelope.Descriptor.FindFieldByName("fog_simulated_evidence").FieldNumber);
        Assert.All(FogAttestReflection.Descriptor.MessageTypes, m => Assert.StartsWith("Fog", m.Name));
        Assert.DoesNotContain(AttestReflection.Descriptor.MessageTypes, m => m.Name.StartsWith("Fog", StringComparison.Ordinal));
    }

    [Fact]
    public void Consensus_propose_result_codes_match_the_reference()
    {
        Assert.Equal(17, (int)ConsensusCommon.ProposeTxResult.InsufficientRingSize);
        Assert.Equal(27, (int)ConsensusCommon.ProposeTxResult.ContainsSpentKeyImage);
        Assert.Equal(55, (int)ConsensusCommon.ProposeTxResult.FeeMapDigestMismatch);
        Assert.Equal(13, (int)MintValidationResultCode.MintingToFogNotSupported);
    }

    private static IEnumerable<FileDescriptor> AllFiles() =>
    [
        AttestReflection.Descriptor, FogAttestReflection.Descriptor, ExternalReflection.Descriptor, BlockchainReflection.Descriptor,
        FogCommon.FogCommonReflection.Descriptor, KexRng.KexRngReflection.Descriptor, IngestCommon.IngestCommonReflection.Descriptor,
        AccountIngest.IngestReflection.Descriptor, IngestPeer.IngestPeerReflection.Descriptor, ViewReflection.Descriptor,
        LedgerReflection.Descriptor, Fog.Api.Report.ReportReflection.Descriptor, ConsensusCommon.ConsensusCommonReflection.Descriptor,
        ConsensusClientReflection.Descriptor, ConsensusConfig.ConsensusConfigReflection.Descriptor,
    ];

    private static IEnumerable<MessageDescriptor> Messages(FileDescriptor file) => file.MessageTypes.SelectMany(Nested);

    private static IEnumerable<MessageDescriptor> Nested(MessageDescriptor message) => [message, .. message.NestedTypes.SelectMany(Nested)];
}
