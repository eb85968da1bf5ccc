using System.Data.Common;
using Fog.Crypto.Kex;
using Fog.Crypto.Ristretto;

namespace Fog.Storage.Recovery.Sql;

/// <summary>
/// The recovery DB over ADO.NET: every query and every rule lives here once; <see cref="SqlDialect"/>
/// supplies what differs between SQLite and PostgreSQL (connections, locking, types, error kinds).
/// </summary>
internal sealed class SqlRecoveryDb : IRecoveryDb
{
    private const string NewIngestInvocationEvent = "new_ingest_invocation";
    private const string DecommissionIngestInvocationEvent = "decommission_ingest_invocation";
    private const string MissingBlocksEvent = "missing_blocks";

    private readonly SqlDialect _dialect;
    private readonly TimeProvider _time;
    private readonly RecoveryDbRetryPolicy _retry;

    public SqlRecoveryDb(SqlDialect dialect, TimeProvider time, RecoveryDbRetryPolicy retry)
    {
        _dialect = dialect;
        _time = time;
        _retry = retry;
    }

    public ValueTask DisposeAsync() => _dialect.DisposeAsync();

    // ---- Migrations ----

    /// <summary>Applies pending migrations in one transaction.</summary>
    public Task<RecoveryDbSchemaInfo> MigrateAsync(CancellationToken cancellationToken) =>
        RunAsync("migrate", Access.Migrate, async (connection, transaction, ct) =>
        {
            await _dialect.LockMigrationsAsync(connection, transaction!, ct).ConfigureAwait(false);
            await ExecuteAsync(connection, transaction, _dialect.CreateMigrationTableSql, ct).ConfigureAwait(false);
            var from = await ReadVersionAsync(connection, transaction, ct).ConfigureAwait(false);
            var latest = _dialect.Migrations[^1].Version;
            if (from > latest)
            {
                throw SchemaTooNew(from, latest);
            }

            var applied = new List<int>();
            foreach (var migration in _dialect.Migrations.Where(m => m.Version > from))
            {
                await ExecuteAsync(connection, transaction, migration.Sql, ct).ConfigureAwait(false);
                await ExecuteAsync(
                    connection,
                    transaction,
                    "INSERT INTO fog_schema_migrations (version, description, applied_at) VALUES (@version, @description, @applied_at)",
                    ct,
                    ("version", migration.Version),
                    ("description", migration.Description),
                    ("applied_at", _dialect.TimeValue(_time.GetUtcNow()))).ConfigureAwait(false);
                applied.Add(migration.Version);
            }

            return new RecoveryDbSchemaInfo(_dialect.Name, from, latest, applied);
        }, cancellationToken);

    /// <summary>Checks that the schema is exactly the one this program uses, without changing it.</summary>
    public Task<RecoveryDbSchemaInfo> CheckSchemaAsync(CancellationToken cancellationToken) =>
        RunAsync("check schema", Access.Read, async (connection, transaction, ct) =>
        {
            var version = 0;
            if (await ScalarAsync(connection, transaction, _dialect.MigrationTableExistsSql, ct).ConfigureAwait(false) is not null)
            {
                version = await ReadVersionAsync(connection, transaction, ct).ConfigureAwait(false);
            }

            var latest = _dialect.Migrations[^1].Version;
            if (version > latest)
            {
                throw SchemaTooNew(version, latest);
            }

            if (version < latest)
            {
                throw new RecoveryDbException(
                    RecoveryDbError.SchemaOutOfDate,
                    $"The {_dialect.Name} recovery DB has schema version {version}; this program needs {latest}. Apply migrations with 'fog db migrate'.");
            }

            return new RecoveryDbSchemaInfo(_dialect.Name, version, version, []);
        }, cancellationToken);

    private static async Task<int> ReadVersionAsync(DbConnection connection, DbTransaction? transaction, CancellationToken ct) =>
        Convert.ToInt32(await ScalarAsync(connection, transaction, "SELECT COALESCE(MAX(version), 0) FROM fog_schema_migrations", ct).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);

    private RecoveryDbException SchemaTooNew(int version, int latest) =>
        new(RecoveryDbError.SchemaTooNew, $"The {_dialect.Name} recovery DB has schema version {version}, newer than this program's {latest}. Upgrade the program.");

    // ---- Ingress keys ----

    public Task<IngressPublicKeyStatus?> GetIngressKeyStatusAsync(RistrettoPublic key, CancellationToken cancellationToken = default)
    {
        var keyBytes = KeyBytes(key);
        return RunAsync("get ingress key status", Access.Read, (connection, transaction, ct) => ReadKeyStatusAsync(connection, transaction, keyBytes, lockRow: false, ct), cancellationToken);
    }

