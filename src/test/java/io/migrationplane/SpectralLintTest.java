package io.migrationplane;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Lints the OpenAPI document with Spectral (the {@code spectral:oas} ruleset, see .spectral.yaml at the
 * repository root). A pinned @stoplight/spectral-cli is installed from the npm registry into
 * target/spectral (once; reused while it is there). Errors and warnings fail the build; hints and
 * information are printed only. Skipped only where npm is not on the PATH.
 */
class SpectralLintTest {

    static final String SPECTRAL_VERSION = "6.16.3";
    static final Path DOCUMENT = Path.of("src", "main", "resources", "META-INF", "openapi.yaml");
    static final Path RULESET = Path.of(".spectral.yaml");
    static final Path HOME = Path.of("target", "spectral");
    static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(5);
    static final Duration LINT_TIMEOUT = Duration.ofMinutes(2);
    private static final String[] SEVERITY = {"error", "warning", "information", "hint"};

    @Test
    void documentHasNoSpectralErrorsOrWarnings() throws Exception {
        String npm = onPath(isWindows() ? "npm.cmd" : "npm");
        Assumptions.assumeTrue(npm != null, "npm is not on the PATH: Spectral lint skipped");

        Path spectral = install(npm);
        Path report = HOME.resolve("report.json");
        Files.deleteIfExists(report);
        Run lint = run(List.of(spectral.toString(), "lint", DOCUMENT.toString(), "--ruleset", RULESET.toString(),
                "--format", "json", "--output", report.toString()), LINT_TIMEOUT, HOME.resolve("lint.log"));
        // 0: nothing at error severity, 1: errors found; anything else (2: ruleset or document unreadable) is a failure.
        if ((lint.exit != 0 && lint.exit != 1) || !Files.exists(report)) {
            fail("spectral lint exited " + lint.exit + ":\n" + lint.output);
        }

        JsonNode results = new ObjectMapper().readTree(Files.readString(report));
        assertTrue(results.isArray(), "Spectral's JSON report is an array");
        Map<Integer, Integer> counts = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        List<String> all = new ArrayList<>();
        for (JsonNode r : results) {
            int severity = r.path("severity").asInt();
            counts.merge(severity, 1, Integer::sum);
            List<String> path = new ArrayList<>();
            r.path("path").forEach(p -> path.add(p.asText()));
            String line = String.format(Locale.ROOT, "%s:%d %s %s [%s] %s", DOCUMENT,
                    r.path("range").path("start").path("line").asInt() + 1,
                    severity >= 0 && severity < SEVERITY.length ? SEVERITY[severity] : "severity " + severity,
                    r.path("code").asText(), String.join(".", path), r.path("message").asText());
            all.add(line);
            if (severity <= 1) {
                failures.add(line);
            }
        }
        StringBuilder summary = new StringBuilder("Spectral " + SPECTRAL_VERSION + " (" + RULESET + "): " + results.size() + " result(s)");
        counts.forEach((severity, n) -> summary.append(", ").append(n).append(' ')
                .append(severity >= 0 && severity < SEVERITY.length ? SEVERITY[severity] : "severity " + severity));
        all.forEach(l -> summary.append("\n  ").append(l));
        System.out.println(summary);
        if (!failures.isEmpty()) {
            fail(failures.size() + " Spectral error(s)/warning(s) in " + DOCUMENT + ":\n  " + String.join("\n  ", failures));
        }
    }

    /** The pinned CLI in target/spectral, installed with npm unless that version is already there. */
    private static Path install(String npm) throws Exception {
        Path bin = HOME.resolve(Path.of("node_modules", ".bin", isWindows() ? "spectral.cmd" : "spectral"));
        Path pkg = HOME.resolve(Path.of("node_modules", "@stoplight", "spectral-cli", "package.json"));
        if (Files.isRegularFile(bin) && Files.isRegularFile(pkg)
                && SPECTRAL_VERSION.equals(new ObjectMapper().readTree(pkg.toFile()).path("version").asText())) {
            return bin;
        }
        Files.createDirectories(HOME);
        // --ignore-scripts: nothing of the package runs at install time (Spectral needs no install script).
        Run install = run(List.of(npm, "install", "--no-save", "--no-audit", "--no-fund", "--ignore-scripts",
                "--prefix", HOME.toString(), "@stoplight/spectral-cli@" + SPECTRAL_VERSION), INSTALL_TIMEOUT,
                HOME.resolve("install.log"));
        if (install.exit != 0 || !Files.isRegularFile(bin)) {
            fail("npm install of @stoplight/spectral-cli@" + SPECTRAL_VERSION + " failed (exit " + install.exit + "):\n" + install.output);
        }
        return bin;
    }

    private record Run(int exit, String output) {
    }

    /** Runs a command in the project directory, output to a log file, killed (with its children) after the timeout. */
    private static Run run(List<String> command, Duration timeout, Path log) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("SCARF_ANALYTICS", "false");
        builder.environment().put("NO_UPDATE_NOTIFIER", "1");
        Process process = builder.start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            fail(String.join(" ", command) + " did not finish within " + timeout + ":\n" + read(log));
        }
        return new Run(process.exitValue(), read(log));
    }

    private static String read(Path log) throws IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    private static String onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                Path candidate = Path.of(dir, name);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return candidate.toString();
                }
            }
        }
        return null;
    }

    private static boolean isWindows() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
    }
}
