package io.migrationplane.project;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The lifecycle of a migration project: the one table of what each status allows a user to do
 * (docs/api.md, "Statuses and what each allows"), where each user action leads ({@link #target}),
 * and what the system does by itself ({@link SystemTransition}). {@code project.lifecycle.Transitions}
 * executes it: each of its statements is guarded by this table.
 *
 * <pre>
 *   NOT_STARTED --start--> RUNNING --pause--> PAUSED --resume--> RUNNING
 *   RUNNING ==workers finish==> COMPLETED        RUNNING ==a worker fails==> FAILED --resume--> RUNNING
 *   RUNNING --switchover--> (RUNNING, switchover pending) ==caught up==> COMPLETED
 *   PAUSED | FAILED | COMPLETED --release--> RELEASING ==no live worker lease==> RELEASED
 *   NOT_STARTED | RELEASED --delete--> DELETED --restore--> NOT_STARTED
 *   DELETED ==retention over==> (purged)          any status but DELETED --clone--> a new NOT_STARTED project
 * </pre>
 * ({@code -->} a user's action, {@code ==>} the system's.)
 */
public enum ProjectStatus {
    NOT_STARTED(EnumSet.of(ProjectAction.START, ProjectAction.DELETE, ProjectAction.CLONE), Editable.ALL),
    RUNNING(EnumSet.of(ProjectAction.PAUSE, ProjectAction.SWITCHOVER, ProjectAction.CLONE), Editable.LABELS_AND_DESCRIPTION),
    PAUSED(EnumSet.of(ProjectAction.RESUME, ProjectAction.RELEASE, ProjectAction.CLONE), Editable.LABELS_AND_DESCRIPTION),
    FAILED(EnumSet.of(ProjectAction.RESUME, ProjectAction.RELEASE, ProjectAction.CLONE), Editable.LABELS_AND_DESCRIPTION),
    COMPLETED(EnumSet.of(ProjectAction.RELEASE, ProjectAction.CLONE), Editable.LABELS_AND_DESCRIPTION),
    RELEASING(EnumSet.of(ProjectAction.CLONE), Editable.NOTHING),
    RELEASED(EnumSet.of(ProjectAction.DELETE, ProjectAction.CLONE), Editable.NOTHING),
    /** Deleted, restorable until its purge; to everything but restore and the list's {@code deleted=true}, 404. */
    DELETED(EnumSet.of(ProjectAction.RESTORE), Editable.NOTHING);

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

    /**
     * The actions of a project in this status with these migration types: SWITCHOVER only with
     * incremental sync (without it a run completes by itself).
     */
    public List<ProjectAction> allowedActions(boolean incrementalSync) {
        List<ProjectAction> actions = allowedActions();
        return incrementalSync || !allowed.contains(ProjectAction.SWITCHOVER) ? actions
                : actions.stream().filter(a -> a != ProjectAction.SWITCHOVER).toList();
    }

    public Editable editable() {
        return editable;
    }

    /** The statuses from which an action may be taken. */
    public static List<ProjectStatus> allowing(ProjectAction action) {
        return Arrays.stream(values()).filter(s -> s.allows(action)).toList();
    }

    /** The status a successful action leads to (SWITCHOVER through the workers); CLONE leads to no new status of this project. */
    public static ProjectStatus target(ProjectAction action) {
        return switch (action) {
            case START, RESUME, RESTORE -> action == ProjectAction.RESTORE ? NOT_STARTED : RUNNING;
            case PAUSE -> PAUSED;
            case RELEASE -> RELEASING;
            case DELETE -> DELETED;
            // The workers complete the project once they caught up: COMPLETE is the system's transition.
            case SWITCHOVER -> COMPLETED;
            case CLONE -> throw new IllegalArgumentException(action + " is not a status transition");
        };
    }

    /**
     * What the system does by itself. The workers end a run (COMPLETED or FAILED, with their final
     * checkpoint; COMPLETED also when a switchover caught up), and a release finishes once no worker holds
     * a live lease: at once in the release request when none does (the usual case), else when the worker
     * lets go or its lease expires. The housekeeping also releases projects stale for longer than the
     * auto-release policy (a RELEASE by the system, then FINISH_RELEASE) and purges deleted ones after the
     * restore window (the row goes, the audit trail stays).
     */
    public enum SystemTransition {
        COMPLETE(RUNNING, COMPLETED), FAIL(RUNNING, FAILED), FINISH_RELEASE(RELEASING, RELEASED);

        public final ProjectStatus from;
        public final ProjectStatus to;

        SystemTransition(ProjectStatus from, ProjectStatus to) {
            this.from = from;
            this.to = to;
        }
    }

    /** Whether the workers of a project in this status may run. */
    public boolean workersRun() {
        return this == RUNNING;
    }
}
