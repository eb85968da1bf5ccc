using System.Diagnostics.CodeAnalysis;
using Fog.Api.Attest;
using Fog.Api.FogLedger;
using Fog.Attestation;
using Fog.Enclaves.Common;

namespace Fog.Enclaves.KeyImage;

/// <summary>
/// The fog ledger's enclave (the ECALL surface): an oblivious map from key images to the block that spent them, loaded
/// by the untrusted host as it follows the chain, and attested <c>CheckKeyImages</c> queries answered obliviously and
/// in a fixed shape. It also ends the attested channel of <c>GetOutputs</c>, which is not oblivious (see
/// <see cref="OpenOutputsRequest"/>).
/// </summary>
/// <remarks>
/// <para>
/// Create one with <see cref="KeyImageEnclaveFactory.Create"/>. Thread-safe: map operations are serialised. A session
/// opened with <see cref="IAttestedEnclave.TryAccept"/> (<c>FogKeyImageAPI/Auth</c> or <c>FogMerkleProofAPI/Auth</c>)
/// serves both key-image checks and output requests.
/// </para>
/// <para>
/// Security: <see cref="CheckKeyImages"/> performs one oblivious-map read per key image whether it is spent, unspent
/// or malformed, and writes results of the same length for every answer. Loading is variable-time: key images are
/// public chain data.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// using var enclave = KeyImageEnclaveFactory.Create(provider, "ledger.example.com:443", new KeyImageEnclaveOptions());
/// enclave.AddKeyImages(block.Contents.KeyImages.Select(k => new KeyImageRecord(k.ToArray(), index, timestamp)).ToList());
/// var answer = enclave.CheckKeyImages(message, new CheckKeyImagesResponse { NumBlocks = loaded, GlobalTxoCount = txos });
/// </code>
/// </example>
public interface IKeyImageEnclave : IAttestedEnclave
{
    /// <summary>Key images stored (public: they come from the chain).</summary>
    ulong KeyImageCount { get; }

    /// <summary>Most key images one query may carry.</summary>
    int MaxKeyImagesPerQuery { get; }

    /// <summary>
    /// Loads one block's key images. A key image already present is overwritten. A key image that cannot be stored
    /// (not 32 bytes, or <c>FF 00 … 00</c>, which maps to the reserved all-zero map key) is skipped and counted:
    /// queries for it always answer <c>KeyImageError</c>, never a wrong "not spent". Only a full map stops a batch part-way.
    /// </summary>
    /// <remarks>Security: VarTime; key images, blocks and timestamps are public chain data.</remarks>
    KeyImageAddResult AddKeyImages(IReadOnlyList<KeyImageRecord> records);

    /// <summary>
    /// Answers an attested <c>CheckKeyImagesRequest</c>: one <c>KeyImageResult</c> per query in request order — Spent
    /// with the block index and timestamp, NotSpent, or KeyImageError for a malformed key image — after
    /// <paramref name="untrustedPart"/> (block count, TxO count, block versions, supplied by the host).
    /// </summary>
    /// <remarks>
    /// Security: each key image costs exactly one oblivious-map read (two ORAM accesses) whatever the answer, and its
    /// result has every field present, written with masks, so the response length depends only on the number of key
    /// images and their (public) lengths. An unspent or malformed key image reports <c>spent_at</c> and
    /// <c>timestamp</c> = <see cref="ulong.MaxValue"/>; <c>timestamp_result_code</c> is always <c>TimestampFound</c>
    /// (legacy, as the reference). <c>start_block</c> is ignored, as in the reference.
    /// </remarks>
    KeyImageQueryResult CheckKeyImages(Message request, CheckKeyImagesResponse untrustedPart);

    /// <summary>
    /// Decrypts a <c>GetOutputsRequest</c> and hands it to the host, which looks the outputs up in the ledger.
    /// </summary>
    /// <remarks>
    /// Security: NOT oblivious, as in the reference: the host learns which global indices were asked for. Clients
    /// should mix their real inputs with ring members they would ask for anyway.
    /// </remarks>
    OutputsRequestResult OpenOutputsRequest(Message request);

