using System.CommandLine;
using Fog.Model.FogData;

namespace Fog.Cli.Commands;

/// <summary><c>fog record …</c>: fog TxOutRecords.</summary>
internal static class RecordCommands
{
    internal static Command Build()
    {
        var record = new Command("record", "Work with fog TxOutRecords.");
        record.Subcommands.Add(Decrypt());
        return record;
    }

    private static Command Decrypt()
    {
        var view = new Option<string>("--view-private") { Description = "The account's root view private key, hex (32 bytes, or the 34-byte protobuf form).", Required = true };
        var recordHex = new Option<string>("--record") { Description = "A fog_view.TxOutRecord protobuf, hex.", Required = true };
        var command = new Command("decrypt", "Recover the amount and indices of a TxOutRecord with the root view key. Exits 1 if the record is not for this key.") { view, recordHex };
        command.SetAction(parse =>
        {
            using var key = CliInput.PrivateKey("--view-private", parse.GetValue(view));
            if (!TxOutRecord.TryParseProtobuf(CliInput.Hex("--record", parse.GetValue(recordHex)), out var record))
            {
                throw CliException.BadArgument("--record", "not a valid TxOutRecord protobuf");
            }

            switch (record.TryRecover(key, out var txOut, out var amount))
            {
                case TxOutRecordError.Malformed:
                    throw CliException.BadArgument("--record", "the record has a field of the wrong length or an invalid key");
                case TxOutRecordError.ChecksumMismatch:
                    throw new CliException("the record does not belong to this view key (commitment checksum mismatch)", FogCommand.Failure);
            }

            var memo = txOut!.DecryptMemo(key);
            CliOutput.Json(parse.InvocationConfiguration.Output, json =>
            {
                json.WriteNumber("value", amount.Value);
                json.WriteNumber("token_id", amount.TokenId);
                json.WriteNumber("block_index", record.BlockIndex);
                json.WriteNumber("global_index", record.GlobalIndex);
                json.WriteNumber("timestamp", record.Timestamp);
                json.WriteHex("memo", memo is null ? [] : memo.Bytes);
            });
        });
        return command;
    }
}
