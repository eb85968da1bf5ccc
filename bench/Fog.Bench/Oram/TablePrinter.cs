namespace Fog.Bench.Oram;

/// <summary>Prints left/right-aligned text tables to a <see cref="TextWriter"/>.</summary>
public sealed class TablePrinter
{
    private readonly string[] _headers;
    private readonly bool[] _rightAligned;
    private readonly List<string[]> _rows = [];

    /// <summary>Creates a table; headers starting with '>' are right-aligned (the '>' is dropped).</summary>
    /// <param name="headers">Column headers.</param>
    public TablePrinter(params string[] headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        _rightAligned = headers.Select(h => h.StartsWith('>')).ToArray();
        _headers = headers.Select(h => h.TrimStart('>')).ToArray();
    }

    /// <summary>Adds a row (missing cells print empty).</summary>
    /// <param name="cells">Cell texts.</param>
    public void Add(params string[] cells) => _rows.Add(cells);

    /// <summary>Writes the table.</summary>
    /// <param name="output">Destination.</param>
    public void WriteTo(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var widths = _headers.Select((h, i) => Math.Max(h.Length, _rows.Select(r => i < r.Length ? r[i].Length : 0).DefaultIfEmpty(0).Max())).ToArray();
        WriteRow(output, _headers, widths);
        output.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in _rows)
        {
            WriteRow(output, row, widths);
        }
    }

    private void WriteRow(TextWriter output, string[] cells, int[] widths)
    {
        var parts = new string[widths.Length];
        for (var i = 0; i < widths.Length; i++)
        {
            var cell = i < cells.Length ? cells[i] : string.Empty;
            parts[i] = _rightAligned[i] ? cell.PadLeft(widths[i]) : cell.PadRight(widths[i]);
        }

        output.WriteLine(string.Join("  ", parts).TrimEnd());
    }
}
