package io.migrationplane.audit;

import java.util.List;

public record EventPage(List<EventView> items, int page, int size, long totalItems, long totalPages) {

    static EventPage of(List<EventView> items, int page, int size, long total) {
        return new EventPage(items, page, size, total, (total + size - 1) / size);
    }
}
