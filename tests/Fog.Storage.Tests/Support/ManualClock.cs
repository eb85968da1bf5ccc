namespace Fog.Storage.Tests.Support;

/// <summary>A clock that moves only when told to, in whole seconds so every backend stores it exactly.</summary>
public sealed class ManualClock : TimeProvider
{
    private DateTimeOffset _now = new(2025, 7, 8, 12, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => _now;

    public DateTimeOffset Now => _now;

    public void Advance(TimeSpan by) => _now += by;
}
