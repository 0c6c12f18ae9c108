package io.migrationplane.project;

import java.util.List;
import java.util.Map;

/** What the project list is narrowed to and how it is ordered. Already validated. */
public record ProjectFilter(List<ProjectStatus> statuses, String nameContains, List<Map.Entry<String, String>> labels,
        Sort sort, int page, int size, boolean deleted, boolean alerting) {

    public enum SortField {
        NAME("lower(p.name)"), CREATED_AT("p.created_at"), UPDATED_AT("p.updated_at");

        public final String column;

        SortField(String column) {
            this.column = column;
        }
    }

    public record Sort(SortField field, boolean descending) {
        public static final Sort DEFAULT = new Sort(SortField.CREATED_AT, true);
    }
}
