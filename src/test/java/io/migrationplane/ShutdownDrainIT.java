package io.migrationplane;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import io.migrationplane.testing.AppProcess;
import io.migrationplane.testing.TestDatabase;
import io.migrationplane.testing.Tokens;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM as Kubernetes sends it, with the production shutdown delay: readiness turns DOWN at once
 * (the Service stops routing) while the API still answers, so that no request that a proxy sends in
 * the meantime meets a closed listener; then the process exits 0.
 */
class ShutdownDrainIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void afterSigtermReadinessIsDownAtOnceWhileTheApiStillAnswers() throws Exception {
        Map<String, String> env = new HashMap<>(AppProcess.databaseEnv(TestDatabase.get()));
        env.put("QUARKUS_SHUTDOWN_DELAY", "3s");
        try (AppProcess app = AppProcess.start("drain", env).awaitReady(Duration.ofSeconds(90))) {
            assertEquals(200, list(app));
            long t0 = System.nanoTime();
            app.terminate();
            await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(20))
                    .until(() -> app.managementStatus("/q/health/ready") == 503);
            // Inside the delay: not ready, yet every request is answered (none refused, none reset).
            int answered = 0;
            while (System.nanoTime() - t0 < Duration.ofMillis(2500).toNanos()) {
                assertEquals(200, list(app), "a request during the shutdown delay is served");
                answered++;
            }
            assertTrue(answered > 10, "requests were sent during the delay: " + answered);
            int exit = app.awaitExit(Duration.ofSeconds(30));
            assertTrue(exit == 0 || exit == 143, "a clean exit (143: the JVM's after SIGTERM), got " + exit + "; see " + app.log);
            assertTrue(app.output().contains("handed back"), "the workers handed their leases back");
            long exitMillis = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(exitMillis >= 3000, "the delay was kept: exited after " + exitMillis + " ms");
        }
    }

    private static int list(AppProcess app) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(app.baseUri() + "/api/v1/projects?size=1"))
                .header("Authorization", "Bearer " + Tokens.admin()).timeout(Duration.ofSeconds(5)).build();
        return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
