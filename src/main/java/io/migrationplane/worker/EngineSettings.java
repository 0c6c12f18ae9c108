package io.migrationplane.worker;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The real engines' settings (README "The PostgreSQL engine"). */
@ConfigMapping(prefix = "migration.engine")
public interface EngineSettings {

    Postgres postgres();

    interface Postgres {

        /**
         * Whether PostgreSQL to PostgreSQL projects move real rows (POSTGRES_LOGICAL). Off: every project
         * is simulated. Decided per project while it is NOT_STARTED; a replica with it off leaves real
         * projects to replicas with it on.
         */
        @WithDefault("false")
        boolean enabled();

        /** Real runs on this replica at once, each on its own thread (never on the event loop); more wait. */
        @WithDefault("8")
        int threads();

        /** Snapshots (initial copies) on this replica at once; the others wait before creating their slot. */
        @WithDefault("2")
        int maxConcurrentSnapshots();

        /** Tables one snapshot copies at once, each in its own pair of sessions sharing the snapshot. */
        @WithDefault("4")
        int copyParallelism();

        /** Source transactions are applied together, in one destination transaction, up to this many changes. */
        @WithDefault("5000")
        int batchChanges();

        /** Past this much WAL retained by a project's slot, the project says so (statusReason) and the log warns. */
        @WithDefault("1073741824")
        long walWarningBytes();

        /** Connecting to a source or destination gives up after this. */
        @WithDefault("10s")
        Duration connectTimeout();

        /** A release that cannot drop its resources retries after this, doubling up to ten times it. */
        @WithDefault("2s")
        Duration releaseRetry();
    }
}
