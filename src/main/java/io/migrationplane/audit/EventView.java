package io.migrationplane.audit;

import java.time.Instant;
import java.util.UUID;

import io.vertx.mutiny.sqlclient.Row;

public record EventView(long id, UUID projectId, String projectName, Instant at, EventAction action, String fromStatus,
        String toStatus, String actor, String detail) {

    static EventView of(Row r) {
        return new EventView(r.getLong(0), r.getUUID(1), r.getString(2), r.getOffsetDateTime(3).toInstant(),
                EventAction.valueOf(r.getString(4)), r.getString(5), r.getString(6), r.getString(7), r.getString(8));
    }
}
