using System.Diagnostics;
using Fog.Api.Attest;
using Fog.Api.FogView;
using Fog.Enclaves.View;
using Fog.Services.Hosting;
using Fog.Storage.Recovery;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Fog.Services.View;

/// <summary>What the view server's gRPC services share: the enclave, the recovery DB and the loader.</summary>
internal sealed class ViewRuntime(IViewEnclave enclave, IRecoveryDb db, ViewLoader loader, ILogger logger)
{
    public IViewEnclave Enclave { get; } = enclave;

    public IRecoveryDb Db { get; } = db;

    public ViewLoader Loader { get; } = loader;

    public ILogger Logger { get; } = logger;
}

/// <summary>
/// <c>fog_view.FogViewAPI</c>: the attested handshake, and queries — the host builds the untrusted part of the
/// response (user events after the client's cursor, block counts) and the enclave adds the search results.
/// </summary>
internal sealed partial class FogViewApiService(ViewRuntime runtime) : FogViewAPI.FogViewAPIBase
{
    public override Task<AuthMessage> Auth(AuthMessage request, ServerCallContext context) => Task.FromResult(AttestedRpc.Accept(runtime.Enclave, request));

    public override async Task<Message> Query(Message request, ServerCallContext context)
    {
        var started = Stopwatch.GetTimestamp();
        if (!runtime.Loader.IsCaughtUp)
        {
            ViewMetrics.ObserveQuery("not_ready");
            throw new RpcException(new Status(
                StatusCode.Unavailable,
                $"Not ready: the view server is still loading records from the recovery DB (every block below {runtime.Loader.Progress.HighestProcessedBlockCount} loaded so far). Retry shortly."));
        }

        QueryRequestAAD aad;
        try
        {
            aad = QueryRequestAAD.Parser.ParseFrom(request.Aad);
        }
        catch (InvalidProtocolBufferException)
        {
            ViewMetrics.ObserveQuery("bad_request");
            throw AttestedRpc.Malformed("The message's aad is not a fog_view.QueryRequestAAD.");
        }

        // Read the block counts before the events: every block counted was loaded before this point, so the invocation
        // (RNG) and missed-range events behind its records are already in the DB and reach the client in this response
        // or an earlier one. The reverse order could count blocks whose RNG the client has not been told about.
        var progress = runtime.Loader.Progress;
        UserEventPage events;
        try
        {
            events = await runtime.Db.SearchUserEventsAsync(aad.StartFromUserEventId, context.CancellationToken).ConfigureAwait(false);
        }
        catch (RecoveryDbException e)
        {
            ViewMetrics.ObserveQuery("database_error");
            ViewMetrics.DatabaseErrors.Inc();
            LogEventsFailed(runtime.Logger, e.Message);
            throw new RpcException(new Status(e.IsTransient ? StatusCode.Unavailable : StatusCode.Internal, "The recovery database could not be read; retry shortly."));
        }

        var result = runtime.Enclave.Query(request, UntrustedPart(progress, events));
        switch (result.Status)
        {
            case ViewQueryStatus.Ok:
                ViewMetrics.ObserveQuery("ok");
                ViewMetrics.SearchKeysPerQuery.Observe(result.SearchKeyCount);
                ViewMetrics.QueryDuration.Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
                return result.Response!;
            case ViewQueryStatus.ChannelError:
                ViewMetrics.ObserveQuery("channel_error");
                throw AttestedRpc.ToRpcException(result.ChannelError!);
            default:
                ViewMetrics.ObserveQuery("bad_request");
                LogRefused(runtime.Logger, result.Status, result.SearchKeyCount);
                throw AttestedRpc.Malformed(result.Detail ?? "The query was refused.");
        }
    }

    /// <summary>The host's part of a response: events after the client's cursor and the loader's block counts.</summary>
    internal static QueryResponse UntrustedPart(ViewProgress progress, UserEventPage events)
    {
        var response = new QueryResponse
        {
            HighestProcessedBlockCount = progress.HighestProcessedBlockCount,
            HighestProcessedBlockSignatureTimestamp = progress.HighestProcessedBlockSignatureTimestamp,
            LastKnownBlockCount = progress.LastKnownBlockCount,
            LastKnownBlockCumulativeTxoCount = progress.LastKnownBlockCumulativeTxoCount,
            NextStartFromUserEventId = events.NextStartFromUserEventId,
        };
        foreach (var e in events.Events)
        {
            switch (e)
            {
                case NewRngRecordEvent rng:
                    response.Rngs.Add(new RngRecord
                    {
                        IngestInvocationId = rng.IngestInvocationId,
                        Pubkey = new Fog.Api.KexRng.KexRngPubkey { Pubkey = ByteString.CopyFrom(rng.Pubkey.PublicKey.Span), Version = rng.Pubkey.Version },
                        StartBlock = rng.StartBlock,
                    });
                    break;
                case DecommissionedIngestInvocationEvent decommissioned:
                    response.DecommissionedIngestInvocations.Add(new DecommissionedIngestInvocation
                    {
                        IngestInvocationId = decommissioned.IngestInvocationId,
                        LastIngestedBlock = decommissioned.LastIngestedBlock,
                    });
                    break;
                case MissingBlocksEvent missing:
                    response.MissedBlockRanges.Add(new Fog.Api.FogCommon.BlockRange { StartBlock = missing.Range.Start, EndBlock = missing.Range.End });
                    break;
            }
        }

        return response;
    }

    [LoggerMessage(EventId = 5210, Level = LogLevel.Warning, Message = "A view query could not read user events from the recovery DB: {Reason}")]
    private static partial void LogEventsFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 5211, Level = LogLevel.Debug, Message = "Refused a view query: {Status} ({SearchKeys} search keys)")]
    private static partial void LogRefused(ILogger logger, ViewQueryStatus status, int searchKeys);
}
