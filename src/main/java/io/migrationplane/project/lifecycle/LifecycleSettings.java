package io.migrationplane.project.lifecycle;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The operator's settings of the lifecycle's later stages (README "Configuration"). */
public final class LifecycleSettings {

    private LifecycleSettings() {
    }

    /** Switchover: what a request waits for when it does not say. */
    @ConfigMapping(prefix = "migration.switchover")
    public interface Switchover {
        /** The incremental latency below which the workers stop at a final checkpoint. */
        @WithDefault("1s")
        Duration maxLatency();

        /** How long the workers try to get there before they give up (the project keeps running). */
        @WithDefault("5m")
        Duration timeout();
    }

    /** How long a deleted project stays restorable; 0 purges at once. */
    @ConfigMapping(prefix = "migration.deleted")
    public interface Deleted {
        @WithDefault("7d")
        Duration retention();
    }

    /** Auto-release of projects PAUSED, FAILED or COMPLETED for longer than {@code after} (off without it). */
    @ConfigMapping(prefix = "migration.auto-release")
    public interface AutoRelease {
        Optional<Duration> after();

        /** How long before the release the AUTO_RELEASE_WARNING event comes (at the least). */
        @WithDefault("1d")
        Duration warnBefore();
    }

    /** How often each replica looks for purges and auto-releases (one replica at a time does them). */
    @ConfigMapping(prefix = "migration.housekeeping")
    public interface Housekeeping {
        @WithDefault("30s")
        Duration interval();
    }
}
