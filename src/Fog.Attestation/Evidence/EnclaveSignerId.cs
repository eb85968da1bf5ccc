using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace Fog.Attestation.Evidence;

/// <summary>The 32-byte identity of whoever built and signed an enclave (the analogue of SGX MRSIGNER).</summary>
public sealed class EnclaveSignerId : IEquatable<EnclaveSignerId>
{
    /// <summary>Size of a signer id.</summary>
    public const int SizeInBytes = 32;

    private readonly byte[] _value;

    private EnclaveSignerId(byte[] value) => _value = value;

    /// <summary>The signer id of Fog for .NET's own simulation builds: SHA-256("Fog enclave signer v1" || "Fog for .NET simulation").</summary>
    public static EnclaveSignerId FogSimulation { get; } = FromName("Fog for .NET simulation");

    /// <summary>The 32 bytes.</summary>
    public ReadOnlySpan<byte> Value => _value;

    /// <summary>Wraps 32 bytes.</summary>
    public static EnclaveSignerId FromBytes(ReadOnlySpan<byte> value)
    {
        if (value.Length != SizeInBytes)
        {
            throw new ArgumentException($"A signer id is {SizeInBytes} bytes, not {value.Length}.", nameof(value));
        }

        return new EnclaveSignerId(value.ToArray());
    }

    /// <summary>A signer id derived from a name: SHA-256("Fog enclave signer v1" || UTF-8 name).</summary>
    public static EnclaveSignerId FromName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return new EnclaveSignerId(SHA256.HashData([.. Encoding.ASCII.GetBytes("Fog enclave signer v1"), .. Encoding.UTF8.GetBytes(name)]));
    }

    /// <summary>Parses 64 hexadecimal digits.</summary>
    public static bool TryParse(string? hex, [NotNullWhen(true)] out EnclaveSignerId? signerId)
    {
        signerId = null;
        if (hex is null || hex.Length != 2 * SizeInBytes)
        {
            return false;
        }

        var bytes = new byte[SizeInBytes];
        if (Convert.FromHexString(hex, bytes, out _, out var written) != System.Buffers.OperationStatus.Done || written != SizeInBytes)
        {
            return false;
        }

        signerId = new EnclaveSignerId(bytes);
        return true;
    }

    /// <summary>Lower-case hexadecimal.</summary>
    public string ToHex() => Convert.ToHexStringLower(_value);

    /// <inheritdoc />
    public bool Equals(EnclaveSignerId? other) => other is not null && _value.AsSpan().SequenceEqual(other._value);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as EnclaveSignerId);

    /// <inheritdoc />
    public override int GetHashCode() => BinaryPrimitives.ReadInt32LittleEndian(_value);

    /// <summary>The hexadecimal id (public information).</summary>
    public override string ToString() => ToHex();
}
