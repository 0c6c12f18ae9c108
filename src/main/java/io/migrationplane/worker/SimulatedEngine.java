package io.migrationplane.worker;

import java.time.Instant;
import java.util.List;

import io.migrationplane.project.Engine;
import jakarta.enterprise.context.ApplicationScoped;

/** The default engine: {@link SimulatedRun}s, which hold nothing outside this service. */
@ApplicationScoped
class SimulatedEngine implements MigrationEngine {

    @Override
    public Engine kind() {
        return Engine.SIMULATED;
    }

    /** Nothing to check: no database is touched (the PRECHECK step takes its simulated time). */
    @Override
    public List<String> precheck(WorkerStore.Claim claim) {
        return List.of();
    }

    @Override
    public WorkerRun open(WorkerStore.Claim claim, Instant now) {
        return new SimulatedRun(claim, now);
    }

    @Override
    public void releaseResources(EngineLedger.Releasing project) {
        // a simulated run holds nothing
    }
}
