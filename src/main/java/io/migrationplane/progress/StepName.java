package io.migrationplane.progress;

/** The steps of a migration, in the order they run; SWITCHOVER only once one was requested. */
public enum StepName {
    PRECHECK, SCHEMA_MIGRATION, FULL_MIGRATION, INCREMENTAL_SYNC, FULL_VERIFICATION, SWITCHOVER
}
