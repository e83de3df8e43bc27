import GRDB

/// The schema, as an ordered list of migrations. Never edit a shipped migration: add one.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: events, attempts, dedup, state, receivers, rejected") { db in
            // Every request that passed the signature check, with what was done with it.
            try db.execute(sql: """
                CREATE TABLE event (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    received_at INTEGER NOT NULL,
                    source_address TEXT NOT NULL,
                    product TEXT NOT NULL,
                    environment TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    reason_class TEXT NOT NULL,
                    severity TEXT NOT NULL,
                    message TEXT NOT NULL,
                    object_kind TEXT NOT NULL,
                    object_name TEXT NOT NULL,
                    object_namespace TEXT NOT NULL,
                    revision TEXT NOT NULL,
                    commit_sha TEXT NOT NULL,
                    dispatch_repo TEXT NOT NULL,
                    event_type TEXT NOT NULL,
                    dedup_key TEXT,
                    outcome TEXT NOT NULL,
                    http_status INTEGER NOT NULL,
                    github_status INTEGER,
                    duration_ms REAL NOT NULL,
                    detail TEXT NOT NULL,
                    body TEXT NOT NULL,
                    payload TEXT
                );
                CREATE INDEX event_received_at ON event(received_at);
                CREATE INDEX event_outcome_received_at ON event(outcome, received_at);
                CREATE INDEX event_product_environment ON event(product, environment, received_at);

                -- Each HTTP exchange with GitHub made for an event (token exchange or dispatch).
                CREATE TABLE dispatch_attempt (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    event_id INTEGER NOT NULL REFERENCES event(id) ON DELETE CASCADE,
                    started_at INTEGER NOT NULL,
                    request TEXT NOT NULL,
                    status INTEGER,
                    duration_ms REAL NOT NULL,
                    error TEXT
                );
                CREATE INDEX dispatch_attempt_event ON dispatch_attempt(event_id);

                -- Durable dedup: keys recorded after a successful (or dry-run) dispatch.
                CREATE TABLE dedup_entry (
                    key TEXT PRIMARY KEY NOT NULL,
                    recorded_at INTEGER NOT NULL,
                    event_id INTEGER
                ) WITHOUT ROWID;
                CREATE INDEX dedup_entry_recorded_at ON dedup_entry(recorded_at);

                -- Flux's view per product and environment, kept current on write so the callout
                -- query reads a few rows instead of scanning the event history.
                CREATE TABLE environment_state (
                    product TEXT NOT NULL,
                    environment TEXT NOT NULL,
                    last_event_at INTEGER NOT NULL,
                    last_event_id INTEGER NOT NULL,
                    last_reason TEXT NOT NULL,
                    last_reason_class TEXT NOT NULL,
                    last_success_at INTEGER,
                    last_failure_at INTEGER,
                    last_failure_reason TEXT,
                    last_failure_message TEXT,
                    last_failure_event_id INTEGER,
                    failing_since INTEGER,
                    consecutive_failures INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (product, environment)
                ) WITHOUT ROWID;

                -- Our own outbound webhook per route (product, environment, repository, event type).
                CREATE TABLE route_state (
                    product TEXT NOT NULL,
                    environment TEXT NOT NULL,
                    dispatch_repo TEXT NOT NULL,
                    event_type TEXT NOT NULL,
                    last_attempt_at INTEGER NOT NULL,
                    last_event_id INTEGER NOT NULL,
                    last_outcome TEXT NOT NULL,
                    last_github_status INTEGER,
                    last_error TEXT,
                    last_delivered_at INTEGER,
                    failing_since INTEGER,
                    consecutive_failures INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (product, environment, dispatch_repo, event_type)
                ) WITHOUT ROWID;

                -- Receivers that write to this store; dashboards read liveness from last_beat_at.
                CREATE TABLE receiver (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    host TEXT NOT NULL,
                    pid INTEGER NOT NULL,
                    listen_address TEXT NOT NULL,
                    metrics_address TEXT NOT NULL,
                    mode TEXT NOT NULL,
                    delivery_mode TEXT NOT NULL,
                    dry_run INTEGER NOT NULL,
                    version TEXT NOT NULL,
                    started_at INTEGER NOT NULL,
                    last_beat_at INTEGER NOT NULL,
                    stopped_at INTEGER,
                    token_state TEXT NOT NULL DEFAULT '',
                    token_expires_at INTEGER
                );

                -- Requests refused before they were trusted (bad signature, too large, unparseable):
                -- counted per minute and source address, never stored row by row.
                CREATE TABLE rejected_request (
                    minute INTEGER NOT NULL,
                    source_address TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    count INTEGER NOT NULL,
                    PRIMARY KEY (minute, source_address, kind)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v2: dismissals, per-minute activity and dedup hits") { db in
            try db.execute(sql: """
                -- A product's callout hidden by one operator. It stops counting once a failure of
                -- that product newer than dismissed_at arrives (the callout comes back).
                CREATE TABLE dismissal (
                    product TEXT NOT NULL,
                    operator TEXT NOT NULL,
                    dismissed_at INTEGER NOT NULL,
                    PRIMARY KEY (product, operator)
                ) WITHOUT ROWID;

                -- Counters per minute, kept on write, so the dashboard header never counts events.
                CREATE TABLE activity_minute (
                    minute INTEGER PRIMARY KEY NOT NULL,
                    events INTEGER NOT NULL DEFAULT 0,
                    delivered INTEGER NOT NULL DEFAULT 0,
                    dispatch_failed INTEGER NOT NULL DEFAULT 0,
                    duplicates INTEGER NOT NULL DEFAULT 0
                );

                -- Dedup hits per product, environment, reason and minute, kept on write.
                CREATE TABLE dedup_hit_minute (
                    product TEXT NOT NULL,
                    environment TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    minute INTEGER NOT NULL,
                    count INTEGER NOT NULL,
                    last_at INTEGER NOT NULL,
                    PRIMARY KEY (minute, product, environment, reason)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v3: outbox, delivery circuits, redeliveries") { db in
            try db.execute(sql: """
                -- Outbox mode: each dispatch is committed here in the same transaction as its event
                -- and dedup claim, then sent by the delivery worker. Rows are kept after delivery
                -- (for the dashboard and status) and go with their event at retention.
                -- Order per repository is the order of id.
                CREATE TABLE outbox (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    event_id INTEGER NOT NULL UNIQUE REFERENCES event(id) ON DELETE CASCADE,
                    dispatch_repo TEXT NOT NULL,
                    event_type TEXT NOT NULL,
                    product TEXT NOT NULL,
                    environment TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    dedup_key TEXT NOT NULL,
                    -- (the payload to send is the event's: event.payload)
                    -- pending, delivered, rejected or dead
                    state TEXT NOT NULL,
                    queued_at INTEGER NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at INTEGER NOT NULL,
                    last_attempt_at INTEGER,
                    last_status INTEGER,
                    last_error TEXT,
                    finished_at INTEGER,
                    -- Set when an operator asked for this delivery (redelivery).
                    requested_by TEXT
                );
                CREATE INDEX outbox_pending ON outbox(dispatch_repo, id) WHERE state = 'pending';
                -- The queue's depth, oldest and retrying count for every dashboard frame, from the
                -- index alone; and the dispatches past their maximum age.
                CREATE INDEX outbox_pending_queued ON outbox(queued_at, attempts) WHERE state = 'pending';
                -- Dispatches that ended badly, for "dead / rejected in the last 24 hours"; partial, so
                -- queueing and delivering (the common writes) do not maintain it.
                CREATE INDEX outbox_ended_badly ON outbox(state, finished_at) WHERE state IN ('dead', 'rejected');

                -- Repositories whose recent attempts failed; a row with opened_at is paused
                -- (circuit open) until probe_at. No row: healthy.
                CREATE TABLE delivery_circuit (
                    dispatch_repo TEXT PRIMARY KEY NOT NULL,
                    consecutive_failures INTEGER NOT NULL,
                    opened_at INTEGER,
                    probe_at INTEGER,
                    last_error TEXT,
                    last_failure_at INTEGER NOT NULL
                ) WITHOUT ROWID;

                -- Who asked for a dispatch to be sent again, and what it was before.
                CREATE TABLE redelivery (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    event_id INTEGER NOT NULL REFERENCES event(id) ON DELETE CASCADE,
                    operator TEXT NOT NULL,
                    requested_at INTEGER NOT NULL,
                    previous_outcome TEXT NOT NULL
                );
                CREATE INDEX redelivery_event ON redelivery(event_id);
                """)
        }
        migrator.registerMigration("v4: no product index on events") { db in
            // Every recorded request (a flood of duplicates included) paid for this index, about a
            // tenth of a duplicate's write, and only `events --product` used it: that query reads
            // the newest events first and stops at its limit, which needs no index for the stores
            // a retention window keeps.
            try db.execute(sql: "DROP INDEX event_product_environment")
        }
        return migrator
    }
}
