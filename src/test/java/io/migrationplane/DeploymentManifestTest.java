package io.migrationplane;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.migrationplane.testing.AdminTokenByDefault;
import io.migrationplane.testing.PostgresResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * deploy/kubernetes against the running service: every probe and scrape path answers, the container
 * port is the service's port, every environment variable the manifests set is a configuration key the
 * service reads, the grace period covers the graceful shutdown, selectors match, and the image and the
 * pod run as the same non-root user.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class DeploymentManifestTest {

    private static final Path MANIFESTS = Path.of("deploy", "kubernetes");
    private static final Set<String> IMAGE_VARIABLES = Set.of("JAVA_OPTS", "MALLOC_ARENA_MAX"); // read by docker/Dockerfile.jvm's entrypoint and by glibc
    /** Applied on their own: they need the Prometheus Operator's CRDs, without which {@code kubectl apply -k} would fail. */
    private static final Set<String> OPERATOR_ONLY = Set.of("prometheus-rule.yaml");
    private static final List<JsonNode> docs = new ArrayList<>();

    @BeforeAll
    static void parse() throws IOException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        try (Stream<Path> files = Files.list(MANIFESTS)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                try (MappingIterator<JsonNode> it = yaml.readerFor(JsonNode.class).readValues(file.toFile())) {
                    it.forEachRemaining(docs::add);
                }
            }
        }
    }

    private static JsonNode kind(String kind) {
        return docs.stream().filter(d -> kind.equals(d.path("kind").asText())).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " in " + MANIFESTS));
    }

    private static JsonNode container() {
        return kind("Deployment").path("spec").path("template").path("spec").path("containers").get(0);
    }

    @Test
    void kustomizationListsEveryManifest() throws IOException {
        JsonNode kustomization = kind("Kustomization");
        Set<String> listed = new HashSet<>();
        kustomization.path("resources").forEach(r -> listed.add(r.asText()));
        try (Stream<Path> files = Files.list(MANIFESTS)) {
            files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".yaml") && !f.equals("kustomization.yaml"))
                    .forEach(f -> assertTrue(listed.contains(f) != OPERATOR_ONLY.contains(f), OPERATOR_ONLY.contains(f)
                            ? f + " needs the Prometheus Operator: apply it on its own, not from kustomization.yaml"
                            : f + " is not in kustomization.yaml"));
        }
    }

    @Test
    void probesAndScrapePathsExistOnTheServicesPort() {
        JsonNode c = container();
        int port = c.path("ports").get(0).path("containerPort").asInt();
        // In tests the port is a random one; the image listens on the one application.properties sets.
        String configured = java.util.stream.StreamSupport.stream(ConfigProvider.getConfig().getConfigSources().spliterator(), false)
                .filter(source -> source.getName().contains("application.properties"))
                .map(source -> source.getValue("quarkus.http.port")).filter(java.util.Objects::nonNull).findFirst().orElseThrow();
        assertEquals(Integer.parseInt(configured), port, "containerPort is quarkus.http.port");
        assertEquals("http", c.path("ports").get(0).path("name").asText());
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            JsonNode get = c.path(probe).path("httpGet");
            assertEquals("http", get.path("port").asText(), probe + " uses the named port");
            String path = get.path("path").asText();
            assertTrue(path.startsWith("/q/health"), probe + ": " + path);
            given().header(AdminTokenByDefault.ANONYMOUS, "true").get(path).then().statusCode(200);
        }
        JsonNode annotations = kind("Deployment").path("spec").path("template").path("metadata").path("annotations");
        assertEquals("true", annotations.path("prometheus.io/scrape").asText());
        assertEquals(Integer.toString(port), annotations.path("prometheus.io/port").asText());
        given().header(AdminTokenByDefault.ANONYMOUS, "true").get(annotations.path("prometheus.io/path").asText())
                .then().statusCode(200).body(org.hamcrest.Matchers.containsString("migration_projects"));
        assertEquals(2, kind("Deployment").path("spec").path("replicas").asInt());
        assertFalse(c.path("resources").path("requests").isMissingNode());
        assertFalse(c.path("resources").path("limits").path("memory").isMissingNode());
    }

    /** QUARKUS_DATASOURCE_JDBC_URL for quarkus.datasource.jdbc.url: MicroProfile Config's environment rule. */
    private static String environmentName(String property) {
        return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase();
    }

    @Test
    void everyVariableTheManifestsSetIsAKeyTheServiceReads() {
        Set<String> known = new HashSet<>(IMAGE_VARIABLES);
        for (String name : ConfigProvider.getConfig().getPropertyNames()) {
            known.add(environmentName(name.replaceFirst("^%[a-z]+\\.", "")));
        }
        Set<String> set = new HashSet<>();
        container().path("env").forEach(e -> set.add(e.path("name").asText()));
        kind("ConfigMap").path("data").fieldNames().forEachRemaining(set::add);
        kind("Secret").path("stringData").fieldNames().forEachRemaining(k -> {
            if (!k.endsWith(".pem")) {
                set.add(k); // the PEM is mounted as a file, not passed as a variable
            }
        });
        assertTrue(set.size() >= 10, set.toString());
        for (String variable : set) {
            assertTrue(known.contains(variable), variable + " is not a configuration key of the service");
        }
        // Secrets come from the Secret, not from the ConfigMap.
        JsonNode config = kind("ConfigMap").path("data");
        for (String secret : List.of("QUARKUS_DATASOURCE_PASSWORD", "MIGRATION_SECRETS_KEY")) {
            assertTrue(config.path(secret).isMissingNode(), secret + " must not be in the ConfigMap");
        }
        // The mounted key file is where MP_JWT_VERIFY_PUBLICKEY_LOCATION points.
        JsonNode mount = container().path("volumeMounts").get(0);
        String location = config.path("MP_JWT_VERIFY_PUBLICKEY_LOCATION").asText();
        assertEquals("file:" + mount.path("mountPath").asText() + "/public.pem", location);
    }

    @Test
    void theGracePeriodCoversTheGracefulShutdown() {
        JsonNode pod = kind("Deployment").path("spec").path("template").path("spec");
        long grace = pod.path("terminationGracePeriodSeconds").asLong();
        Duration shutdown = ConfigProvider.getConfig().getValue("quarkus.shutdown.timeout", Duration.class);
        long preStop = container().path("lifecycle").path("preStop").path("exec").path("command").get(1).asLong();
        long workerHandover = 8; // WorkerSupervisor.onShutdown: up to 3 s for a tick, 5 s for checkpoints and leases
        assertTrue(grace >= preStop + shutdown.toSeconds() + workerHandover,
                "grace " + grace + " s < preStop " + preStop + " + shutdown " + shutdown.toSeconds() + " + handover " + workerHandover);
    }

    @Test
    void selectorsMatchThePods() {
        JsonNode labels = kind("Deployment").path("spec").path("template").path("metadata").path("labels");
        for (JsonNode selector : List.of(kind("Deployment").path("spec").path("selector").path("matchLabels"),
                kind("Service").path("spec").path("selector"), kind("PodDisruptionBudget").path("spec").path("selector").path("matchLabels"))) {
            selector.fields().forEachRemaining(e -> assertEquals(e.getValue().asText(), labels.path(e.getKey()).asText(), e.getKey()));
        }
        assertEquals("http", kind("Service").path("spec").path("ports").get(0).path("targetPort").asText());
        assertEquals(1, kind("PodDisruptionBudget").path("spec").path("minAvailable").asInt());
    }

    @Test
    void theImageAndThePodRunAsTheSameNonRootUser() throws IOException {
        List<String> users = Files.readAllLines(Path.of("docker", "Dockerfile.jvm")).stream()
                .map(String::trim).filter(l -> l.startsWith("USER ")).map(l -> l.substring(5).trim()).toList();
        assertFalse(users.isEmpty(), "the Dockerfile sets a USER");
        String user = users.get(users.size() - 1);
        assertTrue(user.matches("\\d+"), "numeric USER, so that runAsNonRoot can verify it: " + user);
        assertNotEquals("0", user);
        JsonNode security = kind("Deployment").path("spec").path("template").path("spec").path("securityContext");
        assertTrue(security.path("runAsNonRoot").asBoolean());
        assertEquals(user, security.path("runAsUser").asText());
        JsonNode container = container().path("securityContext");
        assertFalse(container.path("allowPrivilegeEscalation").asBoolean(true));
        assertTrue(container.path("readOnlyRootFilesystem").asBoolean());
    }
}
