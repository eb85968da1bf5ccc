using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Fog.Crypto.Merlin;

/// <summary>
/// The subset of STROBE-128 (v1.0.2) that Merlin uses: meta-AD, AD, PRF and KEY operations over a
/// Keccak-f[1600] sponge with rate 166.
/// </summary>
internal sealed class Strobe128
{
    private const int Rate = 166;
    private const byte FlagI = 1;
    private const byte FlagA = 1 << 1;
    private const byte FlagC = 1 << 2;
    private const byte FlagT = 1 << 3;
    private const byte FlagM = 1 << 4;
    private const byte FlagK = 1 << 5;

    private readonly ulong[] _lanes = new ulong[Keccak.Lanes];
    private int _position;
    private int _positionBegin;
    private byte _currentFlags;

    /// <summary>A STROBE instance initialised for <paramref name="protocolLabel"/>.</summary>
    internal Strobe128(ReadOnlySpan<byte> protocolLabel)
    {
        var state = State;
        state[0] = 1;
        state[1] = Rate + 2;
        state[2] = 1;
        state[3] = 0;
        state[4] = 1;
        state[5] = 96;
        "STROBEv1.0.2"u8.CopyTo(state[6..]);
        Keccak.Permute(_lanes);
        MetaAd(protocolLabel, more: false);
    }

    private Strobe128(Strobe128 other)
    {
        other._lanes.CopyTo(_lanes, 0);
        _position = other._position;
        _positionBegin = other._positionBegin;
        _currentFlags = other._currentFlags;
    }

    private Span<byte> State => MemoryMarshal.AsBytes(_lanes.AsSpan());

    /// <summary>An independent copy of this state.</summary>
    internal Strobe128 Clone() => new(this);

    /// <summary>Absorbs framing metadata.</summary>
    internal void MetaAd(ReadOnlySpan<byte> data, bool more)
    {
        BeginOperation(FlagM | FlagA, more);
        Absorb(data);
    }

    /// <summary>Absorbs associated data.</summary>
    internal void Ad(ReadOnlySpan<byte> data, bool more)
    {
        BeginOperation(FlagA, more);
        Absorb(data);
    }

    /// <summary>Squeezes pseudo-random output.</summary>
    internal void Prf(Span<byte> output, bool more)
    {
        BeginOperation(FlagI | FlagA | FlagC, more);
        Squeeze(output);
    }

    /// <summary>Overwrites the state with key material.</summary>
    internal void Key(ReadOnlySpan<byte> key, bool more)
    {
        BeginOperation(FlagA | FlagC, more);
        Overwrite(key);
    }

    /// <summary>Wipes the sponge state.</summary>
    internal void Clear() => CryptographicOperations.ZeroMemory(State);

    private void RunF()
    {
        var state = State;
        state[_position] ^= (byte)_positionBegin;
        state[_position + 1] ^= 0x04;
        state[Rate + 1] ^= 0x80;
        Keccak.Permute(_lanes);
        _position = 0;
        _positionBegin = 0;
    }

    private void Absorb(ReadOnlySpan<byte> data)
    {
        var state = State;
        foreach (var b in data)
        {
            state[_position] ^= b;
            Advance();
        }
    }

    private void Overwrite(ReadOnlySpan<byte> data)
    {
        var state = State;
        foreach (var b in data)
        {
            state[_position] = b;
            Advance();
        }
    }

    private void Squeeze(Span<byte> output)
    {
        var state = State;
        for (var i = 0; i < output.Length; i++)
        {
            output[i] = state[_position];
            state[_position] = 0;
            Advance();
        }
    }

    private void Advance()
    {
        _position++;
        if (_position == Rate)
        {
            RunF();
        }
    }

    private void BeginOperation(byte flags, bool more)
    {
        if (more)
        {
            if (_currentFlags != flags)
            {
                throw new InvalidOperationException("A STROBE operation was continued with different flags.");
            }

            return;
        }

        if ((flags & FlagT) != 0)
        {
            throw new InvalidOperationException("Transport operations are not supported.");
        }

        var oldBegin = _positionBegin;
        _positionBegin = _position + 1;
        _currentFlags = flags;
        Absorb([(byte)oldBegin, flags]);

        var forceF = (flags & (FlagC | FlagK)) != 0;
        if (forceF && _position != 0)
        {
            RunF();
        }
    }
}
