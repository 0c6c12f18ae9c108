package io.migrationplane.project;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.AttributeOverride;
import jakarta.persistence.AttributeOverrides;
import jakarta.persistence.Column;
import jakarta.persistence.Embedded;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import org.hibernate.annotations.DynamicUpdate;

/**
 * A migration project's configuration and status. Status changes are conditional bulk updates
 * (see {@link ProjectRepository}); worker progress lives in {@code project_runtime}, never here,
 * so that flushing this entity can never move a counter.
 */
@Entity
@Table(name = "project")
@DynamicUpdate
public class MigrationProject {

    @Id
    public UUID id;
    public String name;
    public String description;
    @Enumerated(EnumType.STRING)
    public ProjectStatus status;

    @Embedded
    @AttributeOverrides({
            @AttributeOverride(name = "type", column = @Column(name = "source_type")),
            @AttributeOverride(name = "host", column = @Column(name = "source_host")),
            @AttributeOverride(name = "port", column = @Column(name = "source_port")),
            @AttributeOverride(name = "database", column = @Column(name = "source_database")),
            @AttributeOverride(name = "username", column = @Column(name = "source_username")),
            @AttributeOverride(name = "password", column = @Column(name = "source_password")) })
    public Endpoint source;

    @Embedded
    @AttributeOverrides({
            @AttributeOverride(name = "type", column = @Column(name = "destination_type")),
            @AttributeOverride(name = "host", column = @Column(name = "destination_host")),
            @AttributeOverride(name = "port", column = @Column(name = "destination_port")),
            @AttributeOverride(name = "database", column = @Column(name = "destination_database")),
            @AttributeOverride(name = "username", column = @Column(name = "destination_username")),
            @AttributeOverride(name = "password", column = @Column(name = "destination_password")) })
    public Endpoint destination;

    /** Comma-separated {@link MigrationType} names in step order. */
    @Column(name = "migration_types")
    public String migrationTypes;
    /** JSON array of the selected tables, in migration order. */
    @Column(columnDefinition = "text")
    public String objects;
    public int tableCount;
    public long rowsTotal;
    /** JSON object of labels, keys sorted. */
    @Column(columnDefinition = "text")
    public String labels;

    public long rowsPerSecond;
    public long changesPerSecond;
    public Integer failAtPercent;

    public UUID clonedFrom;
    public Instant createdAt;
    public Instant updatedAt;
    public Instant startedAt;
    public Instant releasedAt;

    @Version
    public long version;
}
