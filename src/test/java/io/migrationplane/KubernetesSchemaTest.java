package io.migrationplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.introspect.AnnotatedMember;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.kustomize.v1beta1.Kustomization;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Every manifest under deploy/kubernetes (every document of every file, the overlays' patches included) against
 * the Kubernetes schemas, as fabric8's model classes carry them: a document that does not deserialize (a wrong
 * type, a string where a number belongs) or that leaves any field in a model's {@code additionalProperties} (a
 * field the schema does not have, a typo) fails with its file and path. The kustomizations are checked the same
 * way, and for what they point at: resources and patches exist, generator sources of ConfigMaps are committed,
 * those of Secrets are kept out of git with an {@code .example} beside them. Where kubectl (or kustomize) is on
 * the PATH, every layout is also built, from the .example files, and its output checked again.
 */
class KubernetesSchemaTest {

    static final Path MANIFESTS = Path.of("deploy", "kubernetes");
    /** Applied on their own: they need the Prometheus Operator's CRDs, without which {@code kubectl apply -k} would fail. */
    static final java.util.Set<String> OPERATOR_ONLY = java.util.Set.of("prometheus-rule.yaml");

    /** apiVersion/kind to its model class: a kind not here fails (add its model, do not skip it). */
    private static final Map<String, String> SCHEMAS = Map.ofEntries(
            Map.entry("v1/ServiceAccount", "io.fabric8.kubernetes.api.model.ServiceAccount"),
            Map.entry("v1/ConfigMap", "io.fabric8.kubernetes.api.model.ConfigMap"),
            Map.entry("v1/Secret", "io.fabric8.kubernetes.api.model.Secret"),
            Map.entry("v1/Service", "io.fabric8.kubernetes.api.model.Service"),
            Map.entry("apps/v1/Deployment", "io.fabric8.kubernetes.api.model.apps.Deployment"),
            Map.entry("batch/v1/Job", "io.fabric8.kubernetes.api.model.batch.v1.Job"),
            Map.entry("policy/v1/PodDisruptionBudget", "io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget"),
            Map.entry("networking.k8s.io/v1/NetworkPolicy", "io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy"),
            Map.entry("monitoring.coreos.com/v1/PrometheusRule", "io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule"),
            Map.entry("kustomize.config.k8s.io/v1beta1/Kustomization", Kustomization.class.getName()));

