using Xunit;

namespace Fog.Testing.Network;

/// <summary>Polling for conditions reached by background work (never a timing assertion: only a generous deadline).</summary>
public static class Eventually
{
    public static async Task HoldsAsync(Func<bool> condition, Func<string> what, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(60));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting for {what()}.");
            }

            await Task.Delay(10);
        }
    }
}
