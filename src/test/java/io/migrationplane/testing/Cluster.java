package io.migrationplane.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * Several instances of the packaged service on one PostgreSQL of their own (embedded, so that a
 * test can stop and start it), plus a thread-safe HTTP client and SQL access for the assertions.
 */
public final class Cluster implements AutoCloseable {

    public record Reply(int status, JsonNode body) {
        public String text(String field) {
            return body == null || body.get(field) == null ? null : body.get(field).asText();
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1).build();
    private final Path dataDir;
    private final int dbPort;
    private EmbeddedPostgres pg;
    private final Map<String, String> env;
    public final List<AppProcess> apps = new ArrayList<>();

    public Cluster(String tick, String leaseTtl) throws IOException {
        dataDir = Files.createTempDirectory("mp-cluster-pg");
        pg = EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(false).start();
        dbPort = pg.getPort();
        env = new HashMap<>();
        env.put("QUARKUS_DATASOURCE_REACTIVE_URL", "postgresql://localhost:" + dbPort + "/postgres");
        env.put("QUARKUS_DATASOURCE_JDBC_URL", "jdbc:postgresql://localhost:" + dbPort + "/postgres");
        env.put("QUARKUS_DATASOURCE_USERNAME", "postgres");
        env.put("QUARKUS_DATASOURCE_PASSWORD", "");
        env.put("MIGRATION_WORKER_TICK", tick);
        env.put("MIGRATION_WORKER_LEASE_TTL", leaseTtl);
    }

    /** A setting (environment variable) of every instance started after this call. */
    public Cluster with(String variable, String value) {
        env.put(variable, value);
        return this;
    }

    /** Starts instances named prefix-0 … prefix-(n-1), one after the other (the first runs Flyway). */
    public Cluster start(String prefix, int n) throws IOException {
        for (int i = 0; i < n; i++) {
            apps.add(AppProcess.start(prefix + "-" + i, env).awaitReady(Duration.ofSeconds(90)));
        }
        return this;
    }

    /** Starts n instances at the same moment on the empty database, as a Deployment's pods do. */
    public Cluster startTogether(String prefix, int n) throws IOException {
        List<AppProcess> starting = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            starting.add(AppProcess.start(prefix + "-" + i, env));
        }
        apps.addAll(starting);
        starting.forEach(app -> app.awaitReady(Duration.ofSeconds(120)));
        return this;
    }

    /** Starts one instance with the current settings without waiting for it (it may be meant to exit). */
    public AppProcess launch(String name) throws IOException {
        AppProcess app = AppProcess.start(name, env);
        apps.add(app);
        return app;
    }

    public AppProcess app(String name) {
        return apps.stream().filter(a -> a.name.equals(name)).findFirst().orElseThrow();
    }

    public void stopDatabase() throws IOException {
        pg.close();
    }

    public void startDatabase() throws IOException {
        pg = EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(false).setPort(dbPort).start();
    }

    public Reply call(AppProcess app, String method, String path, Object body, Map<String, String> headers) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(app.baseUri() + path)).timeout(Duration.ofSeconds(15));
            b.header("Authorization", "Bearer " + Tokens.admin());
            headers.forEach(b::header);
            if (body != null) {
                b.header("Content-Type", "application/json");
                b.method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
            } else {
                b.method(method, HttpRequest.BodyPublishers.noBody());
            }
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode node = r.body() == null || r.body().isBlank() ? null : JSON.readTree(r.body());
            return new Reply(r.statusCode(), node);
        } catch (IOException e) {
            return new Reply(-1, com.fasterxml.jackson.databind.node.TextNode.valueOf(method + " " + path + ": " + e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Reply(-1, null);
        }
    }

    public Reply call(AppProcess app, String method, String path, Object body) {
        return call(app, method, path, body, Map.of());
    }

    public String create(AppProcess app, Map<String, Object> body) {
        Reply r = call(app, "POST", Api.BASE, body);
        if (r.status() != 201) {
            throw new IllegalStateException("create answered " + r);
        }
        return r.text("id");
    }

    /** A connection of the test's own to the cluster's database (the caller closes it). */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://localhost:" + dbPort + "/postgres", "postgres", "");
    }

    public List<Map<String, Object>> sql(String sql, Object... args) {
        try (Connection c = connect()) {
            return Sql.rows(c, sql, args);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** project id -> lease owner, for the projects that hold a live lease. */
    public Map<String, String> liveLeases() {
        Map<String, String> owners = new HashMap<>();
        for (Map<String, Object> row : sql("select project_id::text as id, lease_owner from project_runtime"
                + " where lease_token is not null and lease_expires_at > now()")) {
            owners.put((String) row.get("id"), (String) row.get("lease_owner"));
        }
        return owners;
    }

    public long rows(String projectId) {
        return ((Number) sql("select rows_migrated from project_runtime where project_id = cast(? as uuid)", projectId)
                .get(0).get("rows_migrated")).longValue();
    }

    @Override
    public void close() {
        apps.forEach(AppProcess::close);
        try {
            pg.close();
        } catch (IOException ignored) {
            // already stopped
        }
    }
}
