package io.migrationplane.diagnostics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.migrationplane.db.ReadClient;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Checks, in SQL, the promises the service makes about its data. Used by the tests after chaos
 * and soak runs, and by operators through {@code GET /api/v1/diagnostics/invariants}.
 */
@ApplicationScoped
public class InvariantChecker {

    public record Violation(String check, UUID projectId, String detail) {
    }

    public record Report(boolean ok, int projectsChecked, List<Violation> violations) {
    }

    private record Check(String name, String sql) {
    }

    private static final List<Check> CHECKS = List.of(
            // A live lease means a worker may run. Only RUNNING and RELEASING projects may have one; a
            // project that just stopped keeps it only while its worker lets go (it cannot be renewed).
            new Check("lease-only-while-running-or-releasing", """
                    select p.id, p.status || ' project with a live lease of ' || r.lease_owner as detail
                      from project p join project_runtime r on r.project_id = p.id
                     where r.lease_token is not null and r.lease_expires_at > now()
                       and p.status not in ('RUNNING', 'RELEASING')
                       and p.updated_at < now() - $1 * interval '1 millisecond'
                    """),
            new Check("released-holds-no-lease", """
                    select p.id, 'RELEASED project still holds lease ' || r.lease_token as detail
                      from project p join project_runtime r on r.project_id = p.id
                     where p.status = 'RELEASED' and r.lease_token is not null
                    """),
            new Check("workers-active-exactly-when-running", """
                    select p.id, p.status || ' project with active = ' || r.active as detail
                      from project p join project_runtime r on r.project_id = p.id
                     where r.active <> (p.status = 'RUNNING')
                    """),
            new Check("counters-within-totals", """
                    select p.id, 'rows ' || r.rows_migrated || ' / verified ' || r.rows_verified || ' of '
                           || coalesce(r.engine_rows_total, p.rows_total) as detail
                      from project p join project_runtime r on r.project_id = p.id
                     where r.rows_migrated > coalesce(r.engine_rows_total, p.rows_total)
                        or r.rows_verified > coalesce(r.engine_rows_total, p.rows_total)
                        or r.rows_migrated < 0 or r.changes_applied < 0
                    """),
            // A deleted project inside its restore window keeps its definition only: delete removed its runtime.
            new Check("every-project-has-a-runtime", """
                    select p.id, case when p.status = 'DELETED' then 'DELETED project still has its project_runtime row'
                                      else 'no project_runtime row' end as detail
                      from project p left join project_runtime r on r.project_id = p.id
                     where (r.project_id is null) <> (p.status = 'DELETED')
                    """),
            new Check("no-stuck-releasing", """
                    select p.id, 'RELEASING for ' || (now() - p.updated_at) || ' with no live lease' as detail
                      from project p join project_runtime r on r.project_id = p.id
                     where p.status = 'RELEASING' and (r.lease_token is null or r.lease_expires_at < now())
                       and p.updated_at < now() - 2 * $1 * interval '1 millisecond'
                       -- a release that waits to drop a real engine's resources is not stuck: its statusReason says why
                       and not exists (select 1 from engine_resource e where e.project_id = p.id)
                    """),
            // Every status change has its event: the events of a project chain from one status to the
            // next, and the last one ends in the current status.
            new Check("events-chain-status-changes", """
                    select project_id as id, action || ' from ' || coalesce(from_status, '-') || ' follows an event ending in '
                           || coalesce(previous, '-') as detail
                      from (select project_id, action, from_status,
                                   lag(to_status) over (partition by project_id order by id) as previous,
                                   row_number() over (partition by project_id order by id) as n
                              from project_event) e
                     where n > 1 and from_status is distinct from previous
                    """),
            new Check("current-status-has-its-event", """
                    select p.id, 'status ' || p.status || ' but last event ends in ' || coalesce(e.to_status, 'nothing') as detail
                      from project p
                      left join lateral (select to_status from project_event ev where ev.project_id = p.id
                                         order by ev.id desc limit 1) e on true
                     where e.to_status is distinct from p.status
                    """),
            // A deleted project stays (DELETED, or restored) until its window is over; the purge removes it.
            new Check("purged-projects-are-gone", """
                    select e.project_id as id, 'PURGED event but the project still exists' as detail
                      from project_event e join project p on p.id = e.project_id
                     where e.action = 'PURGED'
                    """));

    private final ReadClient client;
    private final OrphanResources orphans;
    /** The workers' lease TTL ({@code worker.WorkerSettings}), read from the same setting: nothing imports the workers. */
    private final Duration leaseTtl;

    public InvariantChecker(ReadClient client, OrphanResources orphans,
            @ConfigProperty(name = "migration.worker.lease-ttl", defaultValue = "5s") Duration leaseTtl) {
        this.client = client;
        this.orphans = orphans;
        this.leaseTtl = leaseTtl;
    }

    public Uni<Report> check() {
        long ttl = leaseTtl.toMillis();
        List<Violation> violations = new ArrayList<>();
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (Check check : CHECKS) {
            chain = chain.chain(() -> {
                var query = client.reads().preparedQuery(check.sql());
                var rows = check.sql().contains("$1") ? query.execute(Tuple.of(ttl)) : query.execute();
                return rows.invoke(set -> {
                    for (Row row : set) {
                        violations.add(new Violation(check.name(), row.getUUID("id"), row.getString("detail")));
                    }
                }).replaceWithVoid();
            });
        }
        return chain.chain(() -> orphans.find()).invoke(violations::addAll)
                .chain(() -> client.reads().query("select count(*) as n from project").execute())
                .map(rows -> new Report(violations.isEmpty(), rows.iterator().next().getLong("n").intValue(), violations));
    }
}
