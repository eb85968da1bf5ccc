using Fog.Attestation.Evidence;
using Fog.Client.Balance;
using Fog.Client.Connections;
using Fog.Client.Payments;
using Fog.Model.Addresses;
using Fog.Model.Keys;
using Fog.Model.Transactions;

namespace Fog.Client;

/// <summary>A balance: value per token, and the block count it is valid at.</summary>
/// <param name="ByToken">Value per token id (tokens with nothing are absent).</param>
/// <param name="ValidAtBlockCount">
/// The balance after this many blocks: the smallest of what fog view has processed, what fog ledger has checked key
/// images against, and the first block of any missed range not yet scanned. Never higher than what the services have
/// actually processed.
/// </param>
public sealed record FogBalance(IReadOnlyDictionary<ulong, ulong> ByToken, ulong ValidAtBlockCount)
{
    /// <summary>MOB, in picoMOB.</summary>
    public ulong Mob => ByToken.GetValueOrDefault(Amount.MobTokenId);
}

/// <summary>
/// A wallet's view of a Fog network: checks the balance privately (search keys to fog view, key images to fog ledger,
/// both over attested channels to enclaves answering obliviously), lists history with memos, and pays fog and non-fog
/// recipients. Keep <see cref="State"/> between sessions (encrypted: it holds secrets) so each check does only new work.
/// </summary>
/// <example>
/// <code>
/// using var account = AccountKey.FromMnemonic(phrase, 0, fog);
/// using var client = FogClient.Connect(NetworkConfig.Load("fog-network.json"), account, savedState);
/// var balance = await client.CheckBalanceAsync();
/// Console.WriteLine($"{balance.Mob} picoMOB as of block {balance.ValidAtBlockCount}");
/// var sent = await client.SendAsync(PublicAddress.ParseB58(b58), new Amount(1_000_000_000_000, 0));
/// save(client.State);
/// </code>
/// </example>
public sealed class FogClient : IDisposable
{
    private readonly AccountKey _account;
    private readonly IFogViewService _view;
    private readonly IFogKeyImageService _keyImages;
    private readonly IFogBlockService _blocks;
    private readonly IFogMerkleProofService _proofs;
    private readonly ITransactionSubmitter _submitter;
    private readonly IFogReportResolver? _reports;
    private readonly IDisposable? _connections;
    private readonly SemaphoreSlim _lock = new(1, 1);

    /// <summary>A client over the given services (tests and advanced hosts; most callers use <see cref="Connect"/>).</summary>
    public FogClient(
        AccountKey account,
        FogClientState state,
        IFogViewService view,
        IFogKeyImageService keyImages,
        IFogBlockService blocks,
        IFogMerkleProofService proofs,
        ITransactionSubmitter submitter,
        IFogReportResolver? reports,
        IDisposable? connections = null)
    {
        _account = account ?? throw new ArgumentNullException(nameof(account));
        State = state ?? throw new ArgumentNullException(nameof(state));
        _view = view ?? throw new ArgumentNullException(nameof(view));
        _keyImages = keyImages ?? throw new ArgumentNullException(nameof(keyImages));
        _blocks = blocks ?? throw new ArgumentNullException(nameof(blocks));
        _proofs = proofs ?? throw new ArgumentNullException(nameof(proofs));
        _submitter = submitter ?? throw new ArgumentNullException(nameof(submitter));
        _reports = reports;
        _connections = connections;
    }

