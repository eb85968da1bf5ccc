using Fog.Crypto.Kex;

namespace Fog.Storage.Recovery;

/// <summary>
/// An event clients learn about through view: a new RNG, a decommissioned RNG, or blocks fog will never
/// scan. <see cref="Id"/> is the cursor (<c>start_from_user_event_id</c>).
/// </summary>
/// <param name="Id">The event id; ids grow in commit order.</param>
public abstract record UserEvent(long Id);

/// <summary>A new ingest invocation: clients add an RNG (<c>fog_view.RngRecord</c>).</summary>
/// <param name="Id">The event id.</param>
/// <param name="IngestInvocationId">The invocation.</param>
/// <param name="Pubkey">Its egress public key and KexRng version.</param>
/// <param name="StartBlock">The first block of its records.</param>
public sealed record NewRngRecordEvent(long Id, long IngestInvocationId, KexRngPubkey Pubkey, ulong StartBlock) : UserEvent(Id);

/// <summary>A decommissioned invocation: its RNGs produce no more outputs (<c>fog_view.DecommissionedIngestInvocation</c>).</summary>
/// <param name="Id">The event id.</param>
/// <param name="IngestInvocationId">The invocation.</param>
/// <param name="LastIngestedBlock">The highest block it stored, computed when read; 0 if it stored none.</param>
public sealed record DecommissionedIngestInvocationEvent(long Id, long IngestInvocationId, ulong LastIngestedBlock) : UserEvent(Id);

/// <summary>Blocks fog will never scan: clients must download and scan them themselves.</summary>
/// <param name="Id">The event id.</param>
/// <param name="Range">The missed blocks.</param>
public sealed record MissingBlocksEvent(long Id, BlockRange Range) : UserEvent(Id);

/// <summary>The result of <see cref="IRecoveryDb.SearchUserEventsAsync"/>.</summary>
/// <param name="Events">Events after the cursor, in id order.</param>
/// <param name="NextStartFromUserEventId">The largest id returned, or the cursor if there were none: the next cursor.</param>
public sealed record UserEventPage(IReadOnlyList<UserEvent> Events, long NextStartFromUserEventId);
