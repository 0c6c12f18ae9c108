package io.migrationplane.project;

import java.util.List;

public record ProjectPage(List<ProjectView> items, int page, int size, long totalItems, long totalPages) {

    public static ProjectPage of(List<ProjectView> items, int page, int size, long total) {
        return new ProjectPage(items, page, size, total, (total + size - 1) / size);
    }
}
