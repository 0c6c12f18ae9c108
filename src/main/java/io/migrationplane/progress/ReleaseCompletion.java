package io.migrationplane.progress;

import java.util.UUID;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * RELEASING becomes RELEASED once no live lease of the project is left: its worker let go, or the
 * lease expired because its replica died. Any replica may do it; the conditional update lets one win.
 */
@ApplicationScoped
public class ReleaseCompletion {

    public static final String DETAIL = "Full and incremental workers stopped; resources released";

    private static final String FINISH = """
            with released as (
                update project p set status = 'RELEASED', released_at = now(), updated_at = now(), version = p.version + 1
                where p.status = 'RELEASING' and ($1::uuid is null or p.id = $1::uuid)
                  and not exists (select 1 from project_runtime r where r.project_id = p.id
                                  and r.lease_token is not null and r.lease_expires_at > now())
                returning p.id, p.name),
            unleased as (
                update project_runtime r set lease_owner = null, lease_token = null, lease_expires_at = null
                 where r.project_id in (select id from released))
            insert into project_event (project_id, project_name, at, action, from_status, to_status, actor, detail)
            select id, name, now(), 'RELEASED', 'RELEASING', 'RELEASED', 'system', '%s'
            from released
            """.formatted(DETAIL);

    private final Pool pool;

    public ReleaseCompletion(Pool pool) {
        this.pool = pool;
    }

    /** Finishes the release of one project if its workers have stopped; returns whether it did. */
    public Uni<Boolean> finish(UUID projectId) {
        return pool.preparedQuery(FINISH).execute(Tuple.of(projectId)).map(rows -> rows.rowCount() > 0);
    }

    /** Finishes every release whose workers have stopped or whose owners died. */
    public Uni<Integer> finishAll() {
        return pool.preparedQuery(FINISH).execute(Tuple.tuple().addValue(null)).map(rows -> rows.rowCount());
    }
}
