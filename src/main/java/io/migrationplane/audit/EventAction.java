package io.migrationplane.audit;

/** What an audit event records. */
public enum EventAction {
    CREATED, UPDATED, STARTED, PAUSED, RESUMED, FAILED, COMPLETED, RELEASE_REQUESTED, RELEASED, CLONED, DELETED,
    /** An administrator finished a release whose resources could not be dropped; the detail holds the SQL left to run. */
    CLEANUP_ABANDONED,
    /** A user asked for a switchover; the workers complete the project once they caught up (COMPLETED). */
    SWITCHOVER_REQUESTED,
    /** The workers gave a switchover up at its deadline; the project keeps running. */
    SWITCHOVER_FAILED,
    /** An administrator brought a deleted project back as NOT_STARTED. */
    RESTORED,
    /** A deleted project's definition was removed after its restore window; the audit trail stays. */
    PURGED,
    /** The auto-release policy will release the project; the detail says from when. */
    AUTO_RELEASE_WARNING
}
