using System.Runtime.InteropServices;

namespace Fog.Crypto.Interop;

/// <summary>
/// Secret bytes in libsodium's guarded allocator (<c>sodium_malloc</c>: guard pages, locked against swapping
/// where allowed, wiped by <c>sodium_free</c>). Secret keys live here rather than in managed arrays the GC
/// may copy.
/// </summary>
internal sealed unsafe class SecureMemoryHandle : SafeHandle
{
    private int _length;

    private SecureMemoryHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    /// <inheritdoc />
    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>The number of bytes held.</summary>
    internal int Length => _length;

    /// <summary>Allocates <paramref name="length"/> bytes of guarded memory.</summary>
    internal static SecureMemoryHandle Allocate(int length)
    {
        Sodium.EnsureInitialized();
        var result = new SecureMemoryHandle();
        var pointer = Libsodium.sodium_malloc((nuint)length);
        if (pointer is null)
        {
            result.SetHandleAsInvalid();
            throw new OutOfMemoryException("libsodium could not allocate guarded memory for a secret key.");
        }

        result.SetHandle((IntPtr)pointer);
        result._length = length;
        return result;
    }

    /// <summary>The bytes. Valid only while this handle is alive and not disposed.</summary>
    internal Span<byte> Span
    {
        get
        {
            ObjectDisposedException.ThrowIf(IsClosed, this);
            return new Span<byte>((void*)handle, _length);
        }
    }

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        Libsodium.sodium_free((void*)handle);
        return true;
    }
}