    public Task<ulong> NewIngressKeyAsync(RistrettoPublic key, ulong startBlockCount, CancellationToken cancellationToken = default)
    {
        var keyBytes = KeyBytes(key);
        var proposed = ToDb(startBlockCount, nameof(startBlockCount));
        return RunAsync("new ingress key", Access.Write, async (connection, transaction, ct) =>
        {
            var highest = await ScalarAsync(connection, transaction, "SELECT MAX(block_number) FROM ingested_blocks", ct).ConfigureAwait(false);
            var start = highest is null ? proposed : Math.Max(proposed, checked(Convert.ToInt64(highest, System.Globalization.CultureInfo.InvariantCulture) + 1));
            var inserted = await ExecuteAsync(
                connection,
                transaction,
                "INSERT INTO ingress_keys (ingress_public_key, start_block, pubkey_expiry, retired, lost) VALUES (@key, @start, 0, FALSE, FALSE) ON CONFLICT DO NOTHING",
                ct,
                ("key", keyBytes),
                ("start", start)).ConfigureAwait(false);
            return inserted == 1
                ? (ulong)start
                : throw new RecoveryDbException(RecoveryDbError.IngressKeyAlreadyExists, "The ingress key is already in the recovery DB.");
        }, cancellationToken);
    }

    public Task RetireIngressKeyAsync(RistrettoPublic key, bool retired, CancellationToken cancellationToken = default)
    {
        var keyBytes = KeyBytes(key);
        return RunAsync("retire ingress key", Access.Write, async (connection, transaction, ct) =>
        {
            var updated = await ExecuteAsync(connection, transaction, "UPDATE ingress_keys SET retired = @retired WHERE ingress_public_key = @key", ct, ("retired", retired), ("key", keyBytes)).ConfigureAwait(false);
            return updated == 1 ? true : throw MissingIngressKey();
        }, cancellationToken);
    }

    public Task<ulong?> GetLastScannedBlockIndexAsync(RistrettoPublic key, CancellationToken cancellationToken = default)
    {
        var keyBytes = KeyBytes(key);
        return RunAsync("get last scanned block", Access.Read, async (connection, transaction, ct) =>
            ToBlock(await ScalarAsync(connection, transaction, "SELECT MAX(block_number) FROM ingested_blocks WHERE ingress_public_key = @key", ct, ("key", keyBytes)).ConfigureAwait(false)),
            cancellationToken);
    }

