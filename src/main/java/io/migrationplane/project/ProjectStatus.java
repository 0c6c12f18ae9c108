package io.migrationplane.project;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The lifecycle of a migration project and the single table of what each status allows
 * (api.md, "Statuses and what each allows").
 */
public enum ProjectStatus {
    NOT_STARTED(EnumSet.of(ProjectAction.START, ProjectAction.DELETE, ProjectAction.CLONE), Editable.ALL),
    RUNNING(EnumSet.of(ProjectAction.PAUSE, ProjectAction.CLONE), Editable.LABELS_AND_DESCRIPTION),
    PAUSED(EnumSet.of(ProjectAction.RESUME, ProjectAction.RELEASE, ProjectAction.CLONE), Editable.LABELS_AND_DESCRIPTION),
    FAILED(EnumSet.of(ProjectAction.RESUME, ProjectAction.RELEASE, ProjectAction.CLONE), Editable.LABELS_AND_DESCRIPTION),
    COMPLETED(EnumSet.of(ProjectAction.RELEASE, ProjectAction.CLONE), Editable.LABELS_AND_DESCRIPTION),
    RELEASING(EnumSet.of(ProjectAction.CLONE), Editable.NOTHING),
    RELEASED(EnumSet.of(ProjectAction.DELETE, ProjectAction.CLONE), Editable.NOTHING);

    /** Which configuration fields a PATCH may change in a status. */
    public enum Editable {
        ALL, LABELS_AND_DESCRIPTION, NOTHING
    }

    private final Set<ProjectAction> allowed;
    private final Editable editable;

    ProjectStatus(Set<ProjectAction> allowed, Editable editable) {
        this.allowed = allowed;
        this.editable = editable;
    }

    public boolean allows(ProjectAction action) {
        return allowed.contains(action);
    }

    /** In the order the table lists them, as clients show them. */
    public List<ProjectAction> allowedActions() {
        return Arrays.stream(ProjectAction.values()).filter(allowed::contains).toList();
    }

    public Editable editable() {
        return editable;
    }

    /** The statuses from which an action may be taken. */
    public static List<ProjectStatus> allowing(ProjectAction action) {
        return Arrays.stream(values()).filter(s -> s.allows(action)).toList();
    }

    /** The status a successful transition leads to; DELETE and CLONE lead to no new status of this project. */
    public static ProjectStatus target(ProjectAction action) {
        return switch (action) {
            case START, RESUME -> RUNNING;
            case PAUSE -> PAUSED;
            case RELEASE -> RELEASING;
            case DELETE, CLONE -> throw new IllegalArgumentException(action + " is not a status transition");
        };
    }

    /** Whether the workers of a project in this status may run. */
    public boolean workersRun() {
        return this == RUNNING;
    }
}
