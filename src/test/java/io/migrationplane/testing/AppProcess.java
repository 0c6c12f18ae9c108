package io.migrationplane.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged application ({@code target/quarkus-app/quarkus-run.jar}) as a separate JVM, configured
 * through environment variables exactly as a user (or Kubernetes) would, so that tests can restart,
 * SIGTERM and SIGKILL it.
 */
public final class AppProcess implements AutoCloseable {

    public static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");

    public final String name;
    public final int port;
    /** The management interface's port: health and metrics (never the API port). */
    public final int managementPort;
    public final Path log;
    private final Process process;

    private AppProcess(String name, int port, int managementPort, Path log, Process process) {
        this.name = name;
        this.port = port;
        this.managementPort = managementPort;
        this.log = log;
        this.process = process;
    }

    /** Environment for an instance on the test database, with fast ticks and a short lease TTL. */
    public static Map<String, String> databaseEnv(TestDatabase db) {
        Map<String, String> env = new HashMap<>();
        env.put("QUARKUS_DATASOURCE_REACTIVE_URL", db.reactiveUrl());
        env.put("QUARKUS_DATASOURCE_JDBC_URL", db.jdbcUrl());
        env.put("QUARKUS_DATASOURCE_USERNAME", db.user);
        env.put("QUARKUS_DATASOURCE_PASSWORD", db.password);
        env.put("MIGRATION_WORKER_TICK", "200ms");
        env.put("MIGRATION_WORKER_LEASE_TTL", "3s");
        return env;
    }

    public static AppProcess start(String name, Map<String, String> env) throws IOException {
        int port = freePort();
        int managementPort = freePort();
        Path log = Path.of("target", "it-logs", name + ".log");
        Files.createDirectories(log.getParent());
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-jar", JAR.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("QUARKUS_") || k.startsWith("MIGRATION_") || k.startsWith("MP_JWT"));
        pb.environment().putAll(Tokens.serviceEnv());
        pb.environment().putAll(env);
        pb.environment().values().removeIf(String::isEmpty); // an empty value in env means "not set at all"
        pb.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
        pb.environment().put("QUARKUS_MANAGEMENT_PORT", Integer.toString(managementPort));
        pb.environment().put("MIGRATION_WORKER_REPLICA_ID", name);
        return new AppProcess(name, port, managementPort, log, pb.start());
    }

    public AppProcess awaitReady(Duration atMost) {
        await().atMost(atMost).pollInterval(Duration.ofMillis(200)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log);
            }
            return managementStatus("/q/health/ready") == 200;
        });
        return this;
    }

    public String baseUri() {
        return "http://localhost:" + port;
    }

    public String managementUri() {
        return "http://localhost:" + managementPort;
    }

    /** The status of a GET on the API port. */
    public int status(String path) {
        return status(baseUri(), path);
    }

    /** The status of a GET on the management port (/q/health/…, /q/metrics). */
    public int managementStatus(String path) {
        return status(managementUri(), path);
    }

    private static int status(String base, String path) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(base + path).toURL().openConnection();
            c.setConnectTimeout(500);
            c.setReadTimeout(2000);
            return c.getResponseCode();
        } catch (IOException e) {
            return -1;
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public int awaitExit(Duration atMost) throws InterruptedException {
        if (!process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(name + " did not exit within " + atMost);
        }
        return process.exitValue();
    }

    /** SIGTERM, as Kubernetes sends it. */
    public void terminate() {
        process.destroy();
    }

    /** SIGKILL: the pod is gone without a word. */
    public void kill() {
        process.destroyForcibly();
    }

    public String output() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
