package io.migrationplane.progress;

public enum StepStatus {
    INIT, RUNNING, MONITORING, SUSPENDED, FAILED, FINISHED
}
