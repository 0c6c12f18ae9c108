package io.migrationplane.http;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "migration.idempotency")
public interface IdempotencySettings {

    /** How long a key is remembered. */
    @WithDefault("24h")
    Duration ttl();

    /** How long a retry waits for the first request with its key to finish before giving up with 409. */
    @WithDefault("10s")
    Duration inFlightWait();
}
