package io.migrationplane.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.function.Supplier;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.migrationplane.db.ReadClient;
import io.migrationplane.db.Transactions;
import io.migrationplane.error.ApiProblem;
import io.migrationplane.project.ProjectView;
import io.migrationplane.error.Failures;
import io.migrationplane.error.ProblemCode;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;

/**
 * {@code Idempotency-Key} for POSTs. The first request with a key reserves it, runs, and stores its
 * response (2xx and 4xx; a 5xx frees the key so that a retry runs again). A retry with the same key
 * and the same request gets that response back and does nothing again; a concurrent retry waits for
 * the first to finish; the same key with another request is {@code 422 IDEMPOTENCY_KEY_REUSED}.
 */
@ApplicationScoped
public class IdempotentRequests {

    public static final String HEADER = "Idempotency-Key";
    public static final String REPLAYED = "Idempotent-Replayed";
    private static final Logger LOG = Logger.getLogger(IdempotentRequests.class);

    private static final String RESERVE = """
            insert into idempotency_key (key, fingerprint, state, expires_at)
            values ($1, $2, 'PENDING', now() + $3 * interval '1 millisecond')
            on conflict (key) do nothing
            """;
    private static final String READ = """
            select fingerprint, state, status, content_type, body, location, etag, expires_at < now() as expired
              from idempotency_key where key = $1
            """;
    private static final String COMPLETE = """
            update idempotency_key set state = 'DONE', status = $2, content_type = $3, body = $4, location = $5, etag = $6,
                   project_id = $7
             where key = $1
            """;
    private static final String FORGET = "delete from idempotency_key where key = $1 and (state = 'PENDING' or expires_at < now())";

    /** A retry found the first request still running. */
    private static final class StillRunning extends RuntimeException {
        StillRunning() {
            super(null, null, false, false);
        }
    }

    private final Transactions db;
    private final ReadClient reads;
    private final IdempotencySettings settings;
    private final ObjectMapper json;
    private final ObjectMapper canonical;

    public IdempotentRequests(Transactions db, ReadClient reads, IdempotencySettings settings, ObjectMapper json) {
        this.db = db;
        this.reads = reads;
        this.settings = settings;
        this.json = json;
        this.canonical = json.copy().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
    }

    /**
     * Runs {@code action} at most once per key. {@code request} identifies what was asked (method,
     * path, relevant headers); {@code body} is the parsed body, compared in canonical form.
     */
    public Uni<Response> once(String key, String request, Object body, Supplier<Uni<Response>> action) {
        if (key == null) {
            return action.get();
        }
        if (key.isEmpty() || key.length() > 255 || !key.chars().allMatch(c -> c >= 0x21 && c <= 0x7e)) {
            return Uni.createFrom().failure(ApiProblem.validation(HEADER, "must be 1-255 visible ASCII characters"));
        }
        return reserve(key, fingerprint(request, body), action);
    }

    private Uni<Response> runFirst(String key, Supplier<Uni<Response>> action) {
        return Uni.createFrom().deferred(() -> action.get())
                .onFailure().recoverWithUni(e -> {
                    ApiProblem problem = Failures.classify(e).orElse(null);
                    if (problem == null || problem.code().status >= 500) {
                        // Not a deterministic answer: free the key so that a retry runs again.
                        return forget(key).chain(() -> Uni.createFrom().<Response>failure(e));
                    }
                    return Uni.createFrom().item(ProblemResponses.response(problem, null));
                })
                .call(response -> store(key, response));
    }

