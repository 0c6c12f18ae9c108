package io.migrationplane.project;

/** The database kinds a project can read from or write to. */
public enum EndpointType {
    MYSQL, POSTGRESQL, ORACLE, DB2, SQLSERVER, OCEANBASE_MYSQL, OCEANBASE_ORACLE
}