    public Task<IReadOnlyList<IngressPublicKeyRecord>> GetIngressKeyRecordsAsync(ulong startBlockAtLeast, IngressKeyFilters filters, CancellationToken cancellationToken = default)
    {
        if (startBlockAtLeast > long.MaxValue)
        {
            return Task.FromResult<IReadOnlyList<IngressPublicKeyRecord>>([]);
        }

        var sql = new System.Text.StringBuilder(
            "SELECT ingress_public_key, start_block, pubkey_expiry, retired, lost, last_scanned FROM (" +
            " SELECT k.ingress_public_key, k.start_block, k.pubkey_expiry, k.retired, k.lost," +
            " (SELECT MAX(b.block_number) FROM ingested_blocks b WHERE b.ingress_public_key = k.ingress_public_key) AS last_scanned" +
            " FROM ingress_keys k WHERE k.start_block >= @start) r WHERE TRUE");
        if (!filters.IncludeLost)
        {
            sql.Append(" AND r.lost = FALSE");
        }

        if (!filters.IncludeRetired)
        {
            sql.Append(" AND r.retired = FALSE");
        }

        if (filters.OnlyUnexpired)
        {
            sql.Append(" AND r.last_scanned IS NOT NULL AND r.pubkey_expiry > r.last_scanned");
        }

        sql.Append(" ORDER BY r.start_block, r.ingress_public_key");
        return RunAsync<IReadOnlyList<IngressPublicKeyRecord>>("get ingress key records", Access.Read, async (connection, transaction, ct) =>
        {
            var records = new List<IngressPublicKeyRecord>();
            await using var command = Command(connection, transaction, sql.ToString(), ("start", (long)startBlockAtLeast));
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                records.Add(new IngressPublicKeyRecord(
                    ReadKey(reader, 0),
                    new IngressPublicKeyStatus(ReadBlock(reader, 1), ReadBlock(reader, 2), reader.GetBoolean(3), reader.GetBoolean(4)),
                    reader.IsDBNull(5) ? null : ReadBlock(reader, 5)));
            }

            return records;
        }, cancellationToken);
    }

    public Task<BlockRange?> ReportLostIngressKeyAsync(RistrettoPublic key, CancellationToken cancellationToken = default)
    {
        var keyBytes = KeyBytes(key);
        return RunAsync("report lost ingress key", Access.Write, async (connection, transaction, ct) =>
        {
            await _dialect.LockUserEventsAsync(connection, transaction!, ct).ConfigureAwait(false);
            var status = await ReadKeyStatusAsync(connection, transaction, keyBytes, lockRow: true, ct).ConfigureAwait(false) ?? throw MissingIngressKey();
            if (status.Lost)
            {
                return (BlockRange?)null;
            }

            await ExecuteAsync(connection, transaction, "UPDATE ingress_keys SET lost = TRUE WHERE ingress_public_key = @key", ct, ("key", keyBytes)).ConfigureAwait(false);
            var start = status.StartBlock;
            var end = status.PubkeyExpiry;
            if (ToBlock(await ScalarAsync(connection, transaction, "SELECT MAX(block_number) FROM ingested_blocks WHERE ingress_public_key = @key", ct, ("key", keyBytes)).ConfigureAwait(false)) is { } last)
            {
                start = Math.Max(start, last + 1);
            }

            if (start >= end)
            {
                return null; // never published, or scanned to its expiry: nothing was missed
            }

            // The same range may already have been announced for another key; once is enough.
            await ExecuteAsync(
                connection,
                transaction,
                $"INSERT INTO user_events (event_type, missing_blocks_start, missing_blocks_end) VALUES ('{MissingBlocksEvent}', @start, @end) ON CONFLICT DO NOTHING",
                ct,
                ("start", (long)start),
                ("end", (long)end)).ConfigureAwait(false);
            return new BlockRange(start, end);
        }, cancellationToken);
    }

    public Task<IReadOnlyList<BlockRange>> GetMissedBlockRangesAsync(CancellationToken cancellationToken = default) =>
        RunAsync<IReadOnlyList<BlockRange>>("get missed block ranges", Access.Read, async (connection, transaction, ct) =>
        {
            var ranges = new List<BlockRange>();
            await using var command = Command(connection, transaction, $"SELECT missing_blocks_start, missing_blocks_end FROM user_events WHERE event_type = '{MissingBlocksEvent}' ORDER BY id");
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                ranges.Add(ReadRange(reader, 0));
            }

            return ranges;
        }, cancellationToken);

    // ---- Ingest invocations ----

    public Task<long> NewIngestInvocationAsync(long? previousInvocationId, RistrettoPublic ingressKey, KexRngPubkey egressPublicKey, ulong startBlock, CancellationToken cancellationToken = default)
    {
        var keyBytes = KeyBytes(ingressKey);
        ArgumentNullException.ThrowIfNull(egressPublicKey);
        var egress = egressPublicKey.PublicKey.ToArray();
        var start = ToDb(startBlock, nameof(startBlock));
        var version = checked((int)egressPublicKey.Version);
        return RunAsync("new ingest invocation", Access.Write, async (connection, transaction, ct) =>
        {
            await _dialect.LockUserEventsAsync(connection, transaction!, ct).ConfigureAwait(false);
            var now = _dialect.TimeValue(_time.GetUtcNow());
            if (previousInvocationId is { } previous)
            {
                await DecommissionAsync(connection, transaction!, previous, now, ct).ConfigureAwait(false);
            }

            if (await ScalarAsync(connection, transaction, "SELECT 1 FROM ingress_keys WHERE ingress_public_key = @key", ct, ("key", keyBytes)).ConfigureAwait(false) is null)
            {
                throw MissingIngressKey();
            }

            var id = await ScalarAsync(
                connection,
                transaction,
                "INSERT INTO ingest_invocations (ingress_public_key, egress_public_key, last_active_at, start_block, decommissioned, rng_version)" +
                " VALUES (@key, @egress, @now, @start, FALSE, @version) ON CONFLICT DO NOTHING RETURNING id",
                ct,
                ("key", keyBytes),
                ("egress", egress),
                ("now", now),
                ("start", start),
                ("version", version)).ConfigureAwait(false);
            if (id is null)
            {
                throw new RecoveryDbException(RecoveryDbError.EgressKeyAlreadyUsed, "Another ingest invocation already uses this egress key.");
            }

            var invocationId = Convert.ToInt64(id, System.Globalization.CultureInfo.InvariantCulture);
            await ExecuteAsync(
                connection,
                transaction,
                $"INSERT INTO user_events (event_type, new_ingest_invocation_id) VALUES ('{NewIngestInvocationEvent}', @id)",
                ct,
                ("id", invocationId)).ConfigureAwait(false);
            return invocationId;
        }, cancellationToken);
    }

    public Task<bool> DecommissionIngestInvocationAsync(long invocationId, CancellationToken cancellationToken = default) =>
        RunAsync("decommission ingest invocation", Access.Write, async (connection, transaction, ct) =>
        {
            await _dialect.LockUserEventsAsync(connection, transaction!, ct).ConfigureAwait(false);
            return await DecommissionAsync(connection, transaction!, invocationId, _dialect.TimeValue(_time.GetUtcNow()), ct).ConfigureAwait(false);
        }, cancellationToken);

    /// <summary>Inside a write transaction holding the user-events lock.</summary>
    private async Task<bool> DecommissionAsync(DbConnection connection, DbTransaction transaction, long invocationId, object now, CancellationToken ct)
    {
        var decommissioned = await ScalarAsync(connection, transaction, $"SELECT decommissioned FROM ingest_invocations WHERE id = @id{_dialect.LockRowsClause}", ct, ("id", invocationId)).ConfigureAwait(false);
        if (decommissioned is null)
        {
            throw UnknownInvocation(invocationId);
        }

        if (Convert.ToBoolean(decommissioned, System.Globalization.CultureInfo.InvariantCulture))
        {
            return false;
        }

        await ExecuteAsync(connection, transaction, "UPDATE ingest_invocations SET decommissioned = TRUE, last_active_at = @now WHERE id = @id", ct, ("now", now), ("id", invocationId)).ConfigureAwait(false);
        await ExecuteAsync(
            connection,
            transaction,
            $"INSERT INTO user_events (event_type, decommission_ingest_invocation_id) VALUES ('{DecommissionIngestInvocationEvent}', @id)",
            ct,
            ("id", invocationId)).ConfigureAwait(false);
        return true;
    }

    public Task UpdateLastActiveAtAsync(long invocationId, CancellationToken cancellationToken = default) =>
        RunAsync("update last active", Access.Write, async (connection, transaction, ct) =>
        {
            var updated = await ExecuteAsync(connection, transaction, "UPDATE ingest_invocations SET last_active_at = @now WHERE id = @id", ct, ("now", _dialect.TimeValue(_time.GetUtcNow())), ("id", invocationId)).ConfigureAwait(false);
            return updated == 1 ? true : throw UnknownInvocation(invocationId);
        }, cancellationToken);

    public Task<IngestInvocation?> GetIngestInvocationAsync(long invocationId, CancellationToken cancellationToken = default) =>
        RunAsync("get ingest invocation", Access.Read, async (connection, transaction, ct) =>
        {
            await using var command = Command(
                connection,
                transaction,
                "SELECT id, ingress_public_key, egress_public_key, rng_version, start_block, decommissioned, last_active_at FROM ingest_invocations WHERE id = @id",
                ("id", invocationId));
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            if (!await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                return null;
            }

            return new IngestInvocation(
                reader.GetInt64(0),
                ReadKey(reader, 1),
                new KexRngPubkey(reader.GetFieldValue<byte[]>(2), checked((uint)reader.GetInt32(3))),
                ReadBlock(reader, 4),
                reader.GetBoolean(5),
                _dialect.ReadTime(reader, 6));
        }, cancellationToken);

    public Task<IReadOnlyList<IngestableRange>> GetIngestableRangesAsync(CancellationToken cancellationToken = default) =>
        RunAsync<IReadOnlyList<IngestableRange>>("get ingestable ranges", Access.Read, async (connection, transaction, ct) =>
        {
            var ranges = new List<IngestableRange>();
            await using var command = Command(
                connection,
                transaction,
                "SELECT i.id, i.start_block, i.decommissioned, (SELECT MAX(b.block_number) FROM ingested_blocks b WHERE b.ingest_invocation_id = i.id)" +
                " FROM ingest_invocations i ORDER BY i.id");
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                ranges.Add(new IngestableRange(reader.GetInt64(0), ReadBlock(reader, 1), reader.GetBoolean(2), reader.IsDBNull(3) ? null : ReadBlock(reader, 3)));
            }

            return ranges;
        }, cancellationToken);

    public Task<IReadOnlyList<ExpiredInvocation>> GetExpiredInvocationsAsync(DateTimeOffset lastActiveBefore, CancellationToken cancellationToken = default) =>
        RunAsync<IReadOnlyList<ExpiredInvocation>>("get expired invocations", Access.Read, async (connection, transaction, ct) =>
        {
            var expired = new List<ExpiredInvocation>();
            await using var command = Command(
                connection,
                transaction,
                "SELECT id, egress_public_key, rng_version, last_active_at FROM ingest_invocations WHERE last_active_at < @before AND decommissioned = FALSE ORDER BY id",
                ("before", _dialect.TimeValue(lastActiveBefore)));
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                expired.Add(new ExpiredInvocation(reader.GetInt64(0), new KexRngPubkey(reader.GetFieldValue<byte[]>(1), checked((uint)reader.GetInt32(2))), _dialect.ReadTime(reader, 3)));
            }

            return expired;
        }, cancellationToken);

    // ---- Ingested blocks ----

    public Task<AddBlockDataResult> AddBlockDataAsync(long invocationId, ulong blockIndex, ulong cumulativeTxoCount, ulong signatureTimestamp, IReadOnlyList<ETxOutRecord> records, CancellationToken cancellationToken = default)
    {
        var block = ToDb(blockIndex, nameof(blockIndex));
        var count = ToDb(cumulativeTxoCount, nameof(cumulativeTxoCount));
        var timestamp = unchecked((long)signatureTimestamp); // ulong.MaxValue ("no signature") is stored as -1, as the reference does
        var blob = IngestedBlockData.Encode(records);
        return RunAsync("add block data", Access.Write, async (connection, transaction, ct) =>
        {
            // Lock the invocation: a concurrent decommission either commits first (and we write nothing) or waits for us.
            byte[] keyBytes;
            await using (var command = Command(connection, transaction, $"SELECT ingress_public_key, decommissioned FROM ingest_invocations WHERE id = @id{_dialect.LockRowsClause}", ("id", invocationId)))
            await using (var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false))
            {
                if (!await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    throw UnknownInvocation(invocationId);
                }

                keyBytes = reader.GetFieldValue<byte[]>(0);
                if (reader.GetBoolean(1))
                {
                    return new AddBlockDataResult(AddBlockDataStatus.InvocationDecommissioned, null);
                }
            }

            var inserted = await ExecuteAsync(
                connection,
                transaction,
                "INSERT INTO ingested_blocks (ingest_invocation_id, ingress_public_key, block_number, cumulative_txo_count, block_signature_timestamp, proto_ingested_block_data)" +
                " VALUES (@id, @key, @block, @count, @timestamp, @data) ON CONFLICT DO NOTHING",
                ct,
                ("id", invocationId),
                ("key", keyBytes),
                ("block", block),
                ("count", count),
                ("timestamp", timestamp),
                ("data", blob)).ConfigureAwait(false);
            if (inserted == 0)
            {
                // The unique (ingress key, block) constraint: some invocation already stored this block under this key.
                var holder = await ScalarAsync(
                    connection,
                    transaction,
                    "SELECT ingest_invocation_id FROM ingested_blocks WHERE ingress_public_key = @key AND block_number = @block",
                    ct,
                    ("key", keyBytes),
                    ("block", block)).ConfigureAwait(false);
                return new AddBlockDataResult(AddBlockDataStatus.AlreadyScannedWithThisKey, holder is null ? null : Convert.ToInt64(holder, System.Globalization.CultureInfo.InvariantCulture));
            }

            await ExecuteAsync(connection, transaction, "UPDATE ingest_invocations SET last_active_at = @now WHERE id = @id", ct, ("now", _dialect.TimeValue(_time.GetUtcNow())), ("id", invocationId)).ConfigureAwait(false);
            return new AddBlockDataResult(AddBlockDataStatus.Added, invocationId);
        }, cancellationToken);
    }

    public Task<IReadOnlyList<ETxOutRecord>?> GetTxOutsByBlockAndKeyAsync(RistrettoPublic key, ulong blockIndex, CancellationToken cancellationToken = default)
    {
        var keyBytes = KeyBytes(key);
        if (blockIndex > long.MaxValue)
        {
            return Task.FromResult<IReadOnlyList<ETxOutRecord>?>(null);
        }

        return RunAsync<IReadOnlyList<ETxOutRecord>?>("get tx outs by block and key", Access.Read, async (connection, transaction, ct) =>
        {
            var blob = await ScalarAsync(
                connection,
                transaction,
                "SELECT proto_ingested_block_data FROM ingested_blocks WHERE ingress_public_key = @key AND block_number = @block",
                ct,
                ("key", keyBytes),
                ("block", (long)blockIndex)).ConfigureAwait(false);
            return blob is null ? null : Decode((byte[])blob, blockIndex);
        }, cancellationToken);
    }

    public Task<IReadOnlyList<IngestedBlock>> GetTxOutsByBlockRangeAndKeyAsync(RistrettoPublic key, BlockRange range, CancellationToken cancellationToken = default)
    {
        var keyBytes = KeyBytes(key);
        if (range.IsEmpty || range.Start > long.MaxValue)
        {
            return Task.FromResult<IReadOnlyList<IngestedBlock>>([]);
        }

        var start = (long)range.Start;
        var end = (long)Math.Min(range.End, long.MaxValue);
        return RunAsync<IReadOnlyList<IngestedBlock>>("get tx outs by block range and key", Access.Read, async (connection, transaction, ct) =>
        {
            var blocks = new List<IngestedBlock>();
            await using var command = Command(
                connection,
                transaction,
                "SELECT block_number, cumulative_txo_count, block_signature_timestamp, ingest_invocation_id, proto_ingested_block_data FROM ingested_blocks" +
                " WHERE ingress_public_key = @key AND block_number >= @start AND block_number < @end ORDER BY block_number LIMIT @limit",
                ("key", keyBytes),
                ("start", start),
                ("end", end),
                ("limit", end - start));
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            var expected = range.Start;
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                var block = ReadBlock(reader, 0);
                if (block != expected)
                {
                    break; // a gap: the blocks after it are not consecutive yet
                }

                blocks.Add(new IngestedBlock(
                    block,
                    ReadBlock(reader, 1),
                    unchecked((ulong)reader.GetInt64(2)),
                    reader.GetInt64(3),
                    Decode(reader.GetFieldValue<byte[]>(4), block)));
                expected++;
            }

            return blocks;
        }, cancellationToken);
    }

    public Task<long?> GetInvocationIdByBlockAndKeyAsync(RistrettoPublic key, ulong blockIndex, CancellationToken cancellationToken = default)
    {
        var keyBytes = KeyBytes(key);
        if (blockIndex > long.MaxValue)
        {
            return Task.FromResult<long?>(null);
        }

        return RunAsync("get invocation by block and key", Access.Read, async (connection, transaction, ct) =>
        {
            var id = await ScalarAsync(
                connection,
                transaction,
                "SELECT ingest_invocation_id FROM ingested_blocks WHERE ingress_public_key = @key AND block_number = @block",
                ct,
                ("key", keyBytes),
                ("block", (long)blockIndex)).ConfigureAwait(false);
            return id is null ? (long?)null : Convert.ToInt64(id, System.Globalization.CultureInfo.InvariantCulture);
        }, cancellationToken);
    }

    public Task<ulong?> GetCumulativeTxoCountForBlockAsync(ulong blockIndex, CancellationToken cancellationToken = default)
    {
        if (blockIndex > long.MaxValue)
        {
            return Task.FromResult<ulong?>(null);
        }

        return RunAsync("get cumulative txo count", Access.Read, async (connection, transaction, ct) =>
        {
            var counts = new List<ulong>();
            await using var command = Command(connection, transaction, "SELECT DISTINCT cumulative_txo_count FROM ingested_blocks WHERE block_number = @block", ("block", (long)blockIndex));
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                counts.Add(ReadBlock(reader, 0));
            }

            return counts.Count switch
            {
                0 => (ulong?)null,
                1 => counts[0],
                _ => throw new RecoveryDbException(
                    RecoveryDbError.InconsistentData,
                    $"Block {blockIndex} is stored with different cumulative TxO counts ({string.Join(", ", counts.Order())})."),
            };
        }, cancellationToken);
    }

    public Task<ulong?> GetBlockSignatureTimestampForBlockAsync(ulong blockIndex, CancellationToken cancellationToken = default)
    {
        if (blockIndex > long.MaxValue)
        {
            return Task.FromResult<ulong?>(null);
        }

        return RunAsync("get block signature timestamp", Access.Read, async (connection, transaction, ct) =>
        {
            var timestamp = await ScalarAsync(connection, transaction, "SELECT block_signature_timestamp FROM ingested_blocks WHERE block_number = @block ORDER BY id LIMIT 1", ct, ("block", (long)blockIndex)).ConfigureAwait(false);
            return timestamp is null ? (ulong?)null : unchecked((ulong)Convert.ToInt64(timestamp, System.Globalization.CultureInfo.InvariantCulture));
        }, cancellationToken);
    }

    public Task<ulong?> GetHighestKnownBlockIndexAsync(CancellationToken cancellationToken = default) =>
        RunAsync("get highest known block", Access.Read, async (connection, transaction, ct) =>
            ToBlock(await ScalarAsync(connection, transaction, "SELECT MAX(block_number) FROM ingested_blocks", ct).ConfigureAwait(false)),
            cancellationToken);

    // ---- User events ----

    public Task<UserEventPage> SearchUserEventsAsync(long startFromUserEventId, CancellationToken cancellationToken = default)
    {
        if (startFromUserEventId == long.MaxValue)
        {
            return Task.FromResult(new UserEventPage([], long.MaxValue));
        }

        return RunAsync("search user events", Access.Read, async (connection, transaction, ct) =>
        {
            var events = new List<UserEvent>();
            await using var command = Command(
                connection,
                transaction,
                "SELECT e.id, e.event_type, e.new_ingest_invocation_id, i.egress_public_key, i.rng_version, i.start_block, e.decommission_ingest_invocation_id," +
                " (SELECT MAX(b.block_number) FROM ingested_blocks b WHERE b.ingest_invocation_id = e.decommission_ingest_invocation_id)," +
                " e.missing_blocks_start, e.missing_blocks_end" +
                " FROM user_events e LEFT JOIN ingest_invocations i ON i.id = e.new_ingest_invocation_id WHERE e.id > @cursor ORDER BY e.id",
                ("cursor", startFromUserEventId));
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                var id = reader.GetInt64(0);
                events.Add(reader.GetString(1) switch
                {
                    NewIngestInvocationEvent => new NewRngRecordEvent(
                        id,
                        reader.GetInt64(2),
                        new KexRngPubkey(reader.GetFieldValue<byte[]>(3), checked((uint)reader.GetInt32(4))),
                        ReadBlock(reader, 5)),
                    DecommissionIngestInvocationEvent => new DecommissionedIngestInvocationEvent(id, reader.GetInt64(6), reader.IsDBNull(7) ? 0 : ReadBlock(reader, 7)),
                    MissingBlocksEvent => new MissingBlocksEvent(id, ReadRange(reader, 8)),
                    var other => throw new RecoveryDbException(RecoveryDbError.CorruptData, $"User event {id} has an unknown type '{other}'."),
                });
            }

            return new UserEventPage(events, events.Count > 0 ? events[^1].Id : startFromUserEventId);
        }, cancellationToken);
    }

    // ---- Reports ----

    public Task<IReadOnlyList<ReportEntry>> GetAllReportsAsync(CancellationToken cancellationToken = default) =>
        RunAsync<IReadOnlyList<ReportEntry>>("get all reports", Access.Read, async (connection, transaction, ct) =>
        {
            var reports = new List<ReportEntry>();
            await using var command = Command(connection, transaction, "SELECT fog_report_id, ingest_invocation_id, report, pubkey_expiry FROM reports ORDER BY id");
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                reports.Add(new ReportEntry(
                    reader.GetString(0),
                    new ReportData(reader.IsDBNull(1) ? null : reader.GetInt64(1), reader.GetFieldValue<byte[]>(2), ReadBlock(reader, 3))));
            }

            return reports;
        }, cancellationToken);

    public Task<IngressPublicKeyStatus> SetReportAsync(RistrettoPublic ingressKey, string fogReportId, ReportData data, CancellationToken cancellationToken = default)
    {
        var keyBytes = KeyBytes(ingressKey);
        CheckReportId(fogReportId);
        ArgumentNullException.ThrowIfNull(data);
        var expiry = ToDb(data.PubkeyExpiry, nameof(data));
        var report = data.Report.ToArray();
        return RunAsync("set report", Access.Write, async (connection, transaction, ct) =>
        {
            var status = await ReadKeyStatusAsync(connection, transaction, keyBytes, lockRow: true, ct).ConfigureAwait(false) ?? throw MissingIngressKey();
            if (status.Retired || status.Lost)
            {
                return status; // no more reports for this key, and its expiry stays where clients were told it is
            }

            if (data.IngestInvocationId is { } invocationId
                && await ScalarAsync(connection, transaction, "SELECT 1 FROM ingest_invocations WHERE id = @id", ct, ("id", invocationId)).ConfigureAwait(false) is null)
            {
                throw UnknownInvocation(invocationId);
            }

            if (data.PubkeyExpiry > status.PubkeyExpiry)
            {
                await ExecuteAsync(connection, transaction, "UPDATE ingress_keys SET pubkey_expiry = @expiry WHERE ingress_public_key = @key", ct, ("expiry", expiry), ("key", keyBytes)).ConfigureAwait(false);
                status = status with { PubkeyExpiry = data.PubkeyExpiry };
            }

            await ExecuteAsync(
                connection,
                transaction,
                "INSERT INTO reports (ingress_public_key, ingest_invocation_id, fog_report_id, report, pubkey_expiry) VALUES (@key, @invocation, @id, @report, @expiry)" +
                " ON CONFLICT (fog_report_id) DO UPDATE SET ingress_public_key = excluded.ingress_public_key, ingest_invocation_id = excluded.ingest_invocation_id," +
                " report = excluded.report, pubkey_expiry = excluded.pubkey_expiry",
                ct,
                ("key", keyBytes),
                ("invocation", data.IngestInvocationId),
                ("id", fogReportId),
                ("report", report),
                ("expiry", expiry)).ConfigureAwait(false);
            return status;
        }, cancellationToken);
    }

    public Task<bool> RemoveReportAsync(string fogReportId, CancellationToken cancellationToken = default)
    {
        CheckReportId(fogReportId);
        return RunAsync("remove report", Access.Write, async (connection, transaction, ct) =>
            await ExecuteAsync(connection, transaction, "DELETE FROM reports WHERE fog_report_id = @id", ct, ("id", fogReportId)).ConfigureAwait(false) > 0,
            cancellationToken);
    }

    // ---- Shared reads ----

    private async Task<IngressPublicKeyStatus?> ReadKeyStatusAsync(DbConnection connection, DbTransaction? transaction, byte[] keyBytes, bool lockRow, CancellationToken ct)
    {
        await using var command = Command(
            connection,
            transaction,
            $"SELECT start_block, pubkey_expiry, retired, lost FROM ingress_keys WHERE ingress_public_key = @key{(lockRow ? _dialect.LockRowsClause : "")}",
            ("key", keyBytes));
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        return await reader.ReadAsync(ct).ConfigureAwait(false)
            ? new IngressPublicKeyStatus(ReadBlock(reader, 0), ReadBlock(reader, 1), reader.GetBoolean(2), reader.GetBoolean(3))
            : null;
    }

    // ---- Execution, retries and error mapping ----

    private enum Access
    {
        Read,
        Write,
        Migrate,
    }

    /// <summary>
    /// Runs <paramref name="body"/> on a fresh pooled connection (in a write transaction unless it only reads),
    /// mapping backend failures to <see cref="RecoveryDbException"/>. Transient failures are retried with
    /// bounded back-off when that is safe: always for reads, and for writes only when nothing was sent yet
    /// (the connection could not be opened or the transaction could not start).
    /// </summary>
    private async Task<T> RunAsync<T>(string operation, Access access, Func<DbConnection, DbTransaction?, CancellationToken, Task<T>> body, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var started = false;
            try
            {
                var connection = await _dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    if (access == Access.Read)
                    {
                        started = true;
                        return await body(connection, null, cancellationToken).ConfigureAwait(false);
                    }

                    if (access == Access.Migrate)
                    {
                        await _dialect.PrepareForMigrationAsync(connection, cancellationToken).ConfigureAwait(false);
                    }

                    var transaction = await _dialect.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
                    await using (transaction.ConfigureAwait(false))
                    {
                        started = true;
                        var result = await body(connection, transaction, cancellationToken).ConfigureAwait(false);
                        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                        return result;
                    }
                }
            }
            catch (Exception e) when (e is not RecoveryDbException && !cancellationToken.IsCancellationRequested && _dialect.Classify(e) is { } error)
            {
                var transient = error is RecoveryDbError.Unavailable or RecoveryDbError.Busy;
                if (error == RecoveryDbError.Unavailable)
                {
                    _dialect.OnConnectionFailure();
                }

                if (!transient || attempt >= _retry.MaxRetries || (access != Access.Read && started))
                {
                    throw new RecoveryDbException(error, $"Recovery DB ({_dialect.Name}): {operation} failed: {e.Message}", e);
                }

                await Task.Delay(_retry.DelayBeforeRetry(attempt + 1), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    private static async Task<int> ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>The first column of the first row, or null if there is no row or it is NULL.</summary>
    private static async Task<object?> ScalarAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        var value = await command.ExecuteScalarAsync(ct).ConfigureAwait(false);
        return value is DBNull ? null : value;
    }

    // ---- Conversions ----

    private static byte[] KeyBytes(RistrettoPublic key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.Bytes.ToArray();
    }

    private static long ToDb(ulong value, string parameterName) =>
        value <= long.MaxValue ? (long)value : throw new ArgumentOutOfRangeException(parameterName, value, "The recovery DB stores values up to 2^63 - 1.");

    private static ulong? ToBlock(object? value) =>
        value is null ? null : checked((ulong)Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));

    private static ulong ReadBlock(DbDataReader reader, int ordinal)
    {
        var value = reader.GetInt64(ordinal);
        return value >= 0 ? (ulong)value : throw new RecoveryDbException(RecoveryDbError.CorruptData, $"A stored block index or count is negative ({value}).");
    }

    private static BlockRange ReadRange(DbDataReader reader, int ordinal)
    {
        var start = ReadBlock(reader, ordinal);
        var end = ReadBlock(reader, ordinal + 1);
        return end >= start ? new BlockRange(start, end) : throw new RecoveryDbException(RecoveryDbError.CorruptData, $"A stored block range ends before it starts ({start}, {end}).");
    }

    private static RistrettoPublic ReadKey(DbDataReader reader, int ordinal) =>
        RistrettoPublic.TryFrom(reader.GetFieldValue<byte[]>(ordinal), out var key)
            ? key
            : throw new RecoveryDbException(RecoveryDbError.CorruptData, "A stored ingress key is not a valid ristretto255 point.");

    private static ETxOutRecord[] Decode(byte[] blob, ulong blockIndex) =>
        IngestedBlockData.TryDecode(blob, out var records)
            ? records
            : throw new RecoveryDbException(RecoveryDbError.CorruptData, $"The stored records of block {blockIndex} cannot be decoded.");

    private static void CheckReportId(string fogReportId)
    {
        ArgumentNullException.ThrowIfNull(fogReportId);
        if (fogReportId.EnumerateRunes().Count() > 64)
        {
            throw new ArgumentException("A fog report id is at most 64 characters.", nameof(fogReportId));
        }
    }

    private static RecoveryDbException MissingIngressKey() => new(RecoveryDbError.MissingIngressKey, "The ingress key is not in the recovery DB.");

    private static RecoveryDbException UnknownInvocation(long id) => new(RecoveryDbError.UnknownIngestInvocation, $"No ingest invocation has id {id}.");
}
