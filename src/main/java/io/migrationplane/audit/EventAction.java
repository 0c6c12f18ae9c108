package io.migrationplane.audit;

/** What an audit event records. */
public enum EventAction {
    CREATED, UPDATED, STARTED, PAUSED, RESUMED, FAILED, COMPLETED, RELEASE_REQUESTED, RELEASED, CLONED, DELETED
}
