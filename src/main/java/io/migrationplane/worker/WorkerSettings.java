package io.migrationplane.worker;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How this replica's worker supervisor behaves. */
@ConfigMapping(prefix = "migration.worker")
public interface WorkerSettings {

    /** Whether this replica runs workers at all (an API-only replica sets false). */
    @WithDefault("true")
    boolean enabled();

    /** How often workers advance and checkpoint; the API's progress lags by at most this. */
    @WithDefault("500ms")
    Duration tick();

    /** How long a lease lives without renewal; a dead replica's projects move on after this. */
    @WithDefault("5s")
    Duration leaseTtl();

    /** At most this many new leases are claimed per tick, so that work spreads over replicas. */
    @WithDefault("250")
    int claimBatch();

    /** The name this replica's leases carry; defaults to host name plus a random suffix. */
    Optional<String> replicaId();
}
