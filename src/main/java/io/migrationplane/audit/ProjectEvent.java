package io.migrationplane.audit;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** One line of the audit trail. It outlives its project, so it holds the name as it was. */
@Entity
@Table(name = "project_event")
public class ProjectEvent {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    public UUID projectId;
    public String projectName;
    public Instant at;
    @Enumerated(EnumType.STRING)
    public EventAction action;
    public String fromStatus;
    public String toStatus;
    public String actor;
    public String detail;
}
