using Fog.Api.Attest;
using Fog.Api.FogView;
using Fog.Attestation;
using Fog.Enclaves.Common;

namespace Fog.Enclaves.View;

/// <summary>
/// The fog view enclave (the ECALL surface): an oblivious map from 16-byte search keys to encrypted TxOut records,
/// loaded by the untrusted host from the recovery DB, and attested queries that read every requested key obliviously
/// and answer in a fixed shape. The host passes records in, forwards <c>attest.AuthMessage</c>/<c>attest.Message</c>
/// bytes, and supplies the untrusted part of each response (events, block counts); it never sees which keys a client
/// asked for or which were found.
/// </summary>
/// <remarks>
/// <para>
/// Create one with <see cref="ViewEnclaveFactory.Create"/>. Thread-safe: map operations are serialised. Clients open
/// their session with <see cref="IAttestedEnclave.TryAccept"/> (<c>fog_view.FogViewAPI/Auth</c>).
/// </para>
/// <para>
/// Security: <see cref="Query"/> performs the same oblivious-map accesses and writes a response of the same length
/// whether each key is found, not found, or malformed; see <see cref="Query"/> for what is not hidden. Loading
/// (<see cref="AddRecords"/>) is variable-time, as in the reference: the host supplied the records and knows them.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// using var enclave = ViewEnclaveFactory.Create(provider, "view.example.com:443", new ViewEnclaveOptions { Capacity = 1 &lt;&lt; 22 });
/// var loaded = enclave.AddRecords(records);                 // one block's records, from the recovery DB
/// enclave.TryAccept(auth.Data.Span, out var reply, out var error);          // fog_view.FogViewAPI/Auth
/// var answer = enclave.Query(message, untrustedPart);      // fog_view.FogViewAPI/Query
/// if (answer.Status == ViewQueryStatus.Ok) return answer.Response;
/// </code>
/// </example>
public interface IViewEnclave : IAttestedEnclave
{
    /// <summary>Records stored (public: the host loaded them).</summary>
    ulong RecordCount { get; }

    /// <summary>Most search keys one query may carry.</summary>
    int MaxSearchKeysPerQuery { get; }

    /// <summary>
    /// Loads records (one block's, as the host reads them from the recovery DB). Every record's size is checked
    /// before any is stored, so a malformed batch changes nothing; a search key already present has its value
    /// overwritten (a reload, or the same record twice). Only a full map stops a batch part-way.
    /// </summary>
    /// <remarks>Security: VarTime (reveals which keys were already present); the host supplied the records.</remarks>
    ViewAddRecordsResult AddRecords(IReadOnlyList<ViewRecord> records);

    /// <summary>
    /// Answers an attested query: decrypts the <c>QueryRequest</c>, reads every search key from the oblivious map,
    /// and encrypts a <c>QueryResponse</c> made of <paramref name="untrustedPart"/> (everything but the search
    /// results, supplied by the host) and one legacy and one fixed result per key, in request order, echoing the
    /// request's AAD.
    /// </summary>
    /// <param name="request">The client's <c>attest.Message</c>.</param>
    /// <param name="untrustedPart">
    /// The host's part of the response (events, block counts, timestamps); its search-result fields are ignored.
    /// </param>
    /// <remarks>
    /// Security: each key costs exactly one oblivious-map read (two ORAM accesses) whether it is found, absent, all
    /// zeros or of the wrong length, and its results are written with masks into positions fixed by the key's
    /// (public) length, so the response length is the same for any number of hits among the same keys. Not hidden:
    /// the number of keys and their lengths (visible in the request's size anyway), and the untrusted part, which
    /// the host chose.
    /// </remarks>
    ViewQueryResult Query(Message request, QueryResponse untrustedPart);
}

/// <summary>One record as the host loads it.</summary>
/// <param name="SearchKey">The 16-byte search key.</param>
/// <param name="Payload">The crypto-box ciphertext of a <c>TxOutRecord</c>, at most 239 bytes.</param>
public readonly record struct ViewRecord(ReadOnlyMemory<byte> SearchKey, ReadOnlyMemory<byte> Payload);

/// <summary>What <see cref="IViewEnclave.AddRecords"/> did.</summary>
public enum ViewAddRecordsStatus
{
    /// <summary>Every record is stored.</summary>
    Ok = 0,

    /// <summary>A search key is not 16 bytes; nothing was stored.</summary>
    KeyWrongSize = 1,

    /// <summary>A search key is all zeros (the value that marks empty slots); nothing was stored.</summary>
    KeyRejected = 2,

    /// <summary>A payload is longer than 239 bytes; nothing was stored.</summary>
    ValueTooLarge = 3,

    /// <summary>The map is full: the records before <see cref="ViewAddRecordsResult.FailedIndex"/> are stored, the rest not.</summary>
    MapOverflow = 4,
}

/// <summary>The outcome of <see cref="IViewEnclave.AddRecords"/>.</summary>
/// <param name="Status">What happened.</param>
/// <param name="Added">Records added under new keys.</param>
/// <param name="Overwritten">Records whose key was already present (the value was replaced).</param>
/// <param name="FailedIndex">The index of the record that failed, or -1.</param>
public readonly record struct ViewAddRecordsResult(ViewAddRecordsStatus Status, int Added, int Overwritten, int FailedIndex)
{
    /// <summary>True when every record is stored.</summary>
    public bool IsOk => Status == ViewAddRecordsStatus.Ok;
}

/// <summary>How a query ended.</summary>
public enum ViewQueryStatus
{
    /// <summary>Answered; <see cref="ViewQueryResult.Response"/> holds the encrypted response.</summary>
    Ok = 0,

    /// <summary>The message could not be decrypted on any session (see <see cref="ViewQueryResult.ChannelError"/>).</summary>
    ChannelError = 1,

    /// <summary>The decrypted request is not a <c>QueryRequest</c>.</summary>
    MalformedRequest = 2,

    /// <summary>The request has more than <see cref="IViewEnclave.MaxSearchKeysPerQuery"/> search keys.</summary>
    TooManySearchKeys = 3,
}

/// <summary>The outcome of <see cref="IViewEnclave.Query"/>.</summary>
public sealed record ViewQueryResult
{
    /// <summary>How the query ended.</summary>
    public required ViewQueryStatus Status { get; init; }

    /// <summary>The encrypted <c>QueryResponse</c> when <see cref="Status"/> is <see cref="ViewQueryStatus.Ok"/>.</summary>
    public Message? Response { get; init; }

    /// <summary>Why the channel refused the message, for <see cref="ViewQueryStatus.ChannelError"/>.</summary>
    public AttestError? ChannelError { get; init; }

    /// <summary>How many search keys the request carried (0 when it could not be read); public, as the request size shows it.</summary>
    public int SearchKeyCount { get; init; }

    /// <summary>A message a client can act on when the query was refused.</summary>
    public string? Detail { get; init; }
}
