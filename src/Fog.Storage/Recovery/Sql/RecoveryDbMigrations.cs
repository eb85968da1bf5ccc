namespace Fog.Storage.Recovery.Sql;

/// <summary>
/// The recovery DB schema history for each backend. The tables, columns and constraints are the
/// reference's (<c>reference/ingest.md</c> §3.1); only the storage types differ between backends.
/// A released migration is never edited (a test pins each one's hash): change the schema by appending one.
/// </summary>
internal static class RecoveryDbMigrations
{
    /// <summary>The schema version this program uses.</summary>
    public const int Latest = 1;

    private const string EventShape =
        "CHECK ((event_type = 'new_ingest_invocation' AND new_ingest_invocation_id IS NOT NULL AND decommission_ingest_invocation_id IS NULL" +
        " AND missing_blocks_start IS NULL AND missing_blocks_end IS NULL)" +
        " OR (event_type = 'decommission_ingest_invocation' AND decommission_ingest_invocation_id IS NOT NULL AND new_ingest_invocation_id IS NULL" +
        " AND missing_blocks_start IS NULL AND missing_blocks_end IS NULL)" +
        " OR (event_type = 'missing_blocks' AND missing_blocks_start IS NOT NULL AND missing_blocks_end IS NOT NULL AND missing_blocks_start < missing_blocks_end" +
        " AND new_ingest_invocation_id IS NULL AND decommission_ingest_invocation_id IS NULL))";

    /// <summary>SQLite: integers for booleans (0/1) and for times (microseconds since the Unix epoch, UTC).</summary>
    public static IReadOnlyList<Migration> Sqlite { get; } =
    [
        new(1, "initial schema: ingress keys, ingest invocations, ingested blocks, user events, reports", $"""
            CREATE TABLE ingress_keys (
                ingress_public_key BLOB NOT NULL PRIMARY KEY,
                start_block INTEGER NOT NULL CHECK (start_block >= 0),
                pubkey_expiry INTEGER NOT NULL DEFAULT 0 CHECK (pubkey_expiry >= 0),
                retired INTEGER NOT NULL DEFAULT 0 CHECK (retired IN (0, 1)),
                lost INTEGER NOT NULL DEFAULT 0 CHECK (lost IN (0, 1))
            );
            CREATE TABLE ingest_invocations (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                ingress_public_key BLOB NOT NULL REFERENCES ingress_keys (ingress_public_key),
                egress_public_key BLOB NOT NULL UNIQUE,
                last_active_at INTEGER NOT NULL,
                start_block INTEGER NOT NULL CHECK (start_block >= 0),
                decommissioned INTEGER NOT NULL DEFAULT 0 CHECK (decommissioned IN (0, 1)),
                rng_version INTEGER NOT NULL
            );
            CREATE TABLE ingested_blocks (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                ingest_invocation_id INTEGER NOT NULL REFERENCES ingest_invocations (id),
                ingress_public_key BLOB NOT NULL REFERENCES ingress_keys (ingress_public_key),
                block_number INTEGER NOT NULL CHECK (block_number >= 0),
                cumulative_txo_count INTEGER NOT NULL CHECK (cumulative_txo_count >= 0),
                block_signature_timestamp INTEGER NOT NULL,
                proto_ingested_block_data BLOB NOT NULL,
                UNIQUE (ingest_invocation_id, block_number),
                UNIQUE (ingress_public_key, block_number)
            );
            CREATE INDEX idx_ingested_blocks__block_number ON ingested_blocks (block_number);
            CREATE TABLE user_events (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                event_type TEXT NOT NULL,
                new_ingest_invocation_id INTEGER NULL UNIQUE REFERENCES ingest_invocations (id),
                decommission_ingest_invocation_id INTEGER NULL UNIQUE REFERENCES ingest_invocations (id),
                missing_blocks_start INTEGER NULL,
                missing_blocks_end INTEGER NULL,
                UNIQUE (missing_blocks_start, missing_blocks_end),
                {EventShape}
            );
            CREATE INDEX idx_user_events__event_type__id ON user_events (event_type, id);
            CREATE TABLE reports (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                ingress_public_key BLOB NOT NULL REFERENCES ingress_keys (ingress_public_key),
                ingest_invocation_id INTEGER NULL REFERENCES ingest_invocations (id),
                fog_report_id TEXT NOT NULL UNIQUE,
                report BLOB NOT NULL,
                pubkey_expiry INTEGER NOT NULL CHECK (pubkey_expiry >= 0)
            );
            """),
    ];

