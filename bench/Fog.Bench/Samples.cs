namespace Fog.Bench;

/// <summary>Summaries of timed samples, shared by every benchmark so they all report the same statistic.</summary>
public static class Samples
{
    /// <summary>The median (the mean of the middle two for an even count); <paramref name="values"/> is not changed.</summary>
    public static double Median(IReadOnlyCollection<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            throw new ArgumentException("No samples.", nameof(values));
        }

        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
