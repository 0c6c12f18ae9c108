package io.migrationplane.worker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.migrationplane.db.Transactions;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The resource ledger ({@code engine_resource}): what a real engine holds on a source or destination,
 * recorded before it is created and forgotten after it is dropped, so that a release knows what to
 * free even after a crash at any point. Called from the engines' threads, so it waits for the answer
 * (never on the event loop).
 */
@ApplicationScoped
class EngineLedger {

    /** What a resource is and where it lives. */
    enum Kind {
        REPLICATION_SLOT("SOURCE"), PUBLICATION("SOURCE"), CHECKPOINT_TABLE("DESTINATION");

        final String location;

        Kind(String location) {
            this.location = location;
        }
    }

    record Resource(Kind kind, String name) {
    }

    /** A RELEASING project with resources left and no live lease: what its release still has to drop. */
    record Releasing(UUID projectId, String projectName, WorkerStore.Endpoint source, WorkerStore.Endpoint destination,
            List<Resource> resources) {
    }

    private static final Duration WAIT = Duration.ofSeconds(15);

    private static final String RECORD = """
            insert into engine_resource (project_id, kind, location, name) values ($1, $2, $3, $4)
            on conflict (project_id, kind) do update set name = excluded.name
            """;
    private static final String FORGET = "delete from engine_resource where project_id = $1 and kind = $2";
    private static final String RELEASING = """
            select p.id, p.name, p.source_host, p.source_port, p.source_database, p.source_username, p.source_password,
                   p.destination_host, p.destination_port, p.destination_database, p.destination_username,
                   p.destination_password, e.kind, e.name as resource
              from project p join engine_resource e on e.project_id = p.id
              join project_runtime r on r.project_id = p.id
             where p.status = 'RELEASING' and (r.lease_token is null or r.lease_expires_at < now())
             order by p.id, e.kind
            """;
    private static final String REASON = """
            update project set status_reason = $2, version = version + 1, updated_at = now()
             where id = $1 and status_reason is distinct from $2
            """;

    private final Transactions db;

    EngineLedger(Transactions db) {
        this.db = db;
    }

    /** Written before the resource is created: a crash in between leaves an entry whose drop finds nothing. */
    void record(UUID projectId, Kind kind, String name) {
        db.run(conn -> conn.preparedQuery(RECORD).execute(Tuple.of(projectId, kind.name(), kind.location, name)))
                .await().atMost(WAIT);
    }

    /** Written after the resource was dropped. */
    void forget(UUID projectId, Kind kind) {
        db.run(conn -> conn.preparedQuery(FORGET).execute(Tuple.of(projectId, kind.name()))).await().atMost(WAIT);
    }

    /** The projects whose release waits for resources to be dropped. */
    List<Releasing> releasing() {
        return db.run(conn -> conn.query(RELEASING).execute()).map(rows -> {
            Map<UUID, Releasing> byProject = new LinkedHashMap<>();
            for (Row r : rows) {
                Releasing p = byProject.computeIfAbsent(r.getUUID("id"), id -> new Releasing(id, r.getString("name"),
                        new WorkerStore.Endpoint(r.getString("source_host"), r.getInteger("source_port"),
                                r.getString("source_database"), r.getString("source_username"), r.getString("source_password")),
                        new WorkerStore.Endpoint(r.getString("destination_host"), r.getInteger("destination_port"),
                                r.getString("destination_database"), r.getString("destination_username"),
                                r.getString("destination_password")),
                        new ArrayList<>()));
                p.resources().add(new Resource(Kind.valueOf(r.getString("kind")), r.getString("resource")));
            }
            return List.copyOf(byProject.values());
        }).await().atMost(WAIT);
    }

    /**
     * Why the project waits (null: it no longer does), shown as its {@code statusReason}. The project's
     * representation changes, so its version (the ETag) does too; only on a change of the sentence.
     */
    void reason(UUID projectId, String reason) {
        db.run(conn -> conn.preparedQuery(REASON).execute(Tuple.of(projectId, reason))).await().atMost(WAIT);
    }
}
