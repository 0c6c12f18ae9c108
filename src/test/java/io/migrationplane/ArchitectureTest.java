package io.migrationplane;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package rules of README "How it works", checked over the compiled classes (ArchUnit), and the
 * one rule about SQL text: only {@code project.lifecycle.Transitions} changes a project's status or
 * writes the audit trail.
 */
class ArchitectureTest {

    private static final String APP = "io.migrationplane";
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages(APP);
    }

    /**
     * Which of our packages each package may use (besides itself); README "How it works" draws the
     * same table. Nothing may use {@code worker} or a {@code rest} package.
     */
    private static final Map<String, List<String>> MAY_USE = new LinkedHashMap<>();
    static {
        MAY_USE.put("project", List.of("error"));
        MAY_USE.put("project.read", List.of("project", "db", "error"));
        MAY_USE.put("project.lifecycle", List.of("project", "project.read", "progress", "db", "error", "security"));
        MAY_USE.put("project.rest", List.of("project", "project.lifecycle", "project.read", "progress", "audit", "http",
                "error", "security"));
        MAY_USE.put("progress", List.of("db", "error"));
        MAY_USE.put("worker", List.of("project", "project.lifecycle", "progress", "db", "error", "security"));
        MAY_USE.put("audit", List.of("db", "error"));
        MAY_USE.put("audit.rest", List.of("audit", "http", "error", "security"));
        MAY_USE.put("security", List.of("db", "http", "error"));
        MAY_USE.put("diagnostics", List.of("db", "http", "error", "security"));
        MAY_USE.put("metrics", List.of("project", "project.read", "db"));
        MAY_USE.put("http", List.of("project", "db", "error"));
        MAY_USE.put("db", List.of("error"));
        MAY_USE.put("error", List.of());
    }

    @Test
    void everyPackageUsesOnlyWhatTheTableAllows() {
        MAY_USE.forEach((layer, allowed) -> {
            String[] own = Stream.concat(Stream.of(layer), allowed.stream()).map(p -> APP + "." + p).toArray(String[]::new);
            noClasses().that().resideInAPackage(APP + "." + layer)
                    .should().dependOnClassesThat(resideInAPackage(APP + "..").and(not(resideInAnyPackage(own))))
                    .because(layer + " may use only " + allowed)
                    .check(classes);
        });
    }

    @Test
    void everyPackageIsInTheTable() {
        Set<String> packages = new TreeSet<>();
        classes.forEach(c -> packages.add(c.getPackageName().substring(APP.length() + 1)));
        assertEquals(new TreeSet<>(MAY_USE.keySet()), packages);
    }

    @Test
    void nothingUsesTheWorkersOrTheResources() {
        noClasses().that().resideOutsideOfPackage(APP + ".worker")
                .should().dependOnClassesThat().resideInAPackage(APP + ".worker")
                .check(classes);
        noClasses().that().resideOutsideOfPackage("..rest..")
                .should().dependOnClassesThat().resideInAPackage("..rest..")
                .check(classes);
    }

    @Test
    void onlyResourcesUseTheHttpPackage() {
        noClasses().that().resideOutsideOfPackage(APP + ".http..")
                .and().areNotAnnotatedWith(jakarta.ws.rs.Path.class)
                .should().dependOnClassesThat().resideInAPackage(APP + ".http..")
                .check(classes);
    }

    @Test
    void errorsKnowNothingOfJaxRs() {
        noClasses().that().resideInAPackage(APP + ".error..")
                .should().dependOnClassesThat().resideInAnyPackage("jakarta.ws.rs..", "org.jboss.resteasy..", APP + ".http..")
                .check(classes);
    }

    @Test
    void readsProgressAndTheAuditTrailNeverWrite() {
        noClasses().that().resideInAnyPackage(APP + ".project.read", APP + ".progress", APP + ".audit..")
                .should().dependOnClassesThat().haveFullyQualifiedName(APP + ".db.Transactions")
                .check(classes);
    }

    @Test
    void onlyTheDbPackageTouchesThePool() {
        noClasses().that().resideOutsideOfPackage(APP + ".db..")
                .should().dependOnClassesThat().haveFullyQualifiedName("io.vertx.mutiny.sqlclient.Pool")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("io.vertx.sqlclient.Pool")
                .check(classes);
    }

    /** A project's status and its audit trail are written in one file, by statements named for what they do. */
    @Test
    void onlyTransitionsWritesStatusOrEvents() throws IOException {
        Pattern writes = Pattern.compile("(?is)(insert\\s+into\\s+project_event"
                + "|update\\s+project\\s+(p\\s+)?set\\b[^;]*?\\bstatus\\s*="
                + "|delete\\s+from\\s+project(_event)?\\b(?!_))");
        Path sources = Path.of("src/main/java");
        List<String> writers;
        try (Stream<Path> files = Files.walk(sources)) {
            writers = files.filter(f -> f.toString().endsWith(".java")).filter(f -> {
                try {
                    return writes.matcher(Files.readString(f)).find();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).map(f -> sources.relativize(f).toString()).sorted().toList();
        }
        assertEquals(List.of("io/migrationplane/project/lifecycle/Transitions.java"), writers);
    }
}