    /// <summary>Encrypts the host's <c>GetOutputsResponse</c> for the session <paramref name="request"/> came on, echoing its AAD.</summary>
    bool TrySealOutputsResponse(Message request, GetOutputsResponse response, [NotNullWhen(true)] out Message? encrypted, [NotNullWhen(false)] out AttestError? error);
}

/// <summary>One spent key image as the host loads it.</summary>
/// <param name="KeyImage">The 32-byte key image.</param>
/// <param name="BlockIndex">The block that spent it.</param>
/// <param name="Timestamp">That block's timestamp in seconds (<see cref="ulong.MaxValue"/> if unknown).</param>
public readonly record struct KeyImageRecord(ReadOnlyMemory<byte> KeyImage, ulong BlockIndex, ulong Timestamp);

/// <summary>What <see cref="IKeyImageEnclave.AddKeyImages"/> did.</summary>
public enum KeyImageAddStatus
{
    /// <summary>Every storable key image is stored.</summary>
    Ok = 0,

    /// <summary>The map is full: records before <see cref="KeyImageAddResult.FailedIndex"/> are stored, the rest not.</summary>
    MapOverflow = 1,
}

/// <summary>The outcome of <see cref="IKeyImageEnclave.AddKeyImages"/>.</summary>
/// <param name="Status">What happened.</param>
/// <param name="Added">Key images added.</param>
/// <param name="Overwritten">Key images already present (the value was replaced).</param>
/// <param name="Rejected">Key images that cannot be stored (wrong length or the reserved value); queries for them answer KeyImageError.</param>
/// <param name="FailedIndex">The record at which the map overflowed, or -1.</param>
public readonly record struct KeyImageAddResult(KeyImageAddStatus Status, int Added, int Overwritten, int Rejected, int FailedIndex)
{
    /// <summary>True unless the map overflowed.</summary>
    public bool IsOk => Status == KeyImageAddStatus.Ok;
}

/// <summary>How an attested ledger request ended.</summary>
public enum LedgerRequestStatus
{
    /// <summary>Done.</summary>
    Ok = 0,

    /// <summary>The message could not be decrypted or the reply encrypted (see the result's channel error).</summary>
    ChannelError = 1,

    /// <summary>The decrypted request is not the expected message.</summary>
    MalformedRequest = 2,

    /// <summary>The request carries more items than allowed.</summary>
    TooManyItems = 3,
}

/// <summary>The outcome of <see cref="IKeyImageEnclave.CheckKeyImages"/>.</summary>
public sealed record KeyImageQueryResult
{
    /// <summary>How the query ended.</summary>
    public required LedgerRequestStatus Status { get; init; }

    /// <summary>The encrypted <c>CheckKeyImagesResponse</c> when <see cref="Status"/> is Ok.</summary>
    public Message? Response { get; init; }

    /// <summary>Why the channel refused the message.</summary>
    public AttestError? ChannelError { get; init; }

    /// <summary>How many key images the request carried (public: the request size shows it).</summary>
    public int KeyImageCount { get; init; }

    /// <summary>A message a client can act on when the query was refused.</summary>
    public string? Detail { get; init; }
}

/// <summary>The outcome of <see cref="IKeyImageEnclave.OpenOutputsRequest"/>.</summary>
public sealed record OutputsRequestResult
{
    /// <summary>How it ended (never <see cref="LedgerRequestStatus.TooManyItems"/>: the host enforces its own cap).</summary>
    public required LedgerRequestStatus Status { get; init; }

    /// <summary>The decrypted request when <see cref="Status"/> is Ok.</summary>
    public GetOutputsRequest? Request { get; init; }

    /// <summary>Why the channel refused the message.</summary>
    public AttestError? ChannelError { get; init; }

    /// <summary>A message a client can act on when the request was refused.</summary>
    public string? Detail { get; init; }
}
