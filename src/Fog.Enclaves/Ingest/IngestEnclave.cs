using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Fog.Api.Attest;
using Fog.Attestation;
using Fog.Attestation.Channels;
using Fog.Attestation.Evidence;
using Fog.Attestation.Noise;
using Fog.Attestation.Sealing;
using Fog.Crypto.Box;
using Fog.Crypto.Kex;
using Fog.Crypto.Ristretto;
using Fog.Model.FogData;
using Fog.Oblivious.ConstantTime;
using Fog.Oblivious.Maps;

namespace Fog.Enclaves.Ingest;

/// <summary>Creates ingest enclaves.</summary>
public static class IngestEnclaveFactory
{
    /// <summary>
    /// Creates an ingest enclave with a fresh ingress key (replace it with <see cref="IIngestEnclave.TryLoadSealedIngressKey"/>
    /// after a restart), a fresh egress key and an empty counter map.
    /// </summary>
    /// <param name="provider">Produces the enclave's attestation evidence (borrowed; must outlive the enclave).</param>
    /// <param name="responderId">The responder id (Noise prologue) peers use, usually the peer endpoint's host:port.</param>
    /// <param name="options">Capacity, sealing secret, trusted roots for peers.</param>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public static IIngestEnclave Create(IAttestationProvider provider, string responderId, IngestEnclaveOptions options)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentException.ThrowIfNullOrWhiteSpace(responderId);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (provider.Identity.ProductId != EnclaveProductId.Ingest)
        {
            throw new ArgumentException($"The provider quotes for a {provider.Identity.ProductId} enclave; the ingest enclave needs product id {EnclaveProductId.Ingest}.", nameof(provider));
        }

        return new IngestEnclave(provider, responderId, options);
    }
}

/// <summary>An opaque peer handshake in progress (see <see cref="IIngestEnclave.StartPeerHandshake"/>).</summary>
public sealed class IngestPeerHandshake : IDisposable
{
    internal IngestPeerHandshake(AttestedInitiator initiator, byte[] request)
    {
        Initiator = initiator;
        Request = request;
    }

    /// <summary>IX message 1, to send as <c>attest.AuthMessage.data</c> to the peer's <c>AttestedApi/Auth</c>.</summary>
    public byte[] Request { get; }

    /// <summary>The peer's responder id.</summary>
    public string PeerResponderId => Initiator.ResponderId;

    internal AttestedInitiator Initiator { get; }

    /// <inheritdoc />
    public void Dispose() => Initiator.Dispose();
}

/// <summary>The ingest enclave (see <see cref="IIngestEnclave"/>).</summary>
internal sealed class IngestEnclave : IIngestEnclave
{
    /// <summary>Associated data of sealed ingress keys, so no other sealed secret loads as one.</summary>
    private static readonly byte[] SealingContext = "Fog ingest ingress key v1"u8.ToArray();

    private readonly Lock _lock = new();
    private readonly IAttestationProvider _provider;
    private readonly IngestEnclaveOptions _options;
    private readonly ObliviousMapOptions _mapOptions;
    private readonly NoiseKeyPair _staticKey;
    private readonly AttestedResponder _responder;
    private readonly Sealer _sealer;
    private readonly InitiatedChannels _initiated;
    private RistrettoPrivate _ingress;
    private RistrettoPrivate _egress;
    private RngStore _store;
    private byte[] _ingressPublic;
    private KexRngPubkey _egressPublic;
    private bool _disposed;

    internal IngestEnclave(IAttestationProvider provider, string responderId, IngestEnclaveOptions options)
    {
        _provider = provider;
        _options = options;
        _mapOptions = options.MapOptions ?? ObliviousMapOptions.For(ObliviousMapShape.Ingest, options.UserCapacity);
        _ingress = RistrettoPrivate.Generate();
        _egress = RistrettoPrivate.Generate();
        _ingressPublic = _ingress.PublicKey.ToArray();
        _egressPublic = new KexRngPubkey(_egress.PublicKey.ToArray(), KexRng.LatestVersion);
        _store = new RngStore(_mapOptions);
        _staticKey = NoiseKeyPair.Generate();
        _sealer = new Sealer(options.SealingSecret!, provider.Identity.Measurement);
        var peerVerifier = new SimulatedEvidenceVerifier(AttestationPolicy.ForPeersOf(provider.Identity, options.TrustedSimulationRoots));
        _responder = new AttestedResponder(
            new AttestedResponderOptions { ResponderId = responderId, MaxSessions = options.MaxPeerSessions },
            _staticKey,
            provider,
            peerVerifier,
            _ingressPublic);
        PeerVerifier = peerVerifier;
        _initiated = new InitiatedChannels(options.MaxPeerSessions);
    }

