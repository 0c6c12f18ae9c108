package io.migrationplane.audit.rest;

import java.time.Instant;
import java.util.UUID;

import io.migrationplane.audit.EventAction;
import io.migrationplane.audit.ProjectEvent;

public record EventView(long id, UUID projectId, String projectName, Instant at, EventAction action, String fromStatus,
        String toStatus, String actor, String detail) {

    static EventView of(ProjectEvent e) {
        return new EventView(e.id, e.projectId, e.projectName, e.at, e.action, e.fromStatus, e.toStatus, e.actor, e.detail);
    }
}
