package io.migrationplane.progress;

import java.util.UUID;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The writes a start or delete makes to a project's runtime row, inside the request's transaction
 * (pause, resume and release do theirs in {@code StopAndResume}'s statement). Clearing
 * {@code active} is what fences off the workers: their every write requires it.
 */
@ApplicationScoped
public class RuntimeRepository {

    /** Channel on which a committed stop (pause, release, delete) is announced to every replica. */
    public static final String STOP_CHANNEL = "migration_project_stop";

    public Uni<Integer> create(UUID projectId) {
        return execute("insert into project_runtime (project_id) values (?1)", projectId);
    }

    /** Start: the plan of steps is written and any old lease is void. */
    public Uni<Integer> activate(UUID projectId, String stepsJson) {
        return execute("update project_runtime set active = true, lease_owner = null, lease_token = null,"
                + " lease_expires_at = null, steps = ?2, updated_at = now() where project_id = ?1", projectId, stepsJson);
    }

    /** Delivered by PostgreSQL only if the surrounding transaction commits. */
    public Uni<Void> announceStop(UUID projectId) {
        return Panache.getSession()
                .chain(s -> s.createNativeQuery("select count(*) from (select pg_notify(?1, ?2)) n")
                        .setParameter(1, STOP_CHANNEL)
                        .setParameter(2, projectId.toString())
                        .getSingleResult())
                .replaceWithVoid();
    }

    private Uni<Integer> execute(String sql, Object... params) {
        return Panache.getSession().chain(s -> {
            var query = s.createNativeQuery(sql);
            for (int i = 0; i < params.length; i++) {
                query.setParameter(i + 1, params[i]);
            }
            return query.executeUpdate();
        });
    }
}
