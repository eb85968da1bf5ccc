using System.Text.Json;
using Fog.Testing;

namespace Fog.Cli.Tests;

/// <summary>Every key-tool command against the vectors, as a user would check them from a shell.</summary>
public class KeyToolVectorTests
{
    private static string Hex(JsonElement v, string name) => Convert.ToHexStringLower(v.Bytes(name));

    [Fact]
    public void Keys_from_entropy_prints_the_vector_keys()
    {
        foreach (var v in Vectors.JsonLines("mobilecoin/account_keys/acct_priv_keys_from_root_entropy.jsonl"))
        {
            var result = CliRunner.Run("keys", "from-entropy", Hex(v, "root_entropy"));
            Assert.Equal(0, result.ExitCode);
            Assert.Equal(Hex(v, "view_private_key"), result.Json.Str("view_private_key"));
            Assert.Equal(Hex(v, "spend_private_key"), result.Json.Str("spend_private_key"));
        }
    }

    [Fact]
    public void Keys_from_mnemonic_prints_the_vector_keys()
    {
        foreach (var v in Vectors.JsonLines("mobilecoin/account_keys/acct_priv_keys_from_bip39.jsonl"))
        {
            var result = CliRunner.Run("keys", "from-mnemonic", v.Str("mnemonic"), "--account-index", v.U64("account_index").ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(0, result.ExitCode);
            Assert.Equal(Hex(v, "view_private_key"), result.Json.Str("view_private_key"));
            Assert.Equal(Hex(v, "spend_private_key"), result.Json.Str("spend_private_key"));
        }
    }

    [Fact]
    public void Keys_subaddress_prints_the_vector_keys()
    {
        foreach (var v in Vectors.JsonLines("mobilecoin/account_keys/subaddr_keys_from_acct_priv_keys.jsonl"))
        {
            var result = CliRunner.Run("keys", "subaddress", "--view-private", Hex(v, "view_private_key"), "--spend-private", Hex(v, "spend_private_key"),
                "--index", v.U64("subaddress_index").ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(0, result.ExitCode);
            foreach (var field in new[] { "subaddress_view_private_key", "subaddress_spend_private_key", "subaddress_view_public_key", "subaddress_spend_public_key" })
            {
                Assert.Equal(Hex(v, field), result.Json.Str(field));
            }
        }
    }

    [Fact]
    public void Address_encode_and_decode_match_the_vectors_with_and_without_fog()
    {
        foreach (var v in Vectors.JsonLines("mobilecoin/b58_encodings/b58_encode_public_address_without_fog.jsonl"))
        {
            var encoded = CliRunner.Run("address", "encode", "--view-public", Hex(v, "view_public_key"), "--spend-public", Hex(v, "spend_public_key"));
            Assert.Equal(0, encoded.ExitCode);
            Assert.Equal(v.Str("b58_encoded"), encoded.Output.Trim());

            var decoded = CliRunner.Run("address", "decode", v.Str("b58_encoded"));
            Assert.Equal(Hex(v, "view_public_key"), decoded.Json.Str("view_public_key"));
            Assert.Equal("", decoded.Json.Str("fog_authority_sig"));
        }

        foreach (var v in Vectors.JsonLines("mobilecoin/b58_encodings/b58_encode_public_address_with_fog.jsonl"))
        {
            var encoded = CliRunner.Run("address", "encode", "--view-public", Hex(v, "view_public_key"), "--spend-public", Hex(v, "spend_public_key"),
                "--fog-report-url", v.Str("fog_report_url"), "--fog-report-id", v.Str("fog_report_id"), "--fog-authority-sig", Hex(v, "fog_authority_sig"));
            Assert.Equal(0, encoded.ExitCode);
            Assert.Equal(v.Str("b58_encoded"), encoded.Output.Trim());

            var decoded = CliRunner.Run("address", "decode", v.Str("b58_encoded"));
            Assert.Equal(v.Str("fog_report_url"), decoded.Json.Str("fog_report_url"));
            Assert.Equal(v.Str("fog_report_id"), decoded.Json.Str("fog_report_id"));
            Assert.Equal(Hex(v, "fog_authority_sig"), decoded.Json.Str("fog_authority_sig"));
            Assert.Equal(Hex(v, "spend_public_key"), decoded.Json.Str("spend_public_key"));
        }
    }

    [Fact]
    public void Address_from_entropy_computes_the_authority_signature()
    {
        var lines = Vectors.JsonLines("mobilecoin/b58_encodings/b58_encode_public_address_with_fog.jsonl");
        for (var n = 0; n < lines.Count; n++)
        {
            var entropy = Convert.ToHexStringLower(Enumerable.Repeat((byte)n, 32).ToArray());
            var result = CliRunner.Run("address", "from-entropy", entropy, "--fog-report-url", lines[n].Str("fog_report_url"));
            Assert.Equal(0, result.ExitCode);
            Assert.Equal(lines[n].Str("b58_encoded"), result.Output.Trim());
        }

        var withoutFog = Vectors.JsonLines("mobilecoin/b58_encodings/b58_encode_public_address_without_fog.jsonl");
        Assert.Equal(withoutFog[3].Str("b58_encoded"), CliRunner.Run("address", "from-entropy", Convert.ToHexStringLower(Enumerable.Repeat((byte)3, 32).ToArray())).Output.Trim());
    }

    [Fact]
    public void Record_decrypt_recovers_correct_records_and_exits_1_for_another_key()
    {
        foreach (var v in Vectors.JsonLines("mobilecoin/tx_out_records/correct_tx_out_records.jsonl"))
        {
            var result = CliRunner.Run("record", "decrypt", "--view-private", v.Str("recipient_view_private_key_hex_proto_bytes"), "--record", v.Str("tx_out_record_hex_proto_bytes"));
            Assert.Equal(0, result.ExitCode);
            var json = result.Json;
            Assert.Equal(10UL, json.GetProperty("value").GetUInt64());
            Assert.Equal(0UL, json.GetProperty("token_id").GetUInt64());
            Assert.Equal(1UL, json.GetProperty("block_index").GetUInt64());
            Assert.InRange(json.GetProperty("global_index").GetUInt64(), 100UL, 109UL);
            Assert.Equal(10UL, json.GetProperty("timestamp").GetUInt64());
            Assert.Equal(new string('0', 132), json.Str("memo"));
        }

        foreach (var v in Vectors.JsonLines("mobilecoin/tx_out_records/incorrect_tx_out_records.jsonl"))
        {
            var result = CliRunner.Run("record", "decrypt", "--view-private", v.Str("spurious_view_private_key_hex_proto_bytes"), "--record", v.Str("tx_out_record_hex_proto_bytes"));
            Assert.Equal(1, result.ExitCode);
            Assert.Equal("", result.Output);
            Assert.Single(result.Error.TrimEnd('\n').Split('\n'));
            Assert.Contains("does not belong", result.Error, StringComparison.Ordinal);
        }
    }
}
