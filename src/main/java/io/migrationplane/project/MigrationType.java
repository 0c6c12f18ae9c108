package io.migrationplane.project;

/** What a project does; the order is the order of its steps. */
public enum MigrationType {
    SCHEMA_MIGRATION, FULL_MIGRATION, INCREMENTAL_SYNC, FULL_VERIFICATION
}
