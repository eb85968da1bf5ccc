using System.Runtime.CompilerServices;
using Fog.Oblivious.ConstantTime;
using Fog.Oblivious.Memory;

namespace Fog.Oblivious.Oram;

/// <summary>
/// The simplest oblivious RAM: every access reads every value and writes every value back. O(N) per
/// access; the reference implementation that tree ORAMs are tested against, and fine for tiny arrays.
/// </summary>
/// <remarks>Security: the trace is all of memory, in order, on every access; trivially oblivious.</remarks>
public sealed unsafe class LinearScanOram : IOram
{
    private readonly AlignedBuffer _values;
    private readonly AlignedBuffer _work;
    private ulong _pendingIndex;
    private bool _accessOpen;

    /// <summary>Creates <paramref name="length"/> zeroed values of <paramref name="valueSize"/> bytes.</summary>
    /// <param name="length">Number of values.</param>
    /// <param name="valueSize">Bytes per value.</param>
    public LinearScanOram(ulong length, int valueSize)
    {
        ArgumentOutOfRangeException.ThrowIfZero(length);
        ArgumentOutOfRangeException.ThrowIfLessThan(valueSize, 1);
        Length = length;
        ValueSize = valueSize;
        _values = new AlignedBuffer((nuint)length * (nuint)valueSize);
        _work = new AlignedBuffer((nuint)valueSize);
    }

    /// <inheritdoc />
    public ulong Length { get; }

    /// <inheritdoc />
    public int ValueSize { get; }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Span<byte> BeginAccess(ulong index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Length);
        if (_accessOpen)
        {
            throw new InvalidOperationException("An access is already open on this ORAM.");
        }

        var size = (nuint)ValueSize;
        System.Runtime.InteropServices.NativeMemory.Clear(_work.Pointer, size);
        for (ulong i = 0; i < Length; i++)
        {
            CtBlock.AccumulateMasked(Ct.Equal(i, index), _work.Pointer, _values.Pointer + ((nuint)i * size), size);
        }

        _pendingIndex = index;
        _accessOpen = true;
        return new Span<byte>(_work.Pointer, ValueSize);
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void EndAccess()
    {
        if (!_accessOpen)
        {
            throw new InvalidOperationException("No access is open on this ORAM.");
        }

        _accessOpen = false;
        var size = (nuint)ValueSize;
        for (ulong i = 0; i < Length; i++)
        {
            CtBlock.ConditionalCopy(Ct.Equal(i, _pendingIndex), _values.Pointer + ((nuint)i * size), _work.Pointer, size);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _values.Dispose();
        _work.Dispose();
    }
}