    /** Strict YAML: a key given twice is an error for kubectl too. */
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()).enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    /** No coercion between scalars: the API server refuses replicas: "2" and an annotation value true. */
    private static final ObjectMapper MODEL = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    static {
        for (CoercionInputShape shape : List.of(CoercionInputShape.Integer, CoercionInputShape.Float, CoercionInputShape.Boolean)) {
            MODEL.coercionConfigFor(LogicalType.Textual).setCoercion(shape, CoercionAction.Fail);
        }
        for (LogicalType type : List.of(LogicalType.Integer, LogicalType.Float, LogicalType.Boolean)) {
            MODEL.coercionConfigFor(type).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // The validator

    /** What is wrong with one document, each problem with its path ("spec.template.spec.containers[0].image"). */
    static List<String> problems(JsonNode document, boolean patch) {
        List<String> problems = new ArrayList<>();
        if (!document.isObject()) {
            return List.of("not a mapping");
        }
        String type = document.path("apiVersion").asText() + "/" + document.path("kind").asText();
        String model = SCHEMAS.get(type);
        if (model == null) {
            return List.of("apiVersion/kind " + type + " has no schema here (KubernetesSchemaTest.SCHEMAS)");
        }
        JsonNode checked = document;
        if (patch) {
            checked = document.deepCopy();
            stripPatchDirectives(checked, "", problems);
        }
        if (!type.endsWith("/Kustomization") && checked.path("metadata").path("name").asText().isEmpty()) {
            problems.add("metadata.name: missing");
        }
        Object value;
        try {
            value = MODEL.treeToValue(checked, Class.forName(model));
        } catch (JsonMappingException e) {
            problems.add(path(e) + ": " + e.getOriginalMessage());
            return problems;
        } catch (IOException | ClassNotFoundException e) {
            problems.add(e.toString());
            return problems;
        }
        unknownFields(value, "", problems);
        return problems;
    }

    /** Strategic merge patch directives are not fields: {@code $patch: delete|replace|merge} may stand in any object. */
    private static void stripPatchDirectives(JsonNode node, String path, List<String> problems) {
        if (node instanceof ObjectNode object) {
            JsonNode directive = object.remove("$patch");
            if (directive != null && !List.of("delete", "replace", "merge").contains(directive.asText())) {
                problems.add(join(path, "$patch") + ": " + directive.asText() + " is not delete, replace or merge");
            }
            object.fields().forEachRemaining(e -> stripPatchDirectives(e.getValue(), join(path, e.getKey()), problems));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                stripPatchDirectives(node.get(i), path + "[" + i + "]", problems);
            }
        }
    }

    private static String path(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                path.append(path.length() == 0 ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                path.append('[').append(r.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    /**
     * The models accept any field into {@code additionalProperties}; every such field is one the schema does not
     * have. Walks every property the model has (as Jackson sees it, so by its JSON name), lists and maps included.
     */
    private static void unknownFields(Object value, String path, List<String> problems) {
        if (value == null) {
            return;
        }
        if (value instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                unknownFields(item, path + "[" + i++ + "]", problems);
            }
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> unknownFields(v, join(path, String.valueOf(k)), problems));
            return;
        }
        if (!value.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        try {
            Method getter = value.getClass().getMethod("getAdditionalProperties");
            Map<?, ?> extra = (Map<?, ?>) getter.invoke(value);
            if (extra != null) {
                extra.keySet().forEach(k -> problems.add(join(path, String.valueOf(k)) + ": unknown field"));
            }
        } catch (NoSuchMethodException e) {
            // a model without additionalProperties (IntOrString's value, for instance)
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
        BeanDescription bean = MODEL.getSerializationConfig().introspect(MODEL.constructType(value.getClass()));
        for (BeanPropertyDefinition property : bean.findProperties()) {
            AnnotatedMember accessor = property.getAccessor();
            if (accessor != null) {
                unknownFields(accessor.getValue(value), join(path, property.getName()), problems);
            }
        }
    }

    private static String join(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    static List<JsonNode> documents(Path file) throws IOException {
        List<JsonNode> documents = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
            it.forEachRemaining(d -> {
                if (d != null && !d.isNull() && !d.isMissingNode()) {
                    documents.add(d);
                }
            });
        }
        return documents;
    }

    private static List<JsonNode> documents(String yaml) throws IOException {
        List<JsonNode> documents = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            it.forEachRemaining(documents::add);
        }
        return documents;
    }

    // ---------------------------------------------------------------------------------------------------------
    // The manifests

    static List<Path> yamlFiles() throws IOException {
        try (Stream<Path> files = Files.walk(MANIFESTS)) {
            return files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).sorted().toList();
        }
    }

    static List<Path> kustomizations() throws IOException {
        return yamlFiles().stream().filter(f -> f.getFileName().toString().equals("kustomization.yaml")).toList();
    }

    @Test
    void everyDocumentOfEveryFileMatchesItsSchema() throws IOException {
        List<String> problems = new ArrayList<>();
        List<Path> patches = patchFiles();
        int checked = 0;
        for (Path file : yamlFiles()) {
            for (JsonNode document : documents(file)) {
                checked++;
                problems(document, patches.contains(file.normalize())).forEach(p -> problems.add(file + ": " + p));
            }
        }
        assertTrue(problems.isEmpty(), "manifests that Kubernetes would refuse:\n" + String.join("\n", problems));
        assertTrue(checked >= 12, "only " + checked + " documents found under " + MANIFESTS);
    }

    /** Files named as patches by some kustomization: partial objects, where $patch directives are allowed. */
    private static List<Path> patchFiles() throws IOException {
        List<Path> patches = new ArrayList<>();
        for (Path file : kustomizations()) {
            Kustomization k = YAML.treeToValue(documents(file).get(0), Kustomization.class);
            if (k.getPatches() != null) {
                k.getPatches().stream().filter(p -> p.getPath() != null)
                        .forEach(p -> patches.add(file.getParent().resolve(p.getPath()).normalize()));
            }
        }
        return patches;
    }

    @Test
    void everyKustomizationPointsAtWhatExistsAndKeepsSecretsOutOfGit() throws Exception {
        List<String> problems = new ArrayList<>();
        List<Path> listed = new ArrayList<>();
        for (Path file : kustomizations()) {
            Path dir = file.getParent();
            Kustomization k = YAML.treeToValue(documents(file).get(0), Kustomization.class);
            for (String resource : k.getResources()) {
                Path target = dir.resolve(resource).normalize();
                listed.add(target);
                if (!Files.isRegularFile(target) && !Files.isRegularFile(target.resolve("kustomization.yaml"))) {
                    problems.add(file + ": resource " + resource + " is neither a file nor a directory with a kustomization.yaml");
                }
            }
            for (var patch : k.getPatches() == null ? List.<io.fabric8.kubernetes.api.model.kustomize.v1beta1.Patch>of() : k.getPatches()) {
                if (patch.getPath() != null) {
                    Path target = dir.resolve(patch.getPath()).normalize();
                    listed.add(target);
                    if (!Files.isRegularFile(target)) {
                        problems.add(file + ": patch " + patch.getPath() + " does not exist");
                    }
                } else if (patch.getPatch() != null) {
                    for (JsonNode inline : documents(patch.getPatch())) {
                        problems(inline, true).forEach(p -> problems.add(file + ": inline patch: " + p));
                    }
                } else {
                    problems.add(file + ": a patch with neither path nor patch");
                }
            }
            for (var generator : k.getConfigMapGenerator() == null ? List.<io.fabric8.kubernetes.api.model.kustomize.v1beta1.ConfigMapArgs>of() : k.getConfigMapGenerator()) {
                for (String source : sources(generator.getEnvs(), generator.getFiles())) {
                    Path target = dir.resolve(source).normalize();
                    if (!Files.isRegularFile(target) || ignored(target)) {
                        problems.add(file + ": ConfigMap " + generator.getName() + " reads " + source + ", which must be a committed file");
                    }
                }
            }
            for (var generator : k.getSecretGenerator() == null ? List.<io.fabric8.kubernetes.api.model.kustomize.v1beta1.SecretArgs>of() : k.getSecretGenerator()) {
                if (generator.getLiterals() != null && !generator.getLiterals().isEmpty()) {
                    problems.add(file + ": Secret " + generator.getName() + " has literals: secrets belong in files kept out of git");
                }
                for (String source : sources(generator.getEnvs(), generator.getFiles())) {
                    Path target = dir.resolve(source).normalize();
                    if (!ignored(target)) {
                        problems.add(file + ": Secret " + generator.getName() + " reads " + source + ", which .gitignore must keep out of git");
                    }
                    if (!Files.isRegularFile(Path.of(target + ".example"))) {
                        problems.add(file + ": Secret " + generator.getName() + " reads " + source + ": no " + target.getFileName() + ".example beside it to copy");
                    }
                }
            }
        }
        // Every manifest is used by some kustomization, except the Prometheus Operator's (applied on its own).
        for (Path yaml : yamlFiles()) {
            if (!yaml.getFileName().toString().equals("kustomization.yaml") && !listed.contains(yaml.normalize())
                    && !OPERATOR_ONLY.contains(yaml.getFileName().toString())) {
                problems.add(yaml + " is in no kustomization");
            }
        }
        for (String operatorOnly : OPERATOR_ONLY) {
            assertFalse(listed.contains(MANIFESTS.resolve(operatorOnly)), operatorOnly
                    + " needs the Prometheus Operator's CRDs: apply it on its own, not from a kustomization");
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    /** Generator sources: "path", or "key=path" for files. */
    private static List<String> sources(List<String> envs, List<String> files) {
        List<String> sources = new ArrayList<>(envs == null ? List.of() : envs);
        (files == null ? List.<String>of() : files).forEach(f -> sources.add(f.substring(f.indexOf('=') + 1)));
        return sources;
    }

    private static boolean ignored(Path file) throws IOException, InterruptedException {
        Process git = new ProcessBuilder("git", "check-ignore", "-q", "--no-index", file.toString()).redirectErrorStream(true).start();
        git.getInputStream().readAllBytes();
        assertTrue(git.waitFor(30, TimeUnit.SECONDS), "git check-ignore did not answer");
        assertTrue(git.exitValue() <= 1, "git check-ignore failed for " + file + " (exit " + git.exitValue() + ")");
        return git.exitValue() == 0;
    }

    // ---------------------------------------------------------------------------------------------------------
    // The validator refuses what Kubernetes refuses (test resources under kubernetes-invalid/)

    private static List<String> problemsOf(String resource) throws IOException {
        List<JsonNode> docs = documents(Path.of("src", "test", "resources", "kubernetes-invalid", resource));
        assertEquals(1, docs.size(), resource);
        return problems(docs.get(0), false);
    }

    @Test
    void aMisspelledFieldIsRefusedWithItsPath() throws IOException {
        List<String> problems = problemsOf("misspelled-field.yaml");
        assertEquals(List.of("spec.template.spec.containers[0].readinessProbe.timeoutSecond: unknown field"), problems);
    }

    @Test
    void aFieldAtTheWrongLevelIsRefusedWithItsPath() throws IOException {
        assertEquals(List.of("spec.template.spec.containers[0].readinessProbe.httpGet.periodSeconds: unknown field"),
                problemsOf("field-at-wrong-level.yaml"));
    }

    @Test
    void aWrongTypeIsRefusedWithItsPath() throws IOException {
        List<String> problems = problemsOf("wrong-type.yaml");
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("spec.replicas: "), problems.toString());
        List<String> annotation = problemsOf("annotation-not-a-string.yaml");
        assertEquals(1, annotation.size(), annotation.toString());
        assertTrue(annotation.get(0).startsWith("spec.template.metadata.annotations.prometheus.io/scrape: "), annotation.toString());
    }

    @Test
    void aMisspelledKustomizationFieldAndAnUnknownKindAreRefused() throws IOException {
        assertEquals(List.of("secretGenerators: unknown field"), problemsOf("kustomization-typo.yaml"));
        assertEquals(List.of("apiVersion/kind apps/v1/Deploymnet has no schema here (KubernetesSchemaTest.SCHEMAS)"),
                problemsOf("unknown-kind.yaml"));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Every layout built, where a kustomize is at hand

    private static List<String> kustomize() {
        for (String tool : List.of("kustomize", "kubectl")) {
            for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
                if (Files.isExecutable(Path.of(dir, tool))) {
                    return tool.equals("kubectl") ? List.of(tool, "kustomize") : List.of(tool, "build");
                }
            }
        }
        return null;
    }

    record Build(int exit, String output) {
    }

    static Build build(List<String> kustomize, Path dir) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(kustomize);
        command.add(dir.toString());
        Path out = Files.createTempFile("kustomize", ".out");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), String.join(" ", command) + " did not finish");
            return new Build(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** A copy of deploy/kubernetes without what git ignores (the real secrets), in a temporary directory. */
    static Path committedCopy() throws IOException, InterruptedException {
        Path copy = Files.createTempDirectory("manifests");
        try (Stream<Path> files = Files.walk(MANIFESTS)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                if (!ignored(f)) {
                    Path target = copy.resolve(MANIFESTS.relativize(f).toString());
                    Files.createDirectories(target.getParent());
                    Files.copy(f, target);
                }
            }
        }
        return copy;
    }

    static void copyExamples(Path copy) throws IOException {
        try (Stream<Path> files = Files.walk(copy)) {
            for (Path example : files.filter(f -> f.toString().endsWith(".example")).toList()) {
                Files.copy(example, Path.of(example.toString().replaceFirst("\\.example$", "")));
            }
        }
    }

    /** Every layout's directory, relative to deploy/kubernetes: the root, base/ and each overlay. */
    static List<Path> layouts() throws IOException {
        return kustomizations().stream().map(k -> MANIFESTS.relativize(k.getParent())).toList();
    }

    @Test
    void everyLayoutBuildsOnlyWithTheSecretFilesAndItsOutputMatchesTheSchemas() throws Exception {
        List<String> kustomize = kustomize();
        Assumptions.assumeTrue(kustomize != null, "neither kustomize nor kubectl on the PATH: the layouts are not built"
                + " (their files and patches are still checked above)");
        Path copy = committedCopy();
        // Without the secret files: a clear refusal naming the missing file, never a placeholder Secret.
        Build missing = build(kustomize, copy);
        assertTrue(missing.exit() != 0, "kustomize built without secrets/secret.env:\n" + missing.output());
        assertTrue(missing.output().contains("secret.env"), "the error names the missing file: " + missing.output());
        copyExamples(copy);
        List<String> problems = new ArrayList<>();
        Map<Path, Integer> objects = new LinkedHashMap<>();
        for (Path layout : layouts()) {
            Build built = build(kustomize, copy.resolve(layout.toString()));
            assertEquals(0, built.exit(), "kustomize " + layout + ":\n" + built.output());
            List<JsonNode> docs = documents(built.output());
            objects.put(layout, docs.size());
            for (JsonNode doc : docs) {
                problems(doc, false).forEach(p -> problems.add(layout + ": " + doc.path("kind").asText() + " "
                        + doc.path("metadata").path("name").asText() + ": " + p));
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
        assertTrue(objects.values().stream().allMatch(n -> n >= 6), "objects per layout: " + objects);
        try (Stream<Path> files = Files.walk(copy)) {
            for (Iterator<Path> it = files.sorted(java.util.Comparator.reverseOrder()).iterator(); it.hasNext();) {
                Files.delete(it.next());
            }
        }
    }

    /** The layouts built (null where no kustomize is at hand), for DeploymentManifestTest. */
    static Map<Path, List<JsonNode>> builtLayouts() throws Exception {
        List<String> kustomize = kustomize();
        if (kustomize == null) {
            return null;
        }
        Path copy = committedCopy();
        copyExamples(copy);
        Map<Path, List<JsonNode>> layouts = new LinkedHashMap<>();
        for (Path layout : layouts()) {
            Build built = build(kustomize, copy.resolve(layout.toString()));
            if (built.exit() != 0) {
                fail("kustomize " + layout + ":\n" + built.output());
            }
            layouts.put(layout, documents(built.output()));
        }
        return layouts;
    }
}
