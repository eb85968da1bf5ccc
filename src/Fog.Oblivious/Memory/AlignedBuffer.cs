using System.Runtime.InteropServices;

namespace Fog.Oblivious.Memory;

/// <summary>
/// Zero-initialised native memory aligned to 64 bytes (one cache line, one AVX-512 register), with a
/// stable address and no GC scanning. Large blocks come from the OS lazily (calloc maps zero pages),
/// so an ORAM tree costs nothing until it is touched, unless <c>prefault</c> asks to touch every page
/// up front.
/// </summary>
/// <remarks>
/// Security: contents are wiped on dispose when the block is small enough for wiping to be cheap
/// (stashes, scratch buffers, keys); large trees are returned to the OS, which discards the pages.
/// </remarks>
internal sealed unsafe partial class AlignedBuffer : IDisposable
{
    private const nuint HugePageThreshold = 4 << 20;
    private const int MadviseHugePage = 14;
    private const nuint Alignment = 64;
    private const nuint WipeLimit = 1 << 20;
    private const nuint PageSize = 4096;
    private void* _raw;

    /// <summary>Allocates <paramref name="length"/> zeroed bytes.</summary>
    /// <param name="length">Size in bytes (may be zero).</param>
    /// <param name="prefault">Touch every page now so later accesses do not page-fault.</param>
    public AlignedBuffer(nuint length, bool prefault = false)
    {
        Length = length;
        _raw = NativeMemory.AllocZeroed(length + Alignment);
        Pointer = (byte*)(((nuint)_raw + Alignment - 1) & ~(Alignment - 1));
        if (length >= HugePageThreshold && OperatingSystem.IsLinux())
        {
            // Ask for transparent huge pages: an ORAM branch touches one bucket per level at random, and
            // with 4 KiB pages every one of them is also a TLB miss. Advisory; failure is harmless.
            var start = ((nuint)Pointer + PageSize - 1) & ~(PageSize - 1);
            var end = ((nuint)Pointer + length) & ~(PageSize - 1);
            if (end > start)
            {
                _ = Madvise((void*)start, end - start, MadviseHugePage);
            }
        }

        if (prefault)
        {
            for (nuint i = 0; i < length; i += PageSize)
            {
                Pointer[i] = 0;
            }
        }
    }

    /// <summary>Finalizer: releases the memory if <see cref="Dispose"/> was not called.</summary>
    ~AlignedBuffer() => Release();

    /// <summary>The aligned start of the block.</summary>
    public byte* Pointer { get; private set; }

    /// <summary>The usable length in bytes.</summary>
    public nuint Length { get; }

    /// <summary>The block as a span (only for blocks under 2 GiB).</summary>
    /// <returns>A span over the whole block.</returns>
    public Span<byte> AsSpan() => new(Pointer, checked((int)Length));

    /// <inheritdoc />
    public void Dispose()
    {
        Release();
        GC.SuppressFinalize(this);
    }

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(void* address, nuint length, int advice);

    private void Release()
    {
        if (_raw != null)
        {
            if (Length <= WipeLimit)
            {
                NativeMemory.Clear(Pointer, Length);
            }

            NativeMemory.Free(_raw);
            _raw = null;
            Pointer = null;
        }
    }
}
