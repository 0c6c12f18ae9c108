package io.migrationplane;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.time.Duration;
import java.util.Map;

import io.migrationplane.testing.AppProcess;
import org.junit.jupiter.api.Test;

/** The packaged app in the prod profile never falls back to an embedded database. */
class ProductionConfigIT {

    @Test
    void noDatasourceUrlIsAClearStartupError() throws Exception {
        try (AppProcess app = AppProcess.start("prod-no-url", Map.of())) {
            int exit = app.awaitExit(Duration.ofSeconds(60));
            assertNotEquals(0, exit);
            String out = app.output();
            assertThat(out, containsString("URL is not set"));
            assertThat(out, org.hamcrest.Matchers.not(containsString("Embedded PostgreSQL")));
        }
    }
}
