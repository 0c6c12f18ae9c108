package io.migrationplane.progress;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonIgnore;

/** One step as the worker last checkpointed it. */
public record StepState(StepName name, StepStatus status, Instant startedAt, Instant finishedAt, String error) {

    public static StepState init(StepName name) {
        return new StepState(name, StepStatus.INIT, null, null, null);
    }

    public StepState running(Instant at) {
        return new StepState(name, StepStatus.RUNNING, startedAt == null ? at : startedAt, null, null);
    }

    public StepState monitoring(Instant at) {
        return new StepState(name, StepStatus.MONITORING, startedAt == null ? at : startedAt, null, null);
    }

    public StepState finished(Instant at) {
        return new StepState(name, StepStatus.FINISHED, startedAt == null ? at : startedAt, at, null);
    }

    public StepState failed(Instant at, String message) {
        return new StepState(name, StepStatus.FAILED, startedAt == null ? at : startedAt, null, message);
    }

    @JsonIgnore
    public boolean isFinished() {
        return status == StepStatus.FINISHED;
    }
}
