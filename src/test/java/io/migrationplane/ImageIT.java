package io.migrationplane;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.Reader;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import javax.xml.parsers.DocumentBuilderFactory;

import io.migrationplane.testing.Api;
import io.migrationplane.testing.AppProcess;
import io.migrationplane.testing.ContainerEngine;
import io.migrationplane.testing.DrainLoad;
import io.migrationplane.testing.DrainLoad.Outcome;
import io.migrationplane.testing.DrainLoad.Sample;
import io.migrationplane.testing.Sql;
import io.migrationplane.testing.TestDatabase;
import io.migrationplane.testing.Tokens;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The container image as it ships: docker/Dockerfile.jvm built from this build's fast-jar with podman
 * (or docker), run as the Kubernetes Deployment runs it (read-only root, only /tmp writable and
 * size-limited, the image's own user, no capabilities, the 512 MiB memory limit, the token key
 * mounted read-only) against the test PostgreSQL, in its own database. Checks the image (labels, user,
 * ports, read-only application files, heap from the limit), the ports (health and metrics only on the
 * management port), a project's lifecycle through the API, and SIGTERM under load: readiness goes DOWN
 * while requests are still answered, the JVM exits (0, or 143 after its shutdown hooks) within the grace period, the lease is handed
 * back, the log has no error. The drain's figures go to target/it-logs/image-it-drain.txt.
 *
 * <p>Where no container engine can run (neither podman nor docker answers {@code info}) the class is
 * skipped, saying why; .ci/run installs podman so that CI does not skip. Without a registry the base
 * image is the stand-in of docker/stand-in-base.sh, built once and kept in the engine's image store.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ImageIT {

    private static final String BASE = "eclipse-temurin:17-jre";
    /** The Deployment's terminationGracePeriodSeconds: the kubelet sends SIGKILL after this. */
    private static final Duration GRACE = Duration.ofSeconds(30);
    private static final Path LOGS = Path.of("target", "it-logs");
    private static final Pattern ERROR_LINE = Pattern.compile(
            "(?m)^(\\d\\d:\\d\\d:\\d\\d\\.\\d{3} (ERROR|FATAL) .*|.*\\[(error|warning)\\]\\[.*|.*VM warning:.*|Exception in thread .*)$");

    private ContainerEngine engine;
    private String version;
    private String revision;
    private String image;
    private String container;
    private String database;
    private int apiPort;
    private int managementPort;
    private final StringBuilder timings = new StringBuilder();

    @BeforeAll
    void buildAndRun() throws Exception {
        StringBuilder whyNot = new StringBuilder();
        engine = ContainerEngine.detect(whyNot).orElse(null);
        if (engine == null) {
            String reason = "ImageIT skipped: no container engine can run here (" + whyNot
                    + "). Install podman and runc (.ci/run does) or start a Docker daemon to build and run the image.";
            System.out.println(reason); // an abort in @BeforeAll shows in the report only as "Tests run: 0"
            Assumptions.abort(reason);
        }
        assertTrue(Files.isRegularFile(AppProcess.JAR),
                "ImageIT needs the fast-jar of `./mvnw package` in target/quarkus-app (failsafe runs after package)");
        version = pomVersion();
        revision = git("rev-parse", "HEAD");
        image = "migration-plane-it:" + version;
        container = "migration-plane-it-" + UUID.randomUUID().toString().substring(0, 8);

        long t0 = System.nanoTime();
        ensureBaseImage();
        long t1 = System.nanoTime();
        ContainerEngine.Result build = engine.run(Duration.ofMinutes(10), buildCommand());
        Files.createDirectories(LOGS);
        Files.writeString(LOGS.resolve("image-it-build.log"), build.output());
        build.orFail("Building docker/Dockerfile.jvm (log: target/it-logs/image-it-build.log)");
        long t2 = System.nanoTime();

        database = TestDatabase.get().database + "_image";
        try (Connection c = TestDatabase.get().connect(); Statement s = c.createStatement()) {
            s.execute("create database " + database);
        }
        apiPort = freePort();
        managementPort = freePort();
        engine.run(Duration.ofMinutes(1), runCommand()).orFail("Starting the container");
        awaitProbe("/q/health/started", Duration.ofSeconds(90));
        long t3 = System.nanoTime();
        timings.append(String.format("base image %.1f s, build %.1f s, start to started %.1f s",
                (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9));
        System.out.println("ImageIT: " + engine.name + "; " + timings);

        RestAssured.baseURI = "http://127.0.0.1";
        RestAssured.port = apiPort;
    }

    @AfterAll
    void cleanUp() throws Exception {
        if (engine == null) {
            return;
        }
        if (container != null) {
            saveLogs();
            engine.run(Duration.ofMinutes(1), "rm", "-f", container);
        }
        // The application image is rebuilt by every run (a new jar); the base stays in the store.
        engine.run(Duration.ofMinutes(1), "rmi", "-f", image);
        if (database != null) {
            try (Connection c = TestDatabase.get().connect(); Statement s = c.createStatement()) {
                s.execute("drop database if exists " + database + " with (force)");
            }
        }
    }

    @Test
    @Order(1)
    void theImageCarriesItsLabelsUserPortsAndJvmOptions() {
        Map<String, String> labels = inspectMap("{{json .Config.Labels}}", image);
        assertEquals("migration-plane", labels.get("org.opencontainers.image.title"), "labels: " + labels);
        assertEquals(version, labels.get("org.opencontainers.image.version"), "the pom's version; labels: " + labels);
        assertEquals(revision, labels.get("org.opencontainers.image.revision"), "labels: " + labels);
        assertEquals("Apache-2.0", labels.get("org.opencontainers.image.licenses"), "labels: " + labels);
        assertNotNull(labels.get("org.opencontainers.image.source"), "labels: " + labels);
        assertTrue(labels.get("org.opencontainers.image.created").matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"),
                "created is the build time (RFC 3339); labels: " + labels);

        assertEquals("185", inspect("{{.Config.User}}", image), "the image runs as the numeric user 185 (runAsNonRoot can check it)");
        String ports = inspect("{{json .Config.ExposedPorts}}", image);
        assertThat("EXPOSE 8080 (API) and 9000 (management)", ports, containsString("8080/tcp"));
        assertThat("EXPOSE 8080 (API) and 9000 (management)", ports, containsString("9000/tcp"));
        String env = inspect("{{json .Config.Env}}", image);
        assertThat("the heap follows the container's limit", env, containsString("-XX:MaxRAMPercentage=25"));
        assertThat("no fixed heap", env, not(containsString("-Xmx")));
        assertThat("the operators' hook", env, containsString("JAVA_OPTS_APPEND="));

        // The build leaves nothing in /tmp: a volume mounted there starts empty and belongs to the app user.
        String tmp = engine.run(Duration.ofMinutes(1), withRunOptions("run", "--rm", "--network=host", "--entrypoint", "find",
                image, "/tmp", "-mindepth", "1")).orFail("Listing the image's /tmp").output().strip();
        assertEquals("", tmp, "the image's /tmp must be empty (the CDS step's folders are removed)");
    }

    @Test
    @Order(2)
    void itRunsAsUser185OnAReadOnlyRootWithReadOnlyApplicationFiles() {
        assertEquals("185", exec("id", "-u"), "exec'd commands run as the image's user");
        String status = exec("cat", "/proc/1/status");
        assertThat("the JVM (PID 1, exec'd by the entrypoint) runs as 185:\n" + status, status,
                LineMatcher.matchesRegexLine("Uid:\\s+185\\s+185\\s+185\\s+185"));
        assertEquals("", exec("find", "/deployments", "-writable"), "nothing of the application is writable by the app user");
        assertEquals("", exec("find", "/deployments", "!", "-user", "root"), "the application's files belong to root");
        assertEquals("ok", exec("sh", "-c", "test -r app-cds.jsa && test -s app-cds.jsa && echo ok"), "the CDS archive is readable");
        assertEquals("read-only", exec("sh", "-c", "touch /deployments/x 2>/dev/null || touch /x 2>/dev/null || echo read-only"),
                "the root file system is read-only");
        assertEquals("writable", exec("sh", "-c", "touch /tmp/x && rm /tmp/x && echo writable"), "/tmp is the writable mount");

        String cmdline = exec("sh", "-c", "tr '\\0' ' ' < /proc/1/cmdline");
        assertThat("JAVA_OPTS from the image", cmdline, containsString("-XX:SharedArchiveFile=app-cds.jsa -XX:MaxRAMPercentage=25"));
        assertThat("JAVA_OPTS_APPEND comes after JAVA_OPTS", cmdline, containsString("-XX:+ExitOnOutOfMemoryError"));
        assertTrue(cmdline.indexOf("-Dimage.it.append=yes") > cmdline.indexOf("-XX:MaxRAMPercentage"),
                "JAVA_OPTS_APPEND is appended after JAVA_OPTS: " + cmdline);
        // The JVM's ergonomics under the 512 MiB limit (a second JVM in the same container, same options).
        String flags = exec("sh", "-c", "java $JAVA_OPTS -XX:+PrintFlagsFinal -version 2>/dev/null | grep -E ' MaxHeapSize '");
        assertThat("25 % of the 512 MiB limit = 128 MiB: " + flags, flags, containsString("= 134217728 "));
    }

    @Test
    @Order(3)
    void healthAndMetricsAnswerOnlyOnTheManagementPort() {
        for (String probe : List.of("/q/health/started", "/q/health/live", "/q/health/ready")) {
            assertEquals(200, status(managementPort, probe), probe + " on the management port " + managementPort);
            assertEquals(404, status(apiPort, probe), probe + " must not answer on the API port " + apiPort);
        }
        assertEquals(200, status(managementPort, "/q/metrics"), "metrics on the management port");
        assertEquals(404, status(apiPort, "/q/metrics"), "metrics must not answer on the API port");
        assertEquals(200, status(apiPort, "/q/openapi"), "the API document stays on the API port");
        assertEquals(401, status(apiPort, "/api/v1/projects"), "the API without a token");
    }

    @Test
    @Order(4)
    void aProjectGoesThroughItsLifecycleThroughTheApi() throws Exception {
        String bearer = "Bearer " + Tokens.admin();
        String id = given().header("Authorization", bearer).contentType(ContentType.JSON).body(Api.body(Api.uniqueName("image")))
                .post(Api.BASE).then().statusCode(201).extract().path("id");
        given().header("Authorization", bearer).contentType(ContentType.JSON).post(Api.BASE + "/" + id + "/start")
                .then().statusCode(200);
        await("RUNNING with a lease held by the container").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                .until(() -> "RUNNING".equals(Api.status(id)) && "image-it".equals(leaseOwner(id)));
        given().header("Authorization", bearer).contentType(ContentType.JSON).post(Api.BASE + "/" + id + "/pause")
                .then().statusCode(200);
        await("the paused project's lease let go").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> leaseToken(id) == null);
        given().header("Authorization", bearer).contentType(ContentType.JSON).post(Api.BASE + "/" + id + "/release")
                .then().statusCode(202);
        Api.awaitStatus(id, "RELEASED", Duration.ofSeconds(10));
        assertThat(Api.eventActionsOldestFirst(id), hasItem("RELEASED"));
    }

    @Test
    @Order(5)
    void sigtermUnderLoadDrainsExitsZeroAndHandsTheLeaseBack() throws Exception {
        String id = Api.create("image-sigterm");
        Api.act(id, "start", 200);
        await("a lease held by the container").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                .until(() -> "image-it".equals(leaseOwner(id)));
        Duration delay = shutdownDelay();

        DrainLoad load = DrainLoad.start("127.0.0.1", apiPort, Api.BASE + "?size=1", Tokens.admin(), 4);
        ReadinessWatch readiness = new ReadinessWatch();
        try {
            await("load under way").atMost(Duration.ofSeconds(20)).until(() -> load.count(Outcome.OK) >= 200);
            // Taken before the signal is sent: the windows below start early, which only makes them stricter.
            long sigterm = System.nanoTime();
            readiness.start();
            engine.run(Duration.ofSeconds(30), "kill", "--signal", "TERM", container).orFail("SIGTERM");
            ContainerEngine.Result waited = engine.run(GRACE.plusSeconds(15), "wait", container);
            long exit = System.nanoTime();
            List<Sample> samples = load.stop();
            readiness.stop();
            String report = drainReport(samples, sigterm, exit, readiness.firstDown.get(), delay);
            Files.writeString(LOGS.resolve("image-it-drain.txt"), report + "\n");
            System.out.println("ImageIT drain: " + report);

            waited.orFail("Waiting for the container to exit");
            // 143 = 128 + SIGTERM: the JVM's own status after a SIGTERM that its shutdown hooks handled (Quarkus
            // in JVM mode installs no signal handler of its own). A crash or a SIGKILL would be anything else.
            assertThat("exit code after SIGTERM (0, or 143 from the JVM's shutdown hooks); " + report, waited.output().strip(),
                    org.hamcrest.Matchers.oneOf("0", "143"));
            assertTrue(exit - sigterm < GRACE.toNanos(), "exited within the grace period of " + GRACE + "; " + report);
            String log = saveLogs();
            assertThat("the leases handed back at shutdown", log, containsString("handed back 1 leases"));
            assertNull(leaseToken(id), "SIGTERM hands the running project's lease back");
            assertEquals("RUNNING", lease(id).get("status"), "a shutdown is not a status change");
            List<String> errors = errorLines(log);
            assertTrue(errors.isEmpty(), "the container's log has errors or JVM warnings:\n" + String.join("\n", errors));

            // What a graceful drain promises: every request made before SIGTERM and during the shutdown
            // delay is answered; readiness turns DOWN within the delay so that the Service stops routing.
            List<Sample> failedBefore = samples.stream().filter(s -> s.sentNanos() < sigterm && s.outcome() != Outcome.OK).toList();
            assertTrue(failedBefore.isEmpty(), "requests failed before SIGTERM: " + failedBefore);
            long windowEnd = sigterm + delay.minusMillis(500).toNanos();
            List<Sample> failedInDelay = samples.stream()
                    .filter(s -> s.sentNanos() >= sigterm && s.sentNanos() < windowEnd && s.outcome() != Outcome.OK).toList();
            assertTrue(failedInDelay.isEmpty(), "requests sent within the shutdown delay (" + delay + ") were not answered: "
                    + failedInDelay.stream().limit(5).toList() + "; " + report);
            assertTrue(samples.stream().anyMatch(s -> s.sentNanos() >= windowEnd - 1_000_000_000L && s.sentNanos() < windowEnd
                    && s.outcome() == Outcome.OK), "requests were answered until the end of the shutdown delay; " + report);
            long down = readiness.firstDown.get();
            assertTrue(down > 0 && down - sigterm < delay.toNanos(), "readiness turned DOWN within the shutdown delay; " + report);
        } finally {
            load.stop();
            readiness.stop();
        }
    }

    // --- the image ---------------------------------------------------------------------------------

    /** The base image: already in the store, pulled, or the stand-in built (once) where no registry answers. */
    private void ensureBaseImage() throws IOException {
        if (engine.imageExists(BASE)) {
            return;
        }
        ContainerEngine.Result pull = engine.run(Duration.ofSeconds(90), "pull", "docker.io/library/" + BASE);
        if (pull.ok()) {
            return;
        }
        System.out.println("ImageIT: " + BASE + " cannot be pulled (" + pull.output().strip().lines().reduce((a, b) -> b).orElse("")
                + "); building the stand-in with docker/stand-in-base.sh");
        ContainerEngine.Result standIn = ContainerEngine.exec(List.of("bash", "docker/stand-in-base.sh"), Duration.ofMinutes(15),
                Map.of("ENGINE", engine.shellPrefix()));
        Files.createDirectories(LOGS);
        Files.writeString(LOGS.resolve("image-it-base.log"), standIn.output());
        standIn.orFail("The base image " + BASE + " is neither in the image store nor pullable, and building the stand-in"
                + " (docker/stand-in-base.sh: root, debootstrap and a Debian mirror) failed");
    }

    private List<String> buildCommand() {
        List<String> cmd = new ArrayList<>(List.of("build"));
        cmd.addAll(engine.buildOptions());
        cmd.addAll(List.of("-f", "docker/Dockerfile.jvm", "-t", image,
                "--build-arg", "VERSION=" + version,
                "--build-arg", "REVISION=" + revision,
                "--build-arg", "CREATED=" + Instant.now().truncatedTo(ChronoUnit.SECONDS),
                "."));
        return cmd;
    }

    /** As deploy/kubernetes/deployment.yaml runs it. */
    private List<String> runCommand() {
        TestDatabase db = TestDatabase.get();
        List<String> cmd = new ArrayList<>(List.of("run", "-d", "--name", container, "--network=host", "--read-only"));
        if (engine.podman) {
            cmd.add("--read-only-tmpfs=false"); // podman would also mount /var/tmp and /run; the Deployment mounts /tmp only
        }
        cmd.addAll(List.of("--tmpfs", "/tmp:rw,size=64m,mode=1777",
                "--memory=512m", "--cap-drop=ALL", "--security-opt=no-new-privileges",
                "-v", Tokens.PUBLIC_KEY + ":/etc/migration-plane/jwt/public.pem:ro",
                "-e", "QUARKUS_HTTP_PORT=" + apiPort,
                "-e", "QUARKUS_MANAGEMENT_PORT=" + managementPort,
                "-e", "QUARKUS_DATASOURCE_REACTIVE_URL=postgresql://" + db.host + ":" + db.port + "/" + database,
                "-e", "QUARKUS_DATASOURCE_JDBC_URL=jdbc:postgresql://" + db.host + ":" + db.port + "/" + database,
                "-e", "QUARKUS_DATASOURCE_USERNAME=" + db.user,
                "-e", "QUARKUS_DATASOURCE_PASSWORD=" + db.password,
                "-e", "MP_JWT_VERIFY_PUBLICKEY_LOCATION=file:/etc/migration-plane/jwt/public.pem",
                "-e", "MP_JWT_VERIFY_ISSUER=" + Tokens.ISSUER,
                "-e", "MIGRATION_SECRETS_KEY=" + Tokens.SECRETS_KEY,
                "-e", "MIGRATION_WORKER_REPLICA_ID=image-it",
                "-e", "MIGRATION_WORKER_TICK=200ms",
                "-e", "MIGRATION_WORKER_LEASE_TTL=3s",
                "-e", "JAVA_OPTS_APPEND=-Dimage.it.append=yes"));
        cmd.addAll(engine.runOptions());
        cmd.add(image);
        return cmd;
    }

    private List<String> withRunOptions(String... args) {
        List<String> cmd = new ArrayList<>(List.of(args));
        cmd.addAll(2, engine.runOptions()); // after "run --rm"
        return cmd;
    }

    private String exec(String... command) {
        List<String> args = new ArrayList<>(List.of("exec", container));
        args.addAll(List.of(command));
        return engine.run(Duration.ofMinutes(1), args).orFail("exec " + String.join(" ", command)).output().strip();
    }

    private String inspect(String format, String object) {
        return engine.run(Duration.ofSeconds(30), "inspect", "--format", format, object).orFail("inspect").output().strip();
    }

    @SuppressWarnings("unchecked")
    private Map<String, String> inspectMap(String format, String object) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readValue(inspect(format, object), Map.class);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private String saveLogs() throws IOException {
        String log = engine.run(Duration.ofMinutes(1), "logs", container).output();
        Files.createDirectories(LOGS);
        Files.writeString(LOGS.resolve("image-it.log"), log);
        return log;
    }

    static List<String> errorLines(String log) {
        List<String> lines = new ArrayList<>();
        Matcher m = ERROR_LINE.matcher(log);
        while (m.find()) {
            lines.add(m.group());
        }
        return lines;
    }

    // --- the running container ---------------------------------------------------------------------

    private void awaitProbe(String path, Duration atMost) {
        await("the container's " + path + " on the management port").atMost(atMost).pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    if (!"true".equals(inspect("{{.State.Running}}", container))) {
                        fail("the container exited (" + inspect("{{.State.ExitCode}}", container) + ") before " + path
                                + " answered; its log:\n" + saveLogs());
                    }
                    return status(managementPort, path) == 200;
                });
    }

    private static int status(int port, String path) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + path).toURL().openConnection();
            c.setConnectTimeout(1000);
            c.setReadTimeout(3000);
            return c.getResponseCode();
        } catch (IOException e) {
            return -1;
        }
    }

    /** Polls readiness on the management port from SIGTERM on and keeps when it first answered DOWN (503). */
    private final class ReadinessWatch {
        final AtomicLong firstDown = new AtomicLong();
        private volatile boolean running = true;
        private Thread thread;

        void start() {
            thread = new Thread(() -> {
                while (running && firstDown.get() == 0) {
                    // 503 is DOWN (a probe that cannot connect is not); the time is when it answered: an upper bound.
                    if (status(managementPort, "/q/health/ready") == 503) {
                        firstDown.compareAndSet(0, System.nanoTime());
                    }
                    java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L); // a probe every 50 ms
                }
            }, "readiness-watch");
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException {
            running = false;
            if (thread != null) {
                thread.join(5000);
            }
        }
    }

    private static String drainReport(List<Sample> samples, long sigterm, long exit, long readinessDown, Duration delay) {
        long delayEnd = sigterm + delay.toNanos();
        List<Sample> before = samples.stream().filter(s -> s.sentNanos() < sigterm).toList();
        List<Sample> inDelay = samples.stream().filter(s -> s.sentNanos() >= sigterm && s.sentNanos() < delayEnd).toList();
        List<Sample> afterDelay = samples.stream().filter(s -> s.sentNanos() >= delayEnd && s.sentNanos() < exit).toList();
        long lastOk = samples.stream().filter(s -> s.outcome() == Outcome.OK).mapToLong(Sample::sentNanos).max().orElse(sigterm);
        long firstFailure = samples.stream().filter(s -> s.sentNanos() >= sigterm && s.outcome() != Outcome.OK)
                .mapToLong(Sample::sentNanos).min().orElse(exit);
        String resets = samples.stream().filter(s -> s.outcome() == Outcome.RESET)
                .map(s -> String.format("%.2f s %s", (s.sentNanos() - sigterm) / 1e9, s.detail())).limit(3)
                .collect(Collectors.joining("; "));
        return String.format("4 connections of GET %s?size=1. Before SIGTERM: %s. Sent within the shutdown delay (%s): %s."
                + " Sent after the delay until exit: %s. Readiness DOWN after %s; last request answered was sent %.2f s"
                + " after SIGTERM, first unanswered %.2f s; exit after %.2f s.%s",
                Api.BASE, outcomes(before), delay, outcomes(inDelay), outcomes(afterDelay),
                readinessDown == 0 ? "never" : String.format("%.2f s", (readinessDown - sigterm) / 1e9),
                (lastOk - sigterm) / 1e9, (firstFailure - sigterm) / 1e9, (exit - sigterm) / 1e9,
                resets.isEmpty() ? "" : " Resets: " + resets + ".");
    }

    private static String outcomes(List<Sample> samples) {
        return samples.size() + " requests " + new java.util.TreeMap<>(
                samples.stream().collect(Collectors.groupingBy(Sample::outcome, Collectors.counting())));
    }

    // --- the test's database and settings ------------------------------------------------------------

    private Connection db() throws SQLException {
        TestDatabase db = TestDatabase.get();
        return DriverManager.getConnection("jdbc:postgresql://" + db.host + ":" + db.port + "/" + database, db.user, db.password);
    }

    private Map<String, Object> lease(String id) throws SQLException {
        try (Connection c = db()) {
            List<Map<String, Object>> rows = Sql.rows(c,
                    "select lease_token, lease_owner, (select status from project where id = project_id) as status"
                            + " from project_runtime where project_id = cast(? as uuid)", id);
            return rows.isEmpty() ? Map.of() : rows.get(0);
        }
    }

    /** Who holds the project's lease now (null when nobody does). */
    private String leaseOwner(String id) throws SQLException {
        Map<String, Object> row = lease(id);
        return row.get("lease_token") == null ? null : (String) row.get("lease_owner");
    }

    private Object leaseToken(String id) throws SQLException {
        return lease(id).get("lease_token");
    }

    /** quarkus.shutdown.delay of the prod profile (application.properties), which the drain test holds the image to. */
    static Duration shutdownDelay() throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(Path.of("src", "main", "resources", "application.properties"))) {
            p.load(r);
        }
        String value = p.getProperty("%prod.quarkus.shutdown.delay", p.getProperty("quarkus.shutdown.delay"));
        assertNotNull(value, "application.properties sets no quarkus.shutdown.delay: a shutdown without a delay refuses"
                + " requests that the Service still routes after SIGTERM");
        String v = value.trim().toLowerCase();
        if (v.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
        }
        if (v.endsWith("s")) {
            return Duration.ofMillis(Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 1000));
        }
        return v.matches("\\d+") ? Duration.ofSeconds(Long.parseLong(v)) : Duration.parse(value.trim());
    }

    private static String pomVersion() throws Exception {
        var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Path.of("pom.xml").toFile());
        var children = doc.getDocumentElement().getChildNodes();
        for (int i = 0; i < children.getLength(); i++) {
            if ("version".equals(children.item(i).getNodeName())) {
                return children.item(i).getTextContent().trim();
            }
        }
        throw new IllegalStateException("pom.xml has no <version>");
    }

    private static String git(String... args) {
        List<String> cmd = new ArrayList<>(List.of("git"));
        cmd.addAll(List.of(args));
        ContainerEngine.Result r = ContainerEngine.exec(cmd, Duration.ofSeconds(30));
        return r.ok() ? r.output().strip() : "unknown";
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** A Hamcrest matcher for one line of a multi-line text. */
    private static final class LineMatcher {
        static org.hamcrest.Matcher<String> matchesRegexLine(String regex) {
            return new org.hamcrest.TypeSafeMatcher<>() {
                @Override
                protected boolean matchesSafely(String text) {
                    return Pattern.compile("(?m)^" + regex + "$").matcher(text).find();
                }

                @Override
                public void describeTo(org.hamcrest.Description d) {
                    d.appendText("a line matching ").appendValue(regex);
                }
            };
        }
    }
}
