package io.migrationplane.project;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A page of the list. {@code progress} is there only when asked for ({@code include=progress}): each listed
 * project's progress view (progress.ProgressView, which this package does not know) by id; absent, not null,
 * otherwise.
 */
public record ProjectPage(List<ProjectView> items, int page, int size, long totalItems, long totalPages,
        @JsonInclude(JsonInclude.Include.NON_NULL) Map<UUID, ?> progress) {

    public static ProjectPage of(List<ProjectView> items, int page, int size, long total) {
        return new ProjectPage(items, page, size, total, (total + size - 1) / size, null);
    }

    /** The same page with the progress of its projects. */
    public ProjectPage withProgress(Map<UUID, ?> progressById) {
        return new ProjectPage(items, page, size, totalItems, totalPages, progressById);
    }
}
