package io.migrationplane.security;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.migrationplane.db.ReadClient;
import io.migrationplane.db.Transactions;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * Re-encrypts every stored password that is not under the current key (plain text from before
 * encryption, or a previous key), in one keyset pass. Each write is a compare-and-set on the old
 * values, so a concurrent change of a password wins and replicas may run this side by side.
 */
@ApplicationScoped
public class SecretRotation {

    private static final Logger LOG = Logger.getLogger(SecretRotation.class);
    private static final int BATCH = 200;

    private static final String PENDING = """
            select id, source_password, destination_password from project
             where id > $1 and ((source_password is not null and source_password not like $2)
                 or (destination_password is not null and destination_password not like $2))
             order by id limit $3
            """;
    private static final String REPLACE = """
            update project set source_password = $2, destination_password = $3
             where id = $1 and source_password is not distinct from $4 and destination_password is not distinct from $5
            """;

    public record Report(String keyId, int reencrypted, List<UUID> failed) {
    }

    private final ReadClient reads;
    private final Transactions db;
    private final SecretCipher cipher;

    public SecretRotation(ReadClient reads, Transactions db, SecretCipher cipher) {
        this.reads = reads;
        this.db = db;
        this.cipher = cipher;
    }

    void onStart(@Observes StartupEvent event) {
        rotate().subscribe().with(report -> {
            if (report.reencrypted() > 0 || !report.failed().isEmpty()) {
                LOG.infof("Passwords re-encrypted under key %s: %d; not decryptable with the configured keys: %d",
                        report.keyId(), report.reencrypted(), report.failed().size());
            }
        }, e -> LOG.warnf("Re-encrypting passwords at start-up failed (POST /api/v1/admin/secrets/rotate retries): %s", e.toString()));
    }

    public Uni<Report> rotate() {
        List<UUID> failed = new ArrayList<>();
        int[] done = { 0 };
        return Multi.createBy().repeating()
                // state: the last id seen; (0, 0) is the smallest uuid in PostgreSQL's (unsigned) order
                .uni(() -> new UUID[] { new UUID(0, 0) },
                        after -> reads.reads().preparedQuery(PENDING)
                                .execute(Tuple.of(after[0], "v1:" + cipher.currentKeyId() + ":%", BATCH))
                                .onItem().transformToUni(rows -> {
                                    List<Uni<Integer>> writes = new ArrayList<>();
                                    for (Row row : rows) {
                                        after[0] = row.getUUID("id");
                                        writes.add(reencrypt(row, failed));
                                    }
                                    return writes.isEmpty() ? Uni.createFrom().item(-1)
                                            : Uni.join().all(writes).andFailFast().map(n -> n.stream().mapToInt(Integer::intValue).sum());
                                }))
                .whilst(n -> n >= 0)
                .onItem().invoke(n -> done[0] += Math.max(0, n))
                .collect().last()
                .map(ignored -> new Report(cipher.currentKeyId(), done[0], List.copyOf(failed)));
    }

    private Uni<Integer> reencrypt(Row row, List<UUID> failed) {
        String source = row.getString("source_password");
        String destination = row.getString("destination_password");
        String newSource;
        String newDestination;
        try {
            newSource = cipher.needsRotation(source) ? cipher.encrypt(cipher.decrypt(source)) : source;
            newDestination = cipher.needsRotation(destination) ? cipher.encrypt(cipher.decrypt(destination)) : destination;
        } catch (IllegalStateException e) {
            synchronized (failed) {
                failed.add(row.getUUID("id"));
            }
            return Uni.createFrom().item(0);
        }
        return db.run(conn -> conn.preparedQuery(REPLACE)
                .execute(Tuple.of(row.getUUID("id"), newSource, newDestination, source, destination)))
                .map(result -> result.rowCount());
    }
}
