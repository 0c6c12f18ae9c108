package io.migrationplane.audit;

/** What an audit event records. */
public enum EventAction {
    CREATED, UPDATED, STARTED, PAUSED, RESUMED, FAILED, COMPLETED, RELEASE_REQUESTED, RELEASED, CLONED, DELETED,
    /** An administrator finished a release whose resources could not be dropped; the detail holds the SQL left to run. */
    CLEANUP_ABANDONED
}