    /// <inheritdoc />
    public EnclaveIdentity Identity => _provider.Identity;

    /// <inheritdoc />
    public bool IsSimulation => _provider.IsSimulation;

    /// <inheritdoc />
    public string ResponderId => _responder.ResponderId;

    /// <inheritdoc />
    public ulong UserCapacity => _mapOptions.Capacity;

    /// <inheritdoc />
    public byte[] IngressPublicKey
    {
        get
        {
            lock (_lock)
            {
                return (byte[])_ingressPublic.Clone();
            }
        }
    }

    /// <inheritdoc />
    public KexRngPubkey EgressPublicKey
    {
        get
        {
            lock (_lock)
            {
                return _egressPublic;
            }
        }
    }

    /// <summary>The verifier peers' evidence must pass.</summary>
    internal IEvidenceVerifier PeerVerifier { get; }

    /// <summary>Entries in the current counter map (tests).</summary>
    internal ulong StoreCount
    {
        get
        {
            lock (_lock)
            {
                return _store.Count;
            }
        }
    }

    /// <summary>Real capacity of the current counter map.</summary>
    internal ulong StoreCapacity
    {
        get
        {
            lock (_lock)
            {
                return _store.Capacity;
            }
        }
    }

    /// <summary>
    /// Benchmark hook: adds <paramref name="count"/> random keys to the counter map, as if that many chaff TxOuts had
    /// been ingested, so throughput can be measured at a realistic fill. Stops early if the map overflows.
    /// </summary>
    internal void PrefillStoreForBenchmark(ulong count)
    {
        Span<byte> secret = stackalloc byte[RngStore.KeySize];
        lock (_lock)
        {
            ThrowIfDisposed();
            for (var i = 0UL; i < count; i++)
            {
                RandomNumberGenerator.Fill(secret);
                if (!_store.TryNextCounter(secret, out _))
                {
                    RotateEgressLocked();
                    return;
                }
            }
        }

        CryptographicOperations.ZeroMemory(secret);
    }

    /// <inheritdoc />
    public IngestReport GetReport()
    {
        lock (_lock)
        {
            ThrowIfDisposed();
            return new IngestReport(_responder.Evidence.ToArray(), (byte[])_ingressPublic.Clone());
        }
    }

    /// <inheritdoc />
    public IngestChunkResult IngestTxs(IngestChunk chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        var txOuts = chunk.TxOuts;
        if (txOuts is null)
        {
            return Failed(IngestStatus.InvalidBlockData, "The chunk has no TxOut list.", null);
        }

        var count = txOuts.Count;
        for (var i = 0; i < count; i++)
        {
            if (txOuts[i] is null)
            {
                return Failed(IngestStatus.InvalidBlockData, $"TxOut {i} of the chunk is missing.", null);
            }
        }

        if (count > 0 && chunk.GlobalTxoIndex > ulong.MaxValue - (ulong)(count - 1))
        {
            return Failed(IngestStatus.InvalidBlockData, "The chunk's global TxOut indices overflow 64 bits.", null);
        }

        lock (_lock)
        {
            ThrowIfDisposed();
            using var work = new ChunkWork(chunk, _ingress);

            // Everything that does not depend on the egress key happens once: the hint decryption (which selects
            // the recipient, or a random chaff key) and the plaintext records.
            ForRanges(count, work.DecryptHints);
            KexRngPubkey? rotated = null;
            for (var attempt = 0; attempt <= _options.MaxChunkRetries; attempt++)
            {
                work.Egress = _egress;
                ForRanges(count, work.ExchangeKeys);
                if (!work.NextCounters(_store))
                {
                    // The overflow branch is public (as in the reference). The map must not be reused: a fresh egress
                    // key and an empty map, then the whole chunk again from its first TxOut.
                    RotateEgressLocked();
                    rotated = _egressPublic;
                    continue;
                }

                ForRanges(count, work.Encrypt);
                return new IngestChunkResult(IngestStatus.Ok, work.Records(), rotated, null);
            }

            return Failed(
                IngestStatus.ChunkTooBig,
                $"Failed processing {count} TxOuts: the counter map overflowed {_options.MaxChunkRetries + 1} times in a row (capacity {_store.Capacity}); raise the user capacity or lower the chunk size.",
                rotated);
        }
    }

