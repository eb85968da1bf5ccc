using System.Buffers.Binary;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;

namespace Fog.Attestation.Evidence;

/// <summary>
/// The 32-byte measurement of an enclave: a hash of its code identity (the analogue of SGX MRENCLAVE).
/// </summary>
/// <remarks>
/// Fog computes it as SHA-256("Fog enclave measurement v1" || u32le(len(name)) || UTF-8 name || code),
/// where <c>code</c> is the bytes of the assembly that holds the enclave. The build is deterministic,
/// so the same source and toolchain give the same measurement; <c>fog enclave measure</c> prints it.
/// </remarks>
public sealed class EnclaveMeasurement : IEquatable<EnclaveMeasurement>
{
    /// <summary>Size of a measurement.</summary>
    public const int SizeInBytes = 32;

    private static readonly byte[] Domain = Encoding.ASCII.GetBytes("Fog enclave measurement v1");

    private readonly byte[] _value;

    private EnclaveMeasurement(byte[] value) => _value = value;

    /// <summary>The 32 bytes.</summary>
    public ReadOnlySpan<byte> Value => _value;

    /// <summary>Wraps 32 bytes.</summary>
    public static EnclaveMeasurement FromBytes(ReadOnlySpan<byte> value)
    {
        if (value.Length != SizeInBytes)
        {
            throw new ArgumentException($"A measurement is {SizeInBytes} bytes, not {value.Length}.", nameof(value));
        }

        return new EnclaveMeasurement(value.ToArray());
    }

    /// <summary>Parses 64 hexadecimal digits.</summary>
    public static EnclaveMeasurement Parse(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        return TryParse(hex, out var measurement)
            ? measurement
            : throw new FormatException($"'{hex}' is not a measurement: expected {2 * SizeInBytes} hexadecimal digits.");
    }

    /// <summary>Parses 64 hexadecimal digits.</summary>
    public static bool TryParse(string? hex, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out EnclaveMeasurement? measurement)
    {
        measurement = null;
        if (hex is null || hex.Length != 2 * SizeInBytes)
        {
            return false;
        }

        var bytes = new byte[SizeInBytes];
        if (Convert.FromHexString(hex, bytes, out _, out var written) != System.Buffers.OperationStatus.Done || written != SizeInBytes)
        {
            return false;
        }

        measurement = new EnclaveMeasurement(bytes);
        return true;
    }

    /// <summary>The measurement of an enclave named <paramref name="enclaveName"/> whose code is <paramref name="code"/>.</summary>
    public static EnclaveMeasurement Compute(string enclaveName, ReadOnlySpan<byte> code)
    {
        ArgumentException.ThrowIfNullOrEmpty(enclaveName);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        AppendName(hash, enclaveName);
        hash.AppendData(code);
        return new EnclaveMeasurement(hash.GetHashAndReset());
    }

    /// <summary>The measurement of an enclave whose code is the assembly file <paramref name="assembly"/>.</summary>
    /// <exception cref="InvalidOperationException">The assembly has no file (single-file or in-memory load).</exception>
    public static EnclaveMeasurement OfAssembly(string enclaveName, Assembly assembly)
    {
        ArgumentException.ThrowIfNullOrEmpty(enclaveName);
        ArgumentNullException.ThrowIfNull(assembly);
        if (string.IsNullOrEmpty(assembly.Location))
        {
            throw new InvalidOperationException(
                $"Assembly '{assembly.GetName().Name}' was not loaded from a file, so it cannot be measured; measure its bytes with Compute.");
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        AppendName(hash, enclaveName);
        using (var stream = File.OpenRead(assembly.Location))
        {
            var buffer = new byte[81920];
            int read;
            while ((read = stream.Read(buffer)) > 0)
            {
                hash.AppendData(buffer, 0, read);
            }
        }

        return new EnclaveMeasurement(hash.GetHashAndReset());
    }

    /// <summary>Lower-case hexadecimal.</summary>
    public string ToHex() => Convert.ToHexStringLower(_value);

    /// <inheritdoc />
    public bool Equals(EnclaveMeasurement? other) => other is not null && _value.AsSpan().SequenceEqual(other._value);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as EnclaveMeasurement);

    /// <inheritdoc />
    public override int GetHashCode() => BinaryPrimitives.ReadInt32LittleEndian(_value);

    /// <summary>The hexadecimal measurement (public information).</summary>
    public override string ToString() => ToHex();

    private static void AppendName(IncrementalHash hash, string enclaveName)
    {
        var name = Encoding.UTF8.GetBytes(enclaveName);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)name.Length);
        hash.AppendData(Domain);
        hash.AppendData(length);
        hash.AppendData(name);
    }
}
