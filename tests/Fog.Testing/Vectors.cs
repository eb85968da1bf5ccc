using System.Text.Json;
using Xunit;

namespace Fog.Testing;

/// <summary>
/// Locates the shared test vectors: <c>$FOG_VECTORS</c>, else <c>../shared/vectors</c> beside the
/// repository root. A missing folder fails the test loudly; vectors are never copied into the repository.
/// </summary>
public static class Vectors
{
    private static readonly Lazy<string> RootPath = new(Locate);

    /// <summary>The absolute path of the vectors folder.</summary>
    public static string Root => RootPath.Value;

    /// <summary>The absolute path of a file below the vectors folder, which must exist.</summary>
    public static string PathOf(string relativePath)
    {
        var path = Path.Combine(Root, relativePath);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Test vector file '{relativePath}' is missing under {Root}.", path);
        }

        return path;
    }

    /// <summary>Every line of a JSON-lines vector file, parsed; line numbers are 0-based.</summary>
    public static IReadOnlyList<JsonElement> JsonLines(string relativePath) =>
        File.ReadLines(PathOf(relativePath))
            .Where(line => line.Length > 0)
            .Select(line => JsonDocument.Parse(line).RootElement.Clone())
            .ToList();

    /// <summary>A whole JSON vector file, parsed.</summary>
    public static JsonElement Json(string relativePath) =>
        JsonDocument.Parse(File.ReadAllText(PathOf(relativePath))).RootElement.Clone();

    /// <summary>Theory data: one row per line of a JSON-lines file, carrying the line number.</summary>
    public static TheoryData<int> LineNumbers(string relativePath)
    {
        var data = new TheoryData<int>();
        var count = JsonLines(relativePath).Count;
        for (var i = 0; i < count; i++)
        {
            data.Add(i);
        }

        return data;
    }

    private static string Locate()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("FOG_VECTORS");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            if (!Directory.Exists(fromEnvironment))
            {
                throw new DirectoryNotFoundException($"FOG_VECTORS points at '{fromEnvironment}', which does not exist.");
            }

            return Path.GetFullPath(fromEnvironment);
        }

        // Walk up from the test binary to the repository root (the folder holding Fog.slnx).
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Fog.slnx")))
            {
                var candidate = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "vectors"));
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }

                throw new DirectoryNotFoundException(
                    $"Test vectors not found at {candidate}. Put the shared folder beside the repository or set FOG_VECTORS.");
            }
        }

        throw new DirectoryNotFoundException("Cannot find the repository root (Fog.slnx) above " + AppContext.BaseDirectory + "; set FOG_VECTORS.");
    }
}