    /// <inheritdoc />
    public byte[] SealIngressKey()
    {
        Span<byte> scalar = stackalloc byte[RistrettoPrivate.Size];
        try
        {
            lock (_lock)
            {
                ThrowIfDisposed();
                _ingress.Export(scalar);
            }

            return _sealer.Seal(scalar, SealingContext);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(scalar);
        }
    }

    /// <inheritdoc />
    public bool TryLoadSealedIngressKey(ReadOnlySpan<byte> sealedKey, out UnsealError error)
    {
        if (!_sealer.TryUnseal(sealedKey, out var scalar, out error, SealingContext))
        {
            return false;
        }

        try
        {
            if (!RistrettoPrivate.TryImport(scalar, out var key))
            {
                error = UnsealError.Malformed;
                return false;
            }

            lock (_lock)
            {
                ThrowIfDisposed();
                ReplaceIngressLocked(key);
            }

            return true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(scalar);
        }
    }

    /// <inheritdoc />
    public void NewKeys()
    {
        lock (_lock)
        {
            ThrowIfDisposed();
            ReplaceIngressLocked(RistrettoPrivate.Generate());
            RotateEgressLocked();
        }
    }

    /// <inheritdoc />
    public void NewEgressKey()
    {
        lock (_lock)
        {
            ThrowIfDisposed();
            RotateEgressLocked();
        }
    }

    /// <inheritdoc />
    public bool TryAcceptPeer(ReadOnlySpan<byte> request, [NotNullWhen(true)] out byte[]? response, [NotNullWhen(false)] out AttestError? error) =>
        _responder.TryAcceptPeer(request, out response, out _, out _, out error);

