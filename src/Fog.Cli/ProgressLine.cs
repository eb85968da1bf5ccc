using System.Diagnostics;

namespace Fog.Cli;

/// <summary>
/// Progress of long work on standard error: on a terminal one status line rewritten in place (and cleared at the end),
/// elsewhere (pipes, logs, tests) one line per step. Reports are written at once, in order (unlike
/// <see cref="Progress{T}"/>, which posts them to the thread pool).
/// </summary>
internal sealed class ProgressLine : IProgress<string>, IDisposable
{
    private readonly TextWriter _error;
    private readonly bool _inPlace;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Lock _lock = new();
    private int _shown;

    /// <summary>Progress to <paramref name="error"/>, in place when it is the console's standard error on a terminal.</summary>
    public ProgressLine(TextWriter error)
    {
        _error = error;
        _inPlace = ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected;
    }

    /// <inheritdoc />
    public void Report(string value)
    {
        var text = $"… [{_clock.Elapsed.TotalSeconds:F1} s] {value}";
        lock (_lock)
        {
            if (!_inPlace)
            {
                _error.WriteLine(text);
                return;
            }

            var width = Math.Max(Console.WindowWidth - 1, 20);
            text = text.Length > width ? text[..(width - 1)] + "…" : text;
            _error.Write('\r' + text.PadRight(_shown));
            _shown = text.Length;
        }
    }

    /// <summary>Clears the status line (on a terminal) so what follows is printed on a clean line.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            if (_inPlace && _shown > 0)
            {
                _error.Write('\r' + new string(' ', _shown) + '\r');
                _shown = 0;
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => Clear();

    /// <summary>Synchronous progress that writes each report as one line through <paramref name="write"/>.</summary>
    public static IProgress<string> Lines(Action<string> write) => new LineProgress(write);

    private sealed class LineProgress(Action<string> write) : IProgress<string>
    {
        public void Report(string value) => write(value);
    }
}