    /// <summary>
    /// PostgreSQL: the reference's types, with TIMESTAMPTZ for times. Block records are stored out of line
    /// without compression (STORAGE EXTERNAL): they are ciphertext, so compressing them only costs time.
    /// </summary>
    public static IReadOnlyList<Migration> Postgres { get; } =
    [
        new(1, "initial schema: ingress keys, ingest invocations, ingested blocks, user events, reports", $"""
            CREATE TABLE ingress_keys (
                ingress_public_key BYTEA NOT NULL PRIMARY KEY,
                start_block BIGINT NOT NULL CHECK (start_block >= 0),
                pubkey_expiry BIGINT NOT NULL DEFAULT 0 CHECK (pubkey_expiry >= 0),
                retired BOOLEAN NOT NULL DEFAULT FALSE,
                lost BOOLEAN NOT NULL DEFAULT FALSE
            );
            CREATE TABLE ingest_invocations (
                id BIGSERIAL PRIMARY KEY,
                ingress_public_key BYTEA NOT NULL,
                egress_public_key BYTEA NOT NULL UNIQUE,
                last_active_at TIMESTAMPTZ NOT NULL,
                start_block BIGINT NOT NULL CHECK (start_block >= 0),
                decommissioned BOOLEAN NOT NULL DEFAULT FALSE,
                rng_version INT NOT NULL,
                CONSTRAINT ingest_invocations__fk_ingress_keys FOREIGN KEY (ingress_public_key) REFERENCES ingress_keys (ingress_public_key)
            );
            CREATE TABLE ingested_blocks (
                id BIGSERIAL PRIMARY KEY,
                ingest_invocation_id BIGINT NOT NULL,
                ingress_public_key BYTEA NOT NULL,
                block_number BIGINT NOT NULL CHECK (block_number >= 0),
                cumulative_txo_count BIGINT NOT NULL CHECK (cumulative_txo_count >= 0),
                block_signature_timestamp BIGINT NOT NULL,
                proto_ingested_block_data BYTEA NOT NULL,
                CONSTRAINT ingested_blocks__fk_ingest_invocation FOREIGN KEY (ingest_invocation_id) REFERENCES ingest_invocations (id),
                CONSTRAINT ingested_blocks__fk_ingress_keys FOREIGN KEY (ingress_public_key) REFERENCES ingress_keys (ingress_public_key),
                UNIQUE (ingest_invocation_id, block_number),
                UNIQUE (ingress_public_key, block_number)
            );
            ALTER TABLE ingested_blocks ALTER COLUMN proto_ingested_block_data SET STORAGE EXTERNAL;
            CREATE INDEX idx_ingested_blocks__block_number ON ingested_blocks (block_number);
            CREATE TABLE user_events (
                id BIGSERIAL PRIMARY KEY,
                event_type TEXT NOT NULL,
                new_ingest_invocation_id BIGINT NULL UNIQUE,
                decommission_ingest_invocation_id BIGINT NULL UNIQUE,
                missing_blocks_start BIGINT NULL,
                missing_blocks_end BIGINT NULL,
                CONSTRAINT user_events__fk_new_ingest_invocation FOREIGN KEY (new_ingest_invocation_id) REFERENCES ingest_invocations (id),
                CONSTRAINT user_events__fk_decommissioned_ingest_invocation FOREIGN KEY (decommission_ingest_invocation_id) REFERENCES ingest_invocations (id),
                UNIQUE (missing_blocks_start, missing_blocks_end),
                {EventShape}
            );
            CREATE INDEX idx_user_events__event_type__id ON user_events (event_type, id);
            CREATE TABLE reports (
                id BIGSERIAL PRIMARY KEY,
                ingress_public_key BYTEA NOT NULL,
                ingest_invocation_id BIGINT NULL,
                fog_report_id VARCHAR(64) NOT NULL UNIQUE,
                report BYTEA NOT NULL,
                pubkey_expiry BIGINT NOT NULL CHECK (pubkey_expiry >= 0),
                CONSTRAINT reports__fk_ingress_key FOREIGN KEY (ingress_public_key) REFERENCES ingress_keys (ingress_public_key),
                CONSTRAINT reports__fk_ingest_invocation FOREIGN KEY (ingest_invocation_id) REFERENCES ingest_invocations (id)
            );
            """),
    ];
}
