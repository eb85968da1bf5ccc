using Fog.Api.IngestCommon;
using Google.Protobuf;

namespace Fog.Services.Ingest;

/// <summary>
/// The ingest server's state file: <c>ingest_common.IngestStateFile { IngestSummary summary = 1; bytes
/// sealed_ingress_key = 2; }</c> (ingest.md §2.9). Written atomically (temporary file, flush to disk, rename), so a
/// crash leaves the old or the new state, never a torn one — unlike the reference, which rewrites in place.
/// </summary>
internal static class IngestStateFileStore
{
    /// <summary>What reading the file found.</summary>
    internal enum ReadOutcome
    {
        /// <summary>No state file: a fresh server.</summary>
        Missing,

        /// <summary>Read.</summary>
        Read,

        /// <summary>The file did not parse; it was moved aside to <c>.bak</c>.</summary>
        MovedAside,
    }

    /// <summary>Reads the file; an unreadable one is moved to <c>&lt;path&gt;.bak</c> so the server can start fresh (idle backups then receive the key from a peer).</summary>
    internal static ReadOutcome TryRead(string path, out IngestStateFile? state)
    {
        state = null;
        if (!File.Exists(path))
        {
            return ReadOutcome.Missing;
        }

        try
        {
            state = IngestStateFile.Parser.ParseFrom(File.ReadAllBytes(path));
            if (state.Summary is not null)
            {
                return ReadOutcome.Read;
            }
        }
        catch (InvalidProtocolBufferException)
        {
        }
        catch (IOException)
        {
        }

        state = null;
        MoveAside(path);
        return ReadOutcome.MovedAside;
    }

    /// <summary>Writes the state atomically and durably.</summary>
    internal static void Write(string path, IngestStateFile state)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var temporary = full + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temporary, options))
        {
            state.WriteTo(stream);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, full, overwrite: true);
    }

    /// <summary>Moves the file to <c>&lt;path&gt;.bak</c> (replacing an older backup).</summary>
    internal static string MoveAside(string path)
    {
        var backup = path + ".bak";
        File.Move(path, backup, overwrite: true);
        return backup;
    }
}
