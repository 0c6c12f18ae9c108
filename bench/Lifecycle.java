import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Scenario 4: clients loop create → start → pause → release → delete. Release latency is from the
 * release request until the project is RELEASED (both workers stopped). Run: java Lifecycle.java URL CLIENTS SECONDS
 */
public class Lifecycle {

    private static final Pattern ID = Pattern.compile("\"id\":\"([0-9a-f-]{36})\"");
    private static final Pattern STATUS = Pattern.compile("\"status\":\"([A-Z_]+)\"");

    public static void main(String[] args) throws Exception {
        String base = args[0];
        int clients = Integer.parseInt(args[1]);
        int seconds = Integer.parseInt(args[2]);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<Long> releaseNanos = Collections.synchronizedList(new ArrayList<>());
        List<Long> requestNanos = Collections.synchronizedList(new ArrayList<>());
        AtomicLong releasedAtOnce = new AtomicLong();
        AtomicLong cycles = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        for (int c = 0; c < clients; c++) {
            pool.submit(() -> {
                while (System.nanoTime() < end) {
                    try {
                        String name = "cycle-" + UUID.randomUUID().toString().substring(0, 18);
                        String created = call(http, "POST", base + "/api/v1/projects", body(name), 201);
                        Matcher m = ID.matcher(created);
                        m.find();
                        String id = m.group(1);
                        String p = base + "/api/v1/projects/" + id;
                        call(http, "POST", p + "/start", null, 200);
                        call(http, "POST", p + "/pause", null, 200);
                        long t0 = System.nanoTime();
                        String status = status(call(http, "POST", p + "/release", null, 202));
                        requestNanos.add(System.nanoTime() - t0);
                        if (status.equals("RELEASED")) {
                            releasedAtOnce.incrementAndGet();
                        }
                        while (!status.equals("RELEASED")) {
                            status = status(call(http, "GET", p, null, 200));
                        }
                        releaseNanos.add(System.nanoTime() - t0);
                        call(http, "DELETE", p + "?confirmName=" + name, null, 204);
                        cycles.incrementAndGet();
                    } catch (Exception e) {
                        errors.incrementAndGet();
                    }
                }
            });
        }
        pool.shutdown();
        pool.awaitTermination(seconds + 60L, TimeUnit.SECONDS);
        System.out.printf("RESULT cycles_per_s=%.1f requests_per_s=%.1f release_p50_ms=%.2f release_p99_ms=%.2f"
                        + " release_request_p50_ms=%.2f release_request_p99_ms=%.2f released_at_once_pct=%d errors=%d cycles=%d%n",
                cycles.get() / (double) seconds, cycles.get() * 5.0 / seconds, percentile(releaseNanos, 50), percentile(releaseNanos, 99),
                percentile(requestNanos, 50), percentile(requestNanos, 99),
                cycles.get() == 0 ? 0 : releasedAtOnce.get() * 100 / cycles.get(), errors.get(), cycles.get());
    }

    private static double percentile(List<Long> nanos, int p) {
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        return sorted.isEmpty() ? 0 : sorted.get(Math.min(sorted.size() - 1, (int) (sorted.size() * p / 100.0))) / 1e6;
    }

    private static String status(String json) {
        Matcher m = STATUS.matcher(json);
        return m.find() ? m.group(1) : "";
    }

    private static String body(String name) {
        return "{\"name\":\"" + name + "\",\"source\":{\"type\":\"MYSQL\",\"host\":\"10.0.0.5\",\"port\":3306},"
                + "\"destination\":{\"type\":\"OCEANBASE_MYSQL\",\"host\":\"10.0.0.9\",\"port\":2881},"
                + "\"migrationTypes\":[\"FULL_MIGRATION\",\"INCREMENTAL_SYNC\"],"
                + "\"objects\":[{\"schema\":\"s\",\"table\":\"t\",\"rows\":100000000}],"
                + "\"simulation\":{\"rowsPerSecond\":50000,\"changesPerSecond\":100}}";
    }

    private static String call(HttpClient http, String method, String url, String body, int expected) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + System.getenv("BENCH_TOKEN"));
        if (body != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != expected) {
            throw new IllegalStateException(method + " " + url + " -> " + r.statusCode() + " " + r.body());
        }
        return r.body();
    }
}
