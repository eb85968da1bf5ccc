using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Fog.Oblivious.Randomness;

/// <summary>
/// A source of cryptographically strong random bytes, buffered so that the per-access cost of drawing
/// a leaf is a few nanoseconds rather than a system call.
/// </summary>
/// <remarks>
/// <para>Instances are not thread-safe; each ORAM or map owns (or shares single-threadedly) one.</para>
/// <para>
/// Security: outputs are secret. The buffer position advances by a fixed amount per call, independent
/// of the values drawn, and consumed bytes are wiped from the buffer.
/// </para>
/// </remarks>
public abstract class RandomSource : IDisposable
{
    private const int BufferSize = 4096;
    private readonly byte[] _buffer = new byte[BufferSize];
    private int _offset = BufferSize;

    /// <summary>Fills <paramref name="destination"/> with random bytes.</summary>
    /// <param name="destination">The buffer to fill.</param>
    /// <remarks>Security: the amount drawn depends only on the (public) length.</remarks>
    public void Fill(Span<byte> destination)
    {
        while (!destination.IsEmpty)
        {
            if (_offset == BufferSize)
            {
                Refill();
            }

            var n = Math.Min(destination.Length, BufferSize - _offset);
            var chunk = _buffer.AsSpan(_offset, n);
            chunk.CopyTo(destination);
            CryptographicOperations.ZeroMemory(chunk);
            _offset += n;
            destination = destination[n..];
        }
    }

    /// <summary>Draws a uniformly random 64-bit word.</summary>
    /// <returns>The word.</returns>
    /// <remarks>Security: constant time apart from the public, periodic buffer refill.</remarks>
    public ulong NextUInt64()
    {
        if (_offset > BufferSize - sizeof(ulong))
        {
            Refill();
        }

        var span = _buffer.AsSpan(_offset, sizeof(ulong));
        var value = BinaryPrimitives.ReadUInt64LittleEndian(span);
        span.Clear();
        _offset += sizeof(ulong);
        return value;
    }

    /// <summary>Draws a uniformly random 32-bit word.</summary>
    /// <returns>The word.</returns>
    /// <remarks>Security: as <see cref="NextUInt64"/>.</remarks>
    public uint NextUInt32() => (uint)NextUInt64();

    /// <summary>
    /// Draws a value in [0, <paramref name="bound"/>) by multiply-and-shift (bias below 2^-32 for
    /// bounds under 2^32).
    /// </summary>
    /// <param name="bound">Exclusive upper bound, at least 1 and below 2^32.</param>
    /// <returns>The value.</returns>
    /// <remarks>Security: no rejection loop, so the time does not depend on the value.</remarks>
    public uint NextBelow(uint bound) => (uint)((NextUInt32() * (ulong)bound) >> 32);

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Fills <paramref name="destination"/> (exactly 4096 bytes) with fresh random bytes.</summary>
    /// <param name="destination">The internal buffer.</param>
    protected abstract void Generate(Span<byte> destination);

    /// <summary>Wipes the buffer; derived classes release their own state.</summary>
    /// <param name="disposing">True when called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
        CryptographicOperations.ZeroMemory(_buffer);
        _offset = BufferSize;
    }

    private void Refill()
    {
        Generate(_buffer);
        _offset = 0;
    }
}

/// <summary>Random bytes from the operating system's CSPRNG (<see cref="RandomNumberGenerator"/>).</summary>
/// <remarks>Security: the default for production use.</remarks>
public sealed class SystemRandomSource : RandomSource
{
    /// <inheritdoc />
    protected override void Generate(Span<byte> destination) => RandomNumberGenerator.Fill(destination);
}

/// <summary>
/// A deterministic generator: AES-256 in counter mode keyed by a 32-byte seed. For reproducible tests
/// and benchmarks, or for production when the seed itself comes from a CSPRNG.
/// </summary>
/// <remarks>
/// Security: a standard CTR-DRBG construction without reseeding; its output is as unpredictable as the
/// seed is secret. Never use a fixed seed outside tests.
/// </remarks>
public sealed class SeededRandomSource : RandomSource
{
    private const int BlockSize = 16;
    private readonly Aes _aes;
    private readonly ICryptoTransform _encryptor;
    private readonly byte[] _counterBlocks = new byte[4096];
    private readonly byte[] _output = new byte[4096];
    private ulong _counter;

    /// <summary>Creates a generator from a 32-byte seed.</summary>
    /// <param name="seed">Exactly 32 bytes.</param>
    /// <exception cref="ArgumentException">The seed is not 32 bytes.</exception>
    public SeededRandomSource(ReadOnlySpan<byte> seed)
    {
        if (seed.Length != 32)
        {
            throw new ArgumentException("The seed must be 32 bytes.", nameof(seed));
        }

        _aes = Aes.Create();
        _aes.Key = seed.ToArray();
        _aes.Mode = CipherMode.ECB;
        _aes.Padding = PaddingMode.None;

        // A transform reused across calls encrypts without allocating (EncryptEcb allocates per call).
        _encryptor = _aes.CreateEncryptor();
    }

    /// <summary>Creates a generator from a 64-bit test seed (expanded to 32 bytes).</summary>
    /// <param name="seed">Any value; equal seeds give equal streams.</param>
    /// <returns>The generator.</returns>
    public static SeededRandomSource FromTestSeed(ulong seed)
    {
        Span<byte> key = stackalloc byte[32];
        BinaryPrimitives.WriteUInt64LittleEndian(key, seed);
        BinaryPrimitives.WriteUInt64LittleEndian(key[8..], 0x666f_672d_6f72_616dUL);
        return new SeededRandomSource(key);
    }

    /// <inheritdoc />
    protected override void Generate(Span<byte> destination)
    {
        for (var i = 0; i < _counterBlocks.Length; i += BlockSize)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(_counterBlocks.AsSpan(i), _counter++);
        }

        _encryptor.TransformBlock(_counterBlocks, 0, _counterBlocks.Length, _output, 0);
        _output.CopyTo(destination);
        CryptographicOperations.ZeroMemory(_output);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _encryptor.Dispose();
            _aes.Dispose();
        }

        base.Dispose(disposing);
    }
}