    /// <inheritdoc />
    public IngestPeerHandshake StartPeerHandshake(string peerResponderId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(peerResponderId);
        var initiator = AttestedInitiator.StartPeer(peerResponderId, _staticKey, _responder.Evidence);
        try
        {
            return new IngestPeerHandshake(initiator, initiator.CreateRequest());
        }
        catch
        {
            initiator.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public bool TryCompletePeerHandshake(IngestPeerHandshake handshake, ReadOnlySpan<byte> response, [NotNullWhen(true)] out byte[]? channelId, [NotNullWhen(false)] out AttestError? error)
    {
        ArgumentNullException.ThrowIfNull(handshake);
        channelId = null;
        if (!handshake.Initiator.TryComplete(response, PeerVerifier, out var channel, out error))
        {
            return false;
        }

        channelId = channel.ChannelId.ToArray();
        _initiated.Add(channel);
        return true;
    }

    /// <inheritdoc />
    public bool TryEncryptIngressKeyForPeer(ReadOnlySpan<byte> channelId, [NotNullWhen(true)] out Message? message, out byte[] ingressPublicKey, [NotNullWhen(false)] out AttestError? error)
    {
        Span<byte> scalar = stackalloc byte[RistrettoPrivate.Size];
        try
        {
            lock (_lock)
            {
                ThrowIfDisposed();
                _ingress.Export(scalar);
                ingressPublicKey = (byte[])_ingressPublic.Clone();
            }

            return _initiated.TryGet(channelId, out var channel)
                ? channel.TryEncrypt(scalar, default, out message, out error)
                : _responder.TryEncrypt(channelId, scalar, default, out message, out error);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(scalar);
        }
    }

    /// <inheritdoc />
    public bool TrySetIngressKeyFromPeer(Message message, out bool changed, [NotNullWhen(false)] out AttestError? error)
    {
        ArgumentNullException.ThrowIfNull(message);
        changed = false;
        byte[]? plaintext;
        if (_initiated.TryGet(message.ChannelId.Span, out var channel))
        {
            if (!channel.TryDecrypt(message, out plaintext, out error))
            {
                return false;
            }
        }
        else if (!_responder.TryDecrypt(message, out plaintext, out error))
        {
            return false;
        }

        try
        {
            if (!RistrettoPrivate.TryImport(plaintext, out var key))
            {
                error = new AttestError(AttestErrorCode.MalformedMessage, "The peer's message does not hold an ingress private key (32-byte canonical scalar).");
                return false;
            }

            lock (_lock)
            {
                ThrowIfDisposed();
                changed = !key.SecretEquals(_ingress);
                ReplaceIngressLocked(key);
            }

            error = null;
            return true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _initiated.Dispose();
            _responder.Dispose();
            _staticKey.Dispose();
            _store.Dispose();
            _ingress.Dispose();
            _egress.Dispose();
            _sealer.Dispose();
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"Ingest enclave '{ResponderId}' ({Identity}{(IsSimulation ? ", SIMULATION" : string.Empty)})";

    private static IngestChunkResult Failed(IngestStatus status, string message, KexRngPubkey? rotated) => new(status, [], rotated, message);

    private void ReplaceIngressLocked(RistrettoPrivate key)
    {
        var old = _ingress;
        _ingress = key;
        old.Dispose();
        _ingressPublic = key.PublicKey.ToArray();
        _responder.RefreshEvidence(_ingressPublic);
    }

    private void RotateEgressLocked()
    {
        var oldKey = _egress;
        var oldStore = _store;
        _egress = RistrettoPrivate.Generate();
        _egressPublic = new KexRngPubkey(_egress.PublicKey.ToArray(), KexRng.LatestVersion);
        _store = new RngStore(_mapOptions);
        oldKey.Dispose();
        oldStore.Dispose();
    }

    private void ForRanges(int count, Action<int, int> body)
    {
        if (_options.Parallelism == 1 || count < 32)
        {
            body(0, count);
            return;
        }

        var rangeSize = Math.Max(16, count / (_options.Parallelism * 4));
        Parallel.ForEach(
            Partitioner.Create(0, count, rangeSize),
            new ParallelOptions { MaxDegreeOfParallelism = _options.Parallelism },
            range => body(range.Item1, range.Item2));
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>
    /// The per-TxOut state of one chunk (ingest.md §1.4), in arrays so that the cryptography runs in parallel while
    /// the counter map is accessed sequentially in TxOut order. Secret parts are wiped on dispose.
    /// </summary>
    private sealed class ChunkWork : IDisposable
    {
        private const int PointSize = Ristretto255.PointSize;

        private readonly IngestChunk _chunk;
        private readonly RistrettoPrivate _ingress;
        private readonly int _count;

        // The recipient's view public key (or a random chaff key) per TxOut: secret, which TxOut is for whom.
        private readonly byte[] _recipients;

        // Whether the recipient bytes decode to a point. False only for a valid hint around an invalid point.
        private readonly bool[] _valid;

        // S = egress · recipient per TxOut, and the recipient's counter: secret.
        private readonly byte[] _secrets;
        private readonly ulong[] _counters;
        private readonly byte[][] _plaintexts;
        private readonly IngestedRecord[] _records;

        internal ChunkWork(IngestChunk chunk, RistrettoPrivate ingress)
        {
            _chunk = chunk;
            _ingress = ingress;
            _count = chunk.TxOuts.Count;
            _recipients = GC.AllocateUninitializedArray<byte>(_count * PointSize, pinned: true);
            _secrets = GC.AllocateUninitializedArray<byte>(_count * PointSize, pinned: true);
            _valid = new bool[_count];
            _counters = new ulong[_count];
            _plaintexts = new byte[_count][];
            _records = new IngestedRecord[_count];
        }

        /// <summary>The egress key of the current attempt.</summary>
        internal RistrettoPrivate Egress { get; set; } = null!;

        /// <summary>
        /// Steps 1–3 and 6: a random valid point, replaced by the hint's view key when the hint authenticates and
        /// carries the magic bytes (a masked copy, no branch), then the plaintext record.
        /// </summary>
        /// <remarks>
        /// Security: the decryption and the selection take the same steps whether the hint is for a user of this
        /// enclave or not; only the public framing of the box (version bytes, a valid ephemeral key) can end early.
        /// Whether the selected bytes decode to a point is public: it fails only for a sender's malformed hint.
        /// </remarks>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal void DecryptHints(int start, int end)
        {
            Span<byte> uniform = stackalloc byte[Ristretto255.WideSize];
            Span<byte> decrypted = stackalloc byte[PointSize];
            try
            {
                for (var i = start; i < end; i++)
                {
                    var txOut = _chunk.TxOuts[i];
                    var recipient = _recipients.AsSpan(i * PointSize, PointSize);
                    RandomNumberGenerator.Fill(uniform);
                    Ristretto255.FromUniformBytes(uniform, recipient);
                    var authenticated = FogHint.TryDecrypt(_ingress, txOut.EFogHint, decrypted);
                    CtBlock.ConditionalCopy(Ct.FromBool(authenticated), recipient, decrypted);
                    _valid[i] = Ristretto255.IsValidPoint(recipient);
                    _plaintexts[i] = TxOutRecord.FromTxOut(txOut, _chunk.GlobalTxoIndex + (ulong)i, _chunk.BlockIndex, _chunk.Timestamp).ToProtobuf();
                }
            }
            finally
            {
                CryptographicOperations.ZeroMemory(uniform);
                CryptographicOperations.ZeroMemory(decrypted);
            }
        }

        /// <summary>Step 4: S = egress · recipient.</summary>
        /// <remarks>Security: one constant-time scalar multiplication per TxOut, real recipient or chaff alike.</remarks>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal void ExchangeKeys(int start, int end)
        {
            for (var i = start; i < end; i++)
            {
                if (_valid[i])
                {
                    Egress.TryKeyExchange(_recipients.AsSpan(i * PointSize, PointSize), _secrets.AsSpan(i * PointSize, PointSize));
                }
            }
        }

        /// <summary>Step 5, in TxOut order: each recipient's next counter. False on overflow (the chunk must be redone).</summary>
        /// <remarks>Security: one oblivious access_and_insert per TxOut (see <see cref="RngStore.TryNextCounter"/>); overflow is public.</remarks>
        internal bool NextCounters(RngStore store)
        {
            for (var i = 0; i < _count; i++)
            {
                if (_valid[i] && !store.TryNextCounter(_secrets.AsSpan(i * PointSize, PointSize), out _counters[i]))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>Steps 5 (the PRF), 7 and 8: the search key and the record boxed to the recipient.</summary>
        /// <remarks>Security: the same PRF and box for every TxOut; a record's length depends only on the public TxOut.</remarks>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal void Encrypt(int start, int end)
        {
            for (var i = start; i < end; i++)
            {
                if (!_valid[i])
                {
                    continue;
                }

                var searchKey = new byte[KexRng.OutputSize];
                KexRng.Prf(_secrets.AsSpan(i * PointSize, PointSize), _counters[i], searchKey);
                var recipient = RistrettoPublic.From(_recipients.AsSpan(i * PointSize, PointSize));
                var plaintext = _plaintexts[i];
                var payload = new byte[VersionedCryptoBox.CiphertextSize(plaintext.Length)];
                VersionedCryptoBox.Encrypt(recipient, plaintext, payload);
                _records[i] = new IngestedRecord(searchKey, payload);
            }
        }

        /// <summary>The records in TxOut order, leaving out TxOuts whose hint held an invalid point.</summary>
        internal IngestedRecord[] Records()
        {
            var result = new List<IngestedRecord>(_count);
            for (var i = 0; i < _count; i++)
            {
                if (_valid[i])
                {
                    result.Add(_records[i]);
                }
            }

            return [.. result];
        }

        public void Dispose()
        {
            CryptographicOperations.ZeroMemory(_recipients);
            CryptographicOperations.ZeroMemory(_secrets);
            Array.Clear(_counters);
            foreach (var plaintext in _plaintexts)
            {
                if (plaintext is not null)
                {
                    CryptographicOperations.ZeroMemory(plaintext);
                }
            }
        }
    }

    /// <summary>Peer channels this enclave initiated, by channel id; the oldest is dropped beyond the limit.</summary>
    private sealed class InitiatedChannels(int capacity) : IDisposable
    {
        private readonly ConcurrentDictionary<string, AttestedChannel> _channels = new(StringComparer.Ordinal);
        private readonly ConcurrentQueue<string> _order = new();

        internal void Add(AttestedChannel channel)
        {
            var id = Convert.ToHexString(channel.ChannelId);
            _channels[id] = channel;
            _order.Enqueue(id);
            while (_channels.Count > capacity && _order.TryDequeue(out var oldest))
            {
                if (_channels.TryRemove(oldest, out var evicted))
                {
                    evicted.Dispose();
                }
            }
        }

        internal bool TryGet(ReadOnlySpan<byte> channelId, [NotNullWhen(true)] out AttestedChannel? channel) =>
            _channels.TryGetValue(Convert.ToHexString(channelId), out channel);

        public void Dispose()
        {
            foreach (var channel in _channels.Values)
            {
                channel.Dispose();
            }

            _channels.Clear();
        }
    }
}
