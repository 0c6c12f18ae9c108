package io.migrationplane.audit;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** Writes and reads the audit trail. Writes join the caller's transaction, so a rolled-back change leaves no event. */
@ApplicationScoped
@WithSession
public class AuditLog implements PanacheRepositoryBase<ProjectEvent, Long> {

    public record EventPage(List<ProjectEvent> items, long totalItems) {
    }

    public Uni<ProjectEvent> record(UUID projectId, String projectName, EventAction action, Enum<?> from, Enum<?> to,
            String actor, String detail, Instant at) {
        ProjectEvent event = new ProjectEvent();
        event.projectId = projectId;
        event.projectName = projectName;
        event.action = action;
        event.fromStatus = from == null ? null : from.name();
        event.toStatus = to == null ? null : to.name();
        event.actor = actor;
        event.detail = detail;
        event.at = at;
        return persist(event);
    }

    /** Events matching the filters; {@code projectId} and {@code action} may be null. */
    public Uni<EventPage> page(UUID projectId, EventAction action, boolean newestFirst, int page, int size) {
        StringBuilder where = new StringBuilder("1 = 1");
        Parameters params = new Parameters();
        if (projectId != null) {
            where.append(" and projectId = :projectId");
            params = params.and("projectId", projectId);
        }
        if (action != null) {
            where.append(" and action = :action");
            params = params.and("action", action);
        }
        Sort sort = newestFirst ? Sort.descending("id") : Sort.ascending("id");
        var query = find(where.toString(), sort, params);
        return query.page(Page.of(page, size)).list()
                .chain(items -> query.count().map(total -> new EventPage(items, total)));
    }
}
