package io.migrationplane.audit.rest;

import java.util.UUID;

import io.migrationplane.audit.AuditLog;
import io.migrationplane.audit.EventAction;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** Reads the audit trail as API pages, mapping entities inside the session. */
@ApplicationScoped
public class EventQueries {

    private final AuditLog audit;

    public EventQueries(AuditLog audit) {
        this.audit = audit;
    }

    @WithSession
    public Uni<EventPage> page(UUID projectId, EventAction action, boolean newestFirst, int page, int size) {
        return audit.page(projectId, action, newestFirst, page, size).map(p -> new EventPage(
                p.items().stream().map(EventView::of).toList(), page, size, p.totalItems(),
                (p.totalItems() + size - 1) / size));
    }
}
