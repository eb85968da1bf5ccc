using System.Text.Encodings.Web;
using System.Text.Json;

namespace Fog.Cli;

/// <summary>Writes JSON results: one object, indented, lowercase hex for bytes.</summary>
internal static class CliOutput
{
    private static readonly JsonWriterOptions Options = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes one JSON object built by <paramref name="write"/>, followed by a newline.</summary>
    internal static void Json(TextWriter output, Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    /// <summary>A bytes field as lowercase hex.</summary>
    internal static void WriteHex(this Utf8JsonWriter writer, string name, ReadOnlySpan<byte> bytes) =>
        writer.WriteString(name, Convert.ToHexStringLower(bytes));

    /// <summary>A picoMOB value in MOB, without trailing zeros ("2.5 MOB").</summary>
    internal static string Mob(ulong picoMob) =>
        $"{(picoMob / CliInput.PicoMobPerMob).ToString(System.Globalization.CultureInfo.InvariantCulture)}.{(picoMob % CliInput.PicoMobPerMob).ToString("D12", System.Globalization.CultureInfo.InvariantCulture).TrimEnd('0').PadRight(1, '0')} MOB";
}
