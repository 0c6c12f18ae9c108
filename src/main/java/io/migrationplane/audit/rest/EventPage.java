package io.migrationplane.audit.rest;

import java.util.List;

public record EventPage(List<EventView> items, int page, int size, long totalItems, long totalPages) {
}
