using System.Text.Json;

namespace Fog.Testing;

/// <summary>Readers for the vector files' field encodings.</summary>
public static class JsonExtensions
{
    /// <summary>A field holding bytes, either as a JSON array of numbers or as a hex string.</summary>
    public static byte[] Bytes(this JsonElement element, string name)
    {
        var field = element.GetProperty(name);
        return field.ValueKind switch
        {
            JsonValueKind.Array => field.EnumerateArray().Select(e => e.GetByte()).ToArray(),
            JsonValueKind.String => Convert.FromHexString(field.GetString()!),
            _ => throw new InvalidDataException($"Field '{name}' is neither a byte array nor a hex string."),
        };
    }

    /// <summary>A string field.</summary>
    public static string Str(this JsonElement element, string name) => element.GetProperty(name).GetString()!;

    /// <summary>An unsigned integer field.</summary>
    public static ulong U64(this JsonElement element, string name) => element.GetProperty(name).GetUInt64();
}
