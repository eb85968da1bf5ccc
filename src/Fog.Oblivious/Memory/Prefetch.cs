using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Fog.Oblivious.Memory;

/// <summary>Software prefetch of whole buckets, so the misses of a branch overlap instead of queueing.</summary>
/// <remarks>Security: prefetches touch exactly the buckets the branch is about to touch anyway (public addresses).</remarks>
internal static unsafe class Prefetch
{
    /// <summary>Prefetches every cache line of a bucket's values and metadata.</summary>
    /// <param name="data">Bucket values.</param>
    /// <param name="dataSize">Bytes of values.</param>
    /// <param name="meta">Bucket metadata.</param>
    /// <param name="metaSize">Bytes of metadata.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Bucket(byte* data, nuint dataSize, byte* meta, nuint metaSize)
    {
        if (Sse.IsSupported)
        {
            for (nuint i = 0; i < metaSize; i += 64)
            {
                Sse.Prefetch0(meta + i);
            }

            for (nuint i = 0; i < dataSize; i += 64)
            {
                Sse.Prefetch0(data + i);
            }
        }
    }
}
