package io.migrationplane;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;

import com.fasterxml.jackson.databind.JsonNode;
import io.migrationplane.testing.AdminTokenByDefault;
import io.migrationplane.testing.Management;
import io.migrationplane.testing.PostgresResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * deploy/kubernetes against the running service and the rest of the project: the probes and the scrape path answer
 * on the management port (and metrics not on the API port), the container ports are the service's ports, every
 * environment variable the manifests set is a configuration key the service reads, the JVM options stay the
 * image's, the grace period covers the graceful shutdown, selectors match, the Deployment's and the migration Job's
 * pods run hardened as the image's non-root user under their own ServiceAccount without a token, settings and
 * secrets come from kustomize generators, and the image is the pom's version. Whether every field exists in the
 * Kubernetes schemas is KubernetesSchemaTest's.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class DeploymentManifestTest {

    private static final Path MANIFESTS = KubernetesSchemaTest.MANIFESTS;
    private static final Path BASE = MANIFESTS.resolve("base");
    private static final Path MIGRATION_JOB = MANIFESTS.resolve("overlays").resolve("migration-job");
    /** Owned by docker/Dockerfile.jvm (its entrypoint and glibc): a copy in a manifest drifts from the image. */
    private static final Set<String> IMAGE_OWNED = Set.of("JAVA_OPTS", "MALLOC_ARENA_MAX", "JAVA_TOOL_OPTIONS");
    /** Worst case of WorkerSupervisor.onShutdown: up to 3 s for a tick, 5 s for final checkpoints and leases. */
    private static final long WORKER_HANDOVER_SECONDS = 8;
    private static final long GRACE_MARGIN_SECONDS = 5;
    private static final Map<Path, List<JsonNode>> sources = new LinkedHashMap<>();

    @BeforeAll
    static void parse() throws IOException {
        for (Path file : KubernetesSchemaTest.yamlFiles()) {
            sources.put(file.normalize(), KubernetesSchemaTest.documents(file));
        }
    }

    private static JsonNode kind(Path file, String kind) {
        return sources.getOrDefault(file.normalize(), List.of()).stream().filter(d -> kind.equals(d.path("kind").asText())).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " in " + file));
    }

    private static JsonNode deployment() {
        return kind(BASE.resolve("deployment.yaml"), "Deployment");
    }

    private static JsonNode job() {
        return kind(MIGRATION_JOB.resolve("migrate-job.yaml"), "Job");
    }

    private static JsonNode container() {
        return deployment().path("spec").path("template").path("spec").path("containers").get(0);
    }

    private static JsonNode jobContainer() {
        return job().path("spec").path("template").path("spec").path("containers").get(0);
    }

    private static JsonNode port(JsonNode container, String name) {
        for (JsonNode p : container.path("ports")) {
            if (name.equals(p.path("name").asText())) {
                return p;
            }
        }
        throw new AssertionError("no container port named " + name + " in " + container.path("name").asText());
    }

    private static JsonNode env(JsonNode container, String name) {
        for (JsonNode e : container.path("env")) {
            if (name.equals(e.path("name").asText())) {
                return e;
            }
        }
        return null;
    }

    /** The value application.properties itself gives (tests run on random ports; the image on these). */
    private static String applicationProperty(String key) {
        return StreamSupport.stream(ConfigProvider.getConfig().getConfigSources().spliterator(), false)
                .filter(source -> source.getName().contains("application.properties"))
                .map(source -> source.getValue(key)).filter(Objects::nonNull).findFirst()
                .orElseThrow(() -> new AssertionError(key + " is not set in application.properties"));
    }

    /** KEY=value lines of a kustomize env file (config.env, secret.env.example), comments and blank lines left out. */
    private static Map<String, String> envFile(Path file) throws IOException {
        Map<String, String> entries = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            String l = line.trim();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            int eq = l.indexOf('=');
            assertTrue(eq > 0, file + ": not KEY=value: " + line);
            entries.put(l.substring(0, eq), l.substring(eq + 1));
        }
        return entries;
    }

    /** REST Assured on the management interface of the test's service. */

    // ---------------------------------------------------------------------------------------------------------

    @Test
    void probesAndScrapeAnswerOnTheManagementPortOnly() {
        JsonNode c = container();
        assertEquals(Integer.parseInt(applicationProperty("quarkus.http.port")), port(c, "http").path("containerPort").asInt(),
                "the http containerPort is quarkus.http.port");
        int management = Integer.parseInt(applicationProperty("quarkus.management.port"));
        assertEquals(management, port(c, "management").path("containerPort").asInt(), "the management containerPort is quarkus.management.port");
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            JsonNode p = c.path(probe);
            JsonNode get = p.path("httpGet");
            assertEquals("management", get.path("port").asText(), probe + " uses the named port management: health answers only there");
            int timeout = p.path("timeoutSeconds").asInt(0);
            assertTrue(timeout >= 2 && timeout <= p.path("periodSeconds").asInt(), probe + ": timeoutSeconds set (the default 1 s"
                    + " fails a probe during a GC pause or a slow database check), at most periodSeconds: " + p);
            String path = get.path("path").asText();
            assertTrue(path.startsWith("/q/health/"), probe + ": " + path);
            Management.given().get(path).then().statusCode(200);
        }
        JsonNode annotations = deployment().path("spec").path("template").path("metadata").path("annotations");
        assertEquals("true", annotations.path("prometheus.io/scrape").asText());
        assertEquals(Integer.toString(management), annotations.path("prometheus.io/port").asText(), "Prometheus scrapes the management port");
        String metrics = annotations.path("prometheus.io/path").asText();
        Management.given().get(metrics).then().statusCode(200).body(org.hamcrest.Matchers.containsString("migration_projects"));
        given().header(AdminTokenByDefault.ANONYMOUS, "true").get(metrics).then().statusCode(404);
        assertEquals(2, deployment().path("spec").path("replicas").asInt());
    }

    @Test
    void resourcesReserveTheMeasuredShareWithoutThrottling() {
        JsonNode resources = container().path("resources");
        assertFalse(resources.path("requests").path("cpu").isMissingNode(), "a CPU request");
        assertFalse(resources.path("requests").path("memory").isMissingNode(), "a memory request");
        assertEquals(resources.path("requests").path("memory").asText(), resources.path("limits").path("memory").asText(),
                "memory request = limit: the heap is a percentage of the limit (MaxRAMPercentage), so the node must have it");
        assertTrue(resources.path("limits").path("cpu").isMissingNode(), "no CPU limit: bench scenario 1 used 1.1 cores"
                + " (bench/README.md) and a limit throttles the service at its peak (deploy/kubernetes/README.md)");
    }

    @Test
    void everyVariableTheManifestsSetIsAKeyTheServiceReadsAndTheJvmOptionsStayTheImages() throws IOException {
        Set<String> known = new HashSet<>();
        for (String name : ConfigProvider.getConfig().getPropertyNames()) {
            known.add(environmentName(name.replaceFirst("^%[a-z]+\\.", "")));
        }
        // Quarkus's own switches, read before the application's configuration exists (QUARKUS_INIT_AND_EXIT).
        known.add("QUARKUS_INIT_AND_EXIT");
        Map<String, String> set = new LinkedHashMap<>();
        for (JsonNode c : List.of(container(), jobContainer(), patchedContainer())) {
            c.path("env").forEach(e -> set.put(e.path("name").asText(), c.path("name").asText()));
        }
        Map<String, String> config = envFile(BASE.resolve("config.env"));
        config.keySet().forEach(k -> set.put(k, "config.env"));
        assertTrue(set.size() >= 15, set.toString());
        List<String> unknown = new ArrayList<>();
        set.forEach((variable, where) -> {
            assertFalse(IMAGE_OWNED.contains(variable), variable + " (in " + where + ") belongs to docker/Dockerfile.jvm:"
                    + " extra JVM options go in JAVA_OPTS_APPEND");
            if (!known.contains(variable) && !variable.equals("JAVA_OPTS_APPEND")) {
                unknown.add(variable + " (" + where + ")");
            }
        });
        assertTrue(unknown.isEmpty(), "not configuration keys of the service: " + unknown);
        for (String secret : List.of("QUARKUS_DATASOURCE_PASSWORD", "MIGRATION_SECRETS_KEY", "MIGRATION_SECRETS_PREVIOUS_KEYS")) {
            assertFalse(config.containsKey(secret), secret + " must come from the Secret, not from config.env");
        }
        // The mounted key file is where MP_JWT_VERIFY_PUBLICKEY_LOCATION points, in the Deployment and the Job.
        for (JsonNode c : List.of(container(), jobContainer())) {
            String mount = StreamSupport.stream(c.path("volumeMounts").spliterator(), false)
                    .filter(m -> m.path("name").asText().equals("jwt-key")).findFirst().orElseThrow().path("mountPath").asText();
            assertEquals("file:" + mount + "/public.pem", config.get("MP_JWT_VERIFY_PUBLICKEY_LOCATION"), c.path("name").asText());
        }
    }

    /** QUARKUS_DATASOURCE_JDBC_URL for quarkus.datasource.jdbc.url: MicroProfile Config's environment rule. */
    private static String environmentName(String property) {
        return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase();
    }

    private static JsonNode patchedContainer() {
        return kind(MIGRATION_JOB.resolve("deployment-migrations-off.yaml"), "Deployment").path("spec").path("template").path("spec")
                .path("containers").get(0);
    }

    @Test
    void settingsAndSecretsComeFromGeneratorsSoThatAChangeRollsThePods() throws IOException {
        sources.forEach((file, docs) -> docs.forEach(d -> assertFalse(Set.of("Secret", "ConfigMap").contains(d.path("kind").asText()),
                file + " holds a " + d.path("kind").asText() + ": it must come from a generator (hash suffix; no placeholders applied)")));
        Map<String, Map<String, String>> secretKeys = new LinkedHashMap<>();
        Set<String> configMaps = new TreeSet<>();
        for (Path file : List.of(BASE.resolve("kustomization.yaml"), MIGRATION_JOB.resolve("kustomization.yaml"))) {
            JsonNode k = kind(file, "Kustomization");
            k.path("configMapGenerator").forEach(g -> configMaps.add(g.path("name").asText()));
            for (JsonNode g : k.path("secretGenerator")) {
                Map<String, String> keys = new LinkedHashMap<>();
                for (JsonNode env : g.path("envs")) {
                    keys.putAll(envFile(file.getParent().resolve(env.asText() + ".example")));
                }
                g.path("files").forEach(f -> keys.put(f.asText().substring(0, f.asText().indexOf('=')), "(file)"));
                secretKeys.put(g.path("name").asText(), keys);
            }
        }
        assertEquals(Set.of("migration-plane"), configMaps);
        assertEquals(Set.of("migration-plane", "migration-plane-migrate"), secretKeys.keySet());
        // Every secretKeyRef names a generated Secret and one of its keys; every key is used.
        Set<String> used = new HashSet<>();
        for (JsonNode c : List.of(container(), jobContainer())) {
            c.path("envFrom").forEach(e -> assertTrue(configMaps.contains(e.path("configMapRef").path("name").asText()), e.toString()));
            for (JsonNode e : c.path("env")) {
                JsonNode ref = e.path("valueFrom").path("secretKeyRef");
                if (!ref.isMissingNode()) {
                    String secret = ref.path("name").asText();
                    assertTrue(secretKeys.containsKey(secret), e + ": no generated Secret " + secret);
                    assertTrue(secretKeys.get(secret).containsKey(ref.path("key").asText()), e + ": no key " + ref.path("key").asText()
                            + " in " + secret + "'s .example files");
                    used.add(secret + "/" + ref.path("key").asText());
                }
            }
        }
        deployment().path("spec").path("template").path("spec").path("volumes").forEach(v -> {
            if (v.has("secret")) {
                v.path("secret").path("items").forEach(i -> used.add(v.path("secret").path("secretName").asText() + "/" + i.path("key").asText()));
            }
        });
        secretKeys.forEach((secret, keys) -> keys.keySet().forEach(key -> assertTrue(used.contains(secret + "/" + key),
                secret + "/" + key + " is generated but nothing reads it")));
    }

    @Test
    void theGracePeriodCoversTheGracefulShutdown() {
        JsonNode pod = deployment().path("spec").path("template").path("spec");
        long grace = pod.path("terminationGracePeriodSeconds").asLong();
        // What the deployed service runs with: application.properties without a profile (the tests shorten the delay).
        java.util.Properties prod = new java.util.Properties();
        try (var in = Files.newInputStream(Path.of("src/main/resources/application.properties"))) {
            prod.load(in);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertTrue(Boolean.parseBoolean(prod.getProperty("quarkus.shutdown.delay-enabled", "false")),
                "quarkus.shutdown.delay-enabled: readiness goes DOWN at SIGTERM while requests are still served");
        Duration delay = Duration.parse("PT" + prod.getProperty("quarkus.shutdown.delay", "0s").toUpperCase());
        Duration shutdown = Duration.parse("PT" + prod.getProperty("quarkus.shutdown.timeout", "0s").toUpperCase());
        assertTrue(container().path("lifecycle").path("preStop").isMissingNode(), "no preStop sleep: quarkus.shutdown.delay replaces it");
        long needed = delay.toSeconds() + shutdown.toSeconds() + WORKER_HANDOVER_SECONDS + GRACE_MARGIN_SECONDS;
        assertTrue(grace >= needed, "terminationGracePeriodSeconds " + grace + " < shutdown delay " + delay.toSeconds() + " + timeout "
                + shutdown.toSeconds() + " + worker handover " + WORKER_HANDOVER_SECONDS + " + margin " + GRACE_MARGIN_SECONDS);
        // A terminating pod leaves the EndpointSlices at once; the delay covers kube-proxy's and the ingress's catching up.
        assertTrue(delay.toSeconds() >= 3, "quarkus.shutdown.delay " + delay + ": too short for the proxies to stop routing");
    }

    @Test
    void selectorsMatchThePodsAndTheNetworkPolicyAdmitsOnlyWhatIsDocumented() {
        JsonNode labels = deployment().path("spec").path("template").path("metadata").path("labels");
        JsonNode jobLabels = job().path("spec").path("template").path("metadata").path("labels");
        JsonNode policy = kind(BASE.resolve("networkpolicy.yaml"), "NetworkPolicy");
        for (JsonNode selector : List.of(deployment().path("spec").path("selector").path("matchLabels"),
                kind(BASE.resolve("service.yaml"), "Service").path("spec").path("selector"),
                kind(BASE.resolve("poddisruptionbudget.yaml"), "PodDisruptionBudget").path("spec").path("selector").path("matchLabels"),
                policy.path("spec").path("podSelector").path("matchLabels"))) {
            selector.fields().forEachRemaining(e -> assertEquals(e.getValue().asText(), labels.path(e.getKey()).asText(), e.getKey()));
        }
        policy.path("spec").path("podSelector").path("matchLabels").fields()
                .forEachRemaining(e -> assertEquals(e.getValue().asText(), jobLabels.path(e.getKey()).asText(), "the Job's pods too: " + e.getKey()));
        assertEquals("api", deployment().path("metadata").path("labels").path("app.kubernetes.io/component").asText(),
                "the migration-job layout applies everything but the Deployment first (-l app.kubernetes.io/component!=api)");
        assertEquals("http", kind(BASE.resolve("service.yaml"), "Service").path("spec").path("ports").get(0).path("targetPort").asText());
        assertEquals(1, kind(BASE.resolve("poddisruptionbudget.yaml"), "PodDisruptionBudget").path("spec").path("minAvailable").asInt());

        assertEquals(List.of("Ingress", "Egress"), texts(policy.path("spec").path("policyTypes")));
        List<JsonNode> ingress = list(policy.path("spec").path("ingress"));
        assertEquals(2, ingress.size(), "ingress: the API port from the cluster, the management port from monitoring");
        assertEquals("http", ingress.get(0).path("ports").get(0).path("port").asText());
        assertEquals("management", ingress.get(1).path("ports").get(0).path("port").asText());
        assertEquals("monitoring", ingress.get(1).path("from").get(0).path("namespaceSelector").path("matchLabels")
                .path("kubernetes.io/metadata.name").asText(), "management port only from the monitoring namespace");
        for (JsonNode rule : ingress) {
            rule.path("ports").forEach(p -> port(container(), p.path("port").asText()));
        }
        Set<String> egress = new TreeSet<>();
        policy.path("spec").path("egress").forEach(rule -> rule.path("ports")
                .forEach(p -> egress.add(p.path("protocol").asText() + "/" + p.path("port").asText())));
        assertEquals(new TreeSet<>(Set.of("UDP/53", "TCP/53", "TCP/5432", "TCP/443")), egress, "egress: DNS, PostgreSQL, the identity provider");
    }

    private static List<JsonNode> list(JsonNode array) {
        List<JsonNode> out = new ArrayList<>();
        array.forEach(out::add);
        return out;
    }

    private static List<String> texts(JsonNode array) {
        return list(array).stream().map(JsonNode::asText).toList();
    }

    @Test
    void theDeploymentAndTheJobRunHardenedAsTheImagesUserWithoutAToken() throws IOException {
        List<String> users = Files.readAllLines(Path.of("docker", "Dockerfile.jvm")).stream()
                .map(String::trim).filter(l -> l.startsWith("USER ")).map(l -> l.substring(5).trim()).toList();
        assertFalse(users.isEmpty(), "the Dockerfile sets a USER");
        String user = users.get(users.size() - 1);
        assertTrue(user.matches("\\d+"), "numeric USER, so that runAsNonRoot can verify it: " + user);
        assertNotEquals("0", user);
        JsonNode account = kind(BASE.resolve("serviceaccount.yaml"), "ServiceAccount");
        assertFalse(account.path("automountServiceAccountToken").asBoolean(true), "the ServiceAccount mounts no token");
        for (JsonNode workload : List.of(deployment(), job())) {
            String what = workload.path("kind").asText();
            JsonNode pod = workload.path("spec").path("template").path("spec");
            assertEquals(account.path("metadata").path("name").asText(), pod.path("serviceAccountName").asText(), what);
            assertFalse(pod.path("automountServiceAccountToken").asBoolean(true), what + ": automountServiceAccountToken: false");
            JsonNode security = pod.path("securityContext");
            assertTrue(security.path("runAsNonRoot").asBoolean(), what);
            assertEquals(user, security.path("runAsUser").asText(), what);
            assertEquals("RuntimeDefault", security.path("seccompProfile").path("type").asText(), what);
            for (JsonNode c : pod.path("containers")) {
                JsonNode cs = c.path("securityContext");
                assertFalse(cs.path("allowPrivilegeEscalation").asBoolean(true), what);
                assertTrue(cs.path("readOnlyRootFilesystem").asBoolean(), what);
                assertEquals(List.of("ALL"), texts(cs.path("capabilities").path("drop")), what);
                assertTrue(StreamSupport.stream(c.path("volumeMounts").spliterator(), false)
                        .anyMatch(m -> m.path("mountPath").asText().equals("/tmp")), what + ": /tmp is writable");
            }
            JsonNode tmp = StreamSupport.stream(pod.path("volumes").spliterator(), false)
                    .filter(v -> v.path("name").asText().equals("tmp")).findFirst().orElseThrow();
            assertFalse(tmp.path("emptyDir").path("sizeLimit").asText().isEmpty(), what + ": the tmp emptyDir has a sizeLimit");
        }
    }

    @Test
    void theImageIsThePomsVersionSetInOnePlace() throws Exception {
        String pom = Files.readString(Path.of("pom.xml"));
        Matcher version = Pattern.compile("<artifactId>migration-plane</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
        assertTrue(version.find(), "the pom's version");
        JsonNode images = kind(BASE.resolve("kustomization.yaml"), "Kustomization").path("images");
        assertEquals(1, images.size(), images.toString());
        JsonNode image = images.get(0);
        assertEquals("migration-plane", image.path("name").asText());
        assertEquals("migration-plane", container().path("image").asText(), "the Deployment names the image kustomize sets");
        assertEquals(version.group(1), image.path("newTag").asText(), "the image tag is the pom's <version>");
        assertTrue(image.path("digest").asText().matches("sha256:[0-9a-f]{64}"), "a digest (placeholder) pins the image: " + image);
        JsonNode replacement = kind(MIGRATION_JOB.resolve("kustomization.yaml"), "Kustomization").path("replacements").get(0);
        assertNotNull(replacement, "the Job's image is replaced with the Deployment's");
        assertEquals("Deployment", replacement.path("source").path("kind").asText());
        String expected = image.path("newName").asText() + ":" + image.path("newTag").asText() + "@" + image.path("digest").asText();
        Map<Path, List<JsonNode>> built = KubernetesSchemaTest.builtLayouts();
        if (built != null) { // where kubectl or kustomize is at hand: every container of every layout runs that image
            built.forEach((layout, docs) -> docs.forEach(d -> d.path("spec").path("template").path("spec").path("containers")
                    .forEach(c -> assertEquals(expected, c.path("image").asText(), layout + ": " + d.path("kind").asText()))));
            assertTrue(built.values().stream().flatMap(List::stream).anyMatch(d -> d.path("kind").asText().equals("Job")), "the Job is built");
        }
    }

    @Test
    void theTwoMigrationLayoutsSetTheirSwitchesInOnePlaceEach() {
        // Default layout: the service migrates at start (Flyway's advisory lock lets one replica migrate).
        assertEquals("true", applicationProperty("quarkus.flyway.migrate-at-start"));
        assertEquals(null, env(container(), "QUARKUS_FLYWAY_MIGRATE_AT_START"), "base: the application's default");
        // Job layout: the Deployment only validates; the Job migrates with the DDL user and exits.
        JsonNode patched = patchedContainer();
        assertEquals("false", env(patched, "QUARKUS_FLYWAY_MIGRATE_AT_START").path("value").asText());
        assertEquals("true", env(patched, "QUARKUS_FLYWAY_VALIDATE_AT_START").path("value").asText());
        JsonNode c = jobContainer();
        assertEquals("true", env(c, "QUARKUS_INIT_AND_EXIT").path("value").asText());
        assertEquals("true", env(c, "QUARKUS_FLYWAY_MIGRATE_AT_START").path("value").asText());
        assertEquals("migration-plane-migrate", env(c, "QUARKUS_DATASOURCE_USERNAME").path("valueFrom").path("secretKeyRef").path("name").asText());
        assertEquals("migration-plane-migrate", env(c, "QUARKUS_DATASOURCE_PASSWORD").path("valueFrom").path("secretKeyRef").path("name").asText());
        JsonNode spec = job().path("spec");
        assertTrue(spec.path("backoffLimit").isInt() && spec.path("ttlSecondsAfterFinished").isInt(), spec.toString());
        assertEquals("Never", spec.path("template").path("spec").path("restartPolicy").asText());
    }
}
