namespace Fog.Oblivious.Tests.Support;

/// <summary>Pearson chi-square statistics and critical values (Wilson–Hilferty approximation).</summary>
public static class ChiSquare
{
    /// <summary>Statistic for observed counts against a uniform expectation.</summary>
    public static double Uniform(IReadOnlyList<long> counts)
    {
        var total = counts.Sum();
        var expected = (double)total / counts.Count;
        return counts.Sum(c => (c - expected) * (c - expected) / expected);
    }

    /// <summary>Statistic for two samples drawn from the same (unknown) distribution over the same bins.</summary>
    public static double Homogeneity(IReadOnlyList<long> a, IReadOnlyList<long> b)
    {
        double na = a.Sum(), nb = b.Sum();
        var statistic = 0.0;
        for (var i = 0; i < a.Count; i++)
        {
            var column = a[i] + b[i];
            if (column == 0)
            {
                continue;
            }

            var ea = column * na / (na + nb);
            var eb = column * nb / (na + nb);
            statistic += ((a[i] - ea) * (a[i] - ea) / ea) + ((b[i] - eb) * (b[i] - eb) / eb);
        }

        return statistic;
    }

    /// <summary>The upper 0.1 % point of the chi-square distribution with <paramref name="degrees"/> degrees of freedom.</summary>
    public static double Critical999(int degrees)
    {
        const double z = 3.0902; // standard normal upper 0.1 % point
        var k = (double)degrees;
        var t = 1 - (2 / (9 * k)) + (z * Math.Sqrt(2 / (9 * k)));
        return k * t * t * t;
    }

    public static long[] Histogram(IEnumerable<int> bins, int binCount)
    {
        var counts = new long[binCount];
        foreach (var b in bins)
        {
            counts[b]++;
        }

        return counts;
    }
}
