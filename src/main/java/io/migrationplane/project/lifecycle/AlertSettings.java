package io.migrationplane.project.lifecycle;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The alert thresholds a project gets when it does not set its own ({@code alerts} in the API). */
@ConfigMapping(prefix = "migration.alerts")
public interface AlertSettings {

    /** LATENCY_HIGH: the incremental sync trails the source by more than this. */
    @WithDefault("30s")
    Duration incrementalLatency();

    /** STALLED: a RUNNING project's workers made no progress for this long. */
    @WithDefault("5m")
    Duration stalledFor();
}