    /// <summary>
    /// Connects to the network <paramref name="network"/> describes: fog view, fog ledger and the node over attested
    /// channels checked against the network's policies, and fog report servers for fog recipients.
    /// </summary>
    /// <param name="network">Endpoints and what is trusted (simulation roots, measurements).</param>
    /// <param name="account">The wallet's keys (not owned: the caller disposes it).</param>
    /// <param name="state">Saved state from a previous session, or null for a new wallet.</param>
    /// <param name="callTimeout">
    /// How long one call to a service may take before the service is reported as not answering (a
    /// <see cref="FogServiceException"/>, or a <see cref="Reports.FogReportException"/> for a fog report server); default 30 s,
    /// at most a day.
    /// </param>
    public static FogClient Connect(NetworkConfig network, AccountKey account, FogClientState? state = null, TimeSpan? callTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        var timeout = callTimeout ?? ServiceFailures.DefaultCallTimeout;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero, nameof(callTimeout));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(timeout, TimeSpan.FromDays(1), nameof(callTimeout));
        var view = new View.FogViewClient(ServiceUri(network.View, "view"), ResponderId(network.View), network.PolicyFor("view", EnclaveProductId.View));
        var ledger = new Ledger.FogLedgerClient(ServiceUri(network.Ledger, "ledger"), ResponderId(network.Ledger), network.PolicyFor("ledger", EnclaveProductId.Ledger));
        var node = new Node.NodeClient(ServiceUri(network.Node, "node"), ResponderId(network.Node), network.PolicyFor("consensus", EnclaveProductId.Consensus));
        var reports = new Reports.FogReportResolver(network.PolicyFor("ingest", EnclaveProductId.Ingest));
        var labelledLedger = new LabelledLedger(ledger, HostAndPort(network.Ledger), timeout);
        return new FogClient(
            account,
            state ?? new FogClientState(),
            new LabelledView(view, HostAndPort(network.View), timeout),
            labelledLedger,
            labelledLedger,
            labelledLedger,
            new LabelledSubmitter(new NodeSubmitter(node), HostAndPort(network.Node), timeout),
            new ReportResolverAdapter(reports, timeout),
            new Connections(view, ledger, node, reports));
    }

    /// <summary>The client state to persist (encrypted) between sessions.</summary>
    public FogClientState State { get; }

    /// <summary>The wallet's default address.</summary>
    public PublicAddress Address => _account.DefaultSubaddress;

    /// <summary>
    /// Checks the balance: new fog records (incremental), blocks fog missed, spent status of every unspent output.
    /// </summary>
    /// <exception cref="FogServiceException">Fog view or fog ledger is unreachable, fails attestation or refuses (clients from <see cref="Connect"/>).</exception>
    public async Task<FogBalance> CheckBalanceAsync(IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var sync = new FogSync(_account, State);
            progress?.Report("asking fog view for new records");
            await sync.PollViewAsync(_view, progress, cancellationToken).ConfigureAwait(false);
            if (State.MissedRanges.Count > 0)
            {
                progress?.Report($"scanning {State.MissedRanges.Count} block ranges fog missed");
                await sync.ScanMissedBlocksAsync(_blocks, cancellationToken).ConfigureAwait(false);
            }

            progress?.Report("asking fog ledger which outputs are spent");
            await sync.CheckKeyImagesAsync(_keyImages, cancellationToken).ConfigureAwait(false);
            var (balances, validAt) = sync.Balance();
            return new FogBalance(balances, validAt);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>History from the owned outputs and their memos; <paramref name="contacts"/> names (and authenticates) counterparties.</summary>
    public IReadOnlyList<HistoryEntry> GetHistory(IReadOnlyDictionary<string, PublicAddress>? contacts = null) =>
        History.From(State, _account, contacts ?? new Dictionary<string, PublicAddress>());

    /// <summary>
    /// Pays <paramref name="amount"/> to <paramref name="recipient"/> and waits until the payment is in a block (or its
    /// tombstone passes). Check the balance first: only outputs the wallet knows about are spent.
    /// </summary>
    /// <exception cref="FogServiceException">Fog ledger or the node is unreachable, fails attestation or refuses (clients from <see cref="Connect"/>).</exception>
    /// <exception cref="Reports.FogReportException">The recipient's fog report cannot be fetched or does not verify.</exception>
    public async Task<SendResult> SendAsync(PublicAddress recipient, Amount amount, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await new PaymentSender(_account, State, _proofs, _submitter, _reports).SendAsync(recipient, amount, progress, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _connections?.Dispose();
        _lock.Dispose();
    }

    private static Uri ServiceUri(ServiceEndpoint endpoint, string name) =>
        Reports.FogUri.TryParse(endpoint.Uri, out var uri, out var error)
            ? uri.GrpcAddress
            : throw new InvalidOperationException($"The network configuration's {name} URI is not valid: {error}");

    private static string HostAndPort(ServiceEndpoint endpoint)
    {
        var uri = Reports.FogUri.Parse(endpoint.Uri);
        return $"{uri.Host}:{uri.Port}";
    }

    private static string ResponderId(ServiceEndpoint endpoint) =>
        endpoint.ResponderId.Length > 0 ? endpoint.ResponderId : HostAndPort(endpoint);

    private sealed class Connections(params IDisposable[] parts) : IDisposable
    {
        public void Dispose()
        {
            foreach (var part in parts)
            {
                part.Dispose();
            }
        }
    }
}