    private Uni<Void> store(String key, Response response) {
        String body;
        try {
            Object entity = response.getEntity();
            body = entity == null ? null : entity instanceof String s ? s : json.writeValueAsString(entity);
        } catch (JsonProcessingException e) {
            return Uni.createFrom().failure(e);
        }
        MediaType type = response.getMediaType();
        Object location = response.getHeaders().getFirst(HttpHeaders.LOCATION);
        Object etag = response.getHeaders().getFirst(HttpHeaders.ETAG);
        return db.run(conn -> conn.preparedQuery(COMPLETE).execute(Tuple.tuple().addString(key).addInteger(response.getStatus())
                .addString(type == null ? null : type.toString()).addString(body)
                .addString(location == null ? null : location.toString())
                .addString(etag == null ? null : etag.toString())
                // the project it answered with, so that deleting the project deletes this record
                .addUUID(response.getEntity() instanceof ProjectView p ? p.id() : null))).replaceWithVoid();
    }

    private Uni<Response> replay(String key, String fingerprint, Supplier<Uni<Response>> action) {
        return reads.reads().preparedQuery(READ).execute(Tuple.of(key)).chain(rows -> {
            if (!rows.iterator().hasNext()) {
                // The first request failed with a 5xx and freed the key meanwhile.
                return reserve(key, fingerprint, action);
            }
            Row row = rows.iterator().next();
            if (row.getBoolean("expired")) {
                return forget(key).chain(() -> reserve(key, fingerprint, action));
            }
            if (!fingerprint.equals(row.getString("fingerprint"))) {
                return Uni.createFrom().failure(new ApiProblem(ProblemCode.IDEMPOTENCY_KEY_REUSED,
                        "Idempotency-Key '" + key + "' was used for a different request").with("idempotencyKey", key));
            }
            if ("PENDING".equals(row.getString("state"))) {
                return Uni.createFrom().failure(new StillRunning());
            }
            return Uni.createFrom().item(replayed(row));
        }).onFailure(StillRunning.class).retry().withBackOff(Duration.ofMillis(25), Duration.ofMillis(200))
                .expireIn(settings.inFlightWait().toMillis())
                .onFailure(StillRunning.class).transform(e -> new ApiProblem(ProblemCode.INVALID_STATE,
                        "A request with Idempotency-Key '" + key + "' is still being processed; retry later")
                        .with("idempotencyKey", key));
    }

    /** The first request with a key reserves it and runs; any other replays (or waits for) the first one's answer. */
    private Uni<Response> reserve(String key, String fingerprint, Supplier<Uni<Response>> action) {
        return db.run(conn -> conn.preparedQuery(RESERVE).execute(Tuple.of(key, fingerprint, settings.ttl().toMillis())))
                .chain(rows -> rows.rowCount() == 1 ? runFirst(key, action) : replay(key, fingerprint, action));
    }

    private Uni<Void> forget(String key) {
        return db.run(conn -> conn.preparedQuery(FORGET).execute(Tuple.of(key))).replaceWithVoid();
    }

    private static Response replayed(Row row) {
        Response.ResponseBuilder r = Response.status(row.getInteger("status")).header(REPLAYED, "true");
        if (row.getString("body") != null) {
            r.entity(row.getString("body")).type(row.getString("content_type"));
        }
        if (row.getString("location") != null) {
            r.header(HttpHeaders.LOCATION, row.getString("location"));
        }
        if (row.getString("etag") != null) {
            r.header(HttpHeaders.ETAG, row.getString("etag"));
        }
        return r.build();
    }

    /**
     * A hash of the request without its passwords: a stored hash of a body whose other fields are known
     * would let anyone who reads the table guess a weak password offline.
     */
    private String fingerprint(String request, Object body) {
        try {
            JsonNode tree = body == null ? null : canonical.valueToTree(body);
            if (tree != null) {
                tree.findParents("password").forEach(parent -> ((ObjectNode) parent).remove("password"));
            }
            String text = request + "\n" + (tree == null ? "" : canonical.writeValueAsString(tree));
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Scheduled(every = "${migration.idempotency.cleanup:5m}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> forgetExpired() {
        return db.run(conn -> conn.query("delete from idempotency_key where expires_at < now()").execute())
                .invoke(rows -> LOG.debugf("Forgot %d expired idempotency keys", rows.rowCount()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }
}
