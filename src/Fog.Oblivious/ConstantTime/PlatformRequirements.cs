using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Fog.Oblivious.ConstantTime;

/// <summary>
/// Checks, once, that the CPU offers the instructions the constant-time code relies on.
/// </summary>
/// <remarks>
/// Security: without LZCNT, <see cref="System.Numerics.BitOperations.LeadingZeroCount(ulong)"/> falls
/// back to a table lookup indexed by the (secret) value, and without AVX2 the vector selects would be
/// emulated. The engine therefore refuses to run rather than silently losing its guarantees.
/// </remarks>
public static class PlatformRequirements
{
    /// <summary>Whether this process can run the oblivious engine.</summary>
    public static bool IsSupported => Lzcnt.X64.IsSupported && Avx2.IsSupported && Vector256.IsHardwareAccelerated;

    /// <summary>Throws <see cref="PlatformNotSupportedException"/> when <see cref="IsSupported"/> is false.</summary>
    /// <exception cref="PlatformNotSupportedException">LZCNT or AVX2 is missing.</exception>
    public static void EnsureSupported()
    {
        if (!IsSupported)
        {
            throw new PlatformNotSupportedException(
                "The oblivious engine needs an x86-64 CPU with LZCNT and AVX2 (constant-time leading-zero counts and vector selects).");
        }
    }
}
