namespace Fog.Storage.Recovery;

/// <summary>
/// How often a recovery DB call retries a transient failure itself before it surfaces: reads are retried,
/// writes only when nothing reached the database (the connection could not be opened or the transaction
/// could not start), so a write's outcome is never silently repeated.
/// </summary>
public sealed record RecoveryDbRetryPolicy
{
    /// <summary>Retries after the first attempt. Default: 3.</summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>The delay before the first retry; each further retry doubles it. Default: 100 ms.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest delay between two attempts. Default: 2 s.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The default policy.</summary>
    public static RecoveryDbRetryPolicy Default { get; } = new();

    /// <summary>No retries: every transient failure surfaces at once.</summary>
    public static RecoveryDbRetryPolicy None { get; } = new() { MaxRetries = 0 };

    /// <summary>The delay before retry number <paramref name="retry"/> (1-based): exponential, capped, with jitter in [50%, 100%].</summary>
    public TimeSpan DelayBeforeRetry(int retry)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retry, 1);
        var exponential = BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(retry - 1, 30));
        var capped = Math.Min(exponential, MaxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (0.5 + (Random.Shared.NextDouble() / 2)));
    }

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative count or delay.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(MaxRetries);
        ArgumentOutOfRangeException.ThrowIfLessThan(BaseDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxDelay, TimeSpan.Zero);
    }
}
