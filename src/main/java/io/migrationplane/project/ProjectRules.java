package io.migrationplane.project;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import io.migrationplane.error.ApiProblem;
import io.migrationplane.error.ApiProblem.FieldError;

/** The rules of api.md for a project's fields, with every broken rule reported at once. */
public final class ProjectRules {

    public static final int MAX_TABLES = 10_000;
    public static final long MAX_ROWS = 1_000_000_000_000L;
    public static final long DEFAULT_ROWS_PER_SECOND = 10_000;
    public static final long DEFAULT_CHANGES_PER_SECOND = 100;
    public static final long MAX_ROWS_PER_SECOND = 1_000_000_000L;
    public static final long MAX_CHANGES_PER_SECOND = 10_000_000L;
    public static final int MAX_LABELS = 50;
    public static final double MIN_LATENCY_THRESHOLD_SECONDS = 0.001;
    public static final double MAX_LATENCY_THRESHOLD_SECONDS = 86_400;
    public static final long MAX_STALLED_FOR_SECONDS = 604_800;
    public static final double MAX_SWITCHOVER_LATENCY_SECONDS = 3600;
    public static final long MAX_SWITCHOVER_TIMEOUT_SECONDS = 86_400;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern LABEL_KEY = Pattern.compile("[A-Za-z0-9._/-]{1,63}");

    private ProjectRules() {
    }

    /** What a name that breaks the pattern is told. */
    public static final String NAME_RULE = "must be 1-64 letters, digits, '-', '_' or '.'";

    public static boolean isValidName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /** Why a name cannot be used, or null: "is required" when it is absent, empty or only white space, else the rule. */
    public static String nameProblem(String name) {
        if (name == null || name.isBlank()) {
            return "is required";
        }
        return isValidName(name) ? null : NAME_RULE;
    }

    /** Throws VALIDATION_FAILED listing every broken rule. */
    public static void check(ProjectDraft d) {
        if (d == null) {
            throw ApiProblem.validation("body", "a project is required");
        }
        List<FieldError> errors = new ArrayList<>();
        String nameProblem = nameProblem(d.name());
        if (nameProblem != null) {
            errors.add(new FieldError("name", nameProblem));
        }
        if (d.description() != null && d.description().length() > 2000) {
            errors.add(new FieldError("description", "must be at most 2000 characters"));
        }
        endpoint("source", d.source(), errors);
        endpoint("destination", d.destination(), errors);
        types(d.migrationTypes(), errors);
        tables(d.objects(), errors);
        labels(d.labels(), errors);
        simulation(d.simulation(), errors);
        alerts(d.alerts(), errors);
        if (!errors.isEmpty()) {
            throw ApiProblem.validation(errors);
        }
    }

    private static void endpoint(String field, ProjectDraft.EndpointInput e, List<FieldError> errors) {
        if (e == null) {
            errors.add(new FieldError(field, "is required"));
            return;
        }
        if (e.type() == null) {
            errors.add(new FieldError(field + ".type", "is required"));
        }
        if (e.host() == null || e.host().isBlank()) {
            errors.add(new FieldError(field + ".host", "is required"));
        } else if (e.host().length() > 255 || e.host().chars().anyMatch(Character::isWhitespace)) {
            errors.add(new FieldError(field + ".host", "must be a host name or address of at most 255 characters"));
        }
        if (e.port() == null) {
            errors.add(new FieldError(field + ".port", "is required"));
        } else if (e.port() < 1 || e.port() > 65535) {
            errors.add(new FieldError(field + ".port", "must be between 1 and 65535"));
        }
        maxLength(field + ".database", e.database(), 128, errors);
        maxLength(field + ".username", e.username(), 128, errors);
        maxLength(field + ".password", e.password(), 256, errors);
    }

    private static void types(List<MigrationType> types, List<FieldError> errors) {
        if (types == null || types.isEmpty()) {
            errors.add(new FieldError("migrationTypes", "must name at least one migration type"));
            return;
        }
        if (types.contains(null)) {
            errors.add(new FieldError("migrationTypes", "must not contain null"));
            return;
        }
        if (new HashSet<>(types).size() != types.size()) {
            errors.add(new FieldError("migrationTypes", "must not repeat a type"));
        }
        if (!types.contains(MigrationType.FULL_MIGRATION) && !types.contains(MigrationType.INCREMENTAL_SYNC)) {
            errors.add(new FieldError("migrationTypes", "must include FULL_MIGRATION or INCREMENTAL_SYNC"));
        }
        if (types.contains(MigrationType.FULL_VERIFICATION) && !types.contains(MigrationType.FULL_MIGRATION)) {
            errors.add(new FieldError("migrationTypes", "FULL_VERIFICATION needs FULL_MIGRATION"));
        }
    }

    private static void tables(List<ProjectDraft.TableInput> objects, List<FieldError> errors) {
        if (objects == null || objects.isEmpty()) {
            errors.add(new FieldError("objects", "must list at least one table"));
            return;
        }
        if (objects.size() > MAX_TABLES) {
            errors.add(new FieldError("objects", "must list at most " + MAX_TABLES + " tables"));
            return;
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < objects.size() && errors.size() < 50; i++) {
            String at = "objects[" + i + "]";
            ProjectDraft.TableInput t = objects.get(i);
            if (t == null) {
                errors.add(new FieldError(at, "must be a table"));
                continue;
            }
            identifier(at + ".schema", t.schema(), errors);
            identifier(at + ".table", t.table(), errors);
            if (t.rows() == null) {
                errors.add(new FieldError(at + ".rows", "is required"));
            } else if (t.rows() < 0 || t.rows() > MAX_ROWS) {
                errors.add(new FieldError(at + ".rows", "must be between 0 and " + MAX_ROWS));
            }
            if (t.schema() != null && t.table() != null && !seen.add(t.schema() + "\u0000" + t.table())) {
                errors.add(new FieldError(at, "repeats table " + t.schema() + "." + t.table()));
            }
        }
    }

    private static void identifier(String field, String value, List<FieldError> errors) {
        if (value == null || value.isBlank()) {
            errors.add(new FieldError(field, "is required"));
        } else {
            maxLength(field, value, 128, errors);
        }
    }

    private static void labels(Map<String, String> labels, List<FieldError> errors) {
        if (labels == null) {
            return;
        }
        if (labels.size() > MAX_LABELS) {
            errors.add(new FieldError("labels", "must have at most " + MAX_LABELS + " entries"));
            return;
        }
        labels.forEach((k, v) -> {
            if (!LABEL_KEY.matcher(k).matches()) {
                errors.add(new FieldError("labels." + k, "key must be 1-63 letters, digits, '.', '_', '/' or '-'"));
            }
            if (v == null) {
                errors.add(new FieldError("labels." + k, "value must be a string"));
            } else {
                maxLength("labels." + k, v, 255, errors);
            }
        });
    }

    private static void simulation(ProjectDraft.SimulationInput s, List<FieldError> errors) {
        if (s == null) {
            return;
        }
        if (s.rowsPerSecond() != null && (s.rowsPerSecond() < 1 || s.rowsPerSecond() > MAX_ROWS_PER_SECOND)) {
            errors.add(new FieldError("simulation.rowsPerSecond", "must be between 1 and " + MAX_ROWS_PER_SECOND));
        }
        if (s.changesPerSecond() != null && (s.changesPerSecond() < 0 || s.changesPerSecond() > MAX_CHANGES_PER_SECOND)) {
            errors.add(new FieldError("simulation.changesPerSecond", "must be between 0 and " + MAX_CHANGES_PER_SECOND));
        }
        if (s.failAtPercent() != null && (s.failAtPercent() < 0 || s.failAtPercent() > 100)) {
            errors.add(new FieldError("simulation.failAtPercent", "must be between 0 and 100"));
        }
    }

    /** A switchover request's optional latency target and timeout; VALIDATION_FAILED listing what is wrong. */
    public static void checkSwitchover(Double maxLatencySeconds, Long timeoutSeconds) {
        List<FieldError> errors = new ArrayList<>();
        if (maxLatencySeconds != null && !(maxLatencySeconds >= MIN_LATENCY_THRESHOLD_SECONDS
                && maxLatencySeconds <= MAX_SWITCHOVER_LATENCY_SECONDS)) {
            errors.add(new FieldError("maxLatencySeconds",
                    "must be between " + MIN_LATENCY_THRESHOLD_SECONDS + " and " + (long) MAX_SWITCHOVER_LATENCY_SECONDS));
        }
        if (timeoutSeconds != null && (timeoutSeconds < 1 || timeoutSeconds > MAX_SWITCHOVER_TIMEOUT_SECONDS)) {
            errors.add(new FieldError("timeoutSeconds", "must be between 1 and " + MAX_SWITCHOVER_TIMEOUT_SECONDS));
        }
        if (!errors.isEmpty()) {
            throw ApiProblem.validation(errors);
        }
    }

    private static void alerts(ProjectDraft.AlertsInput a, List<FieldError> errors) {
        if (a == null) {
            return;
        }
        Double latency = a.incrementalLatencySeconds();
        if (latency != null && !(latency >= MIN_LATENCY_THRESHOLD_SECONDS && latency <= MAX_LATENCY_THRESHOLD_SECONDS)) {
            errors.add(new FieldError("alerts.incrementalLatencySeconds",
                    "must be between " + MIN_LATENCY_THRESHOLD_SECONDS + " and " + (long) MAX_LATENCY_THRESHOLD_SECONDS));
        }
        if (a.stalledForSeconds() != null && (a.stalledForSeconds() < 1 || a.stalledForSeconds() > MAX_STALLED_FOR_SECONDS)) {
            errors.add(new FieldError("alerts.stalledForSeconds", "must be between 1 and " + MAX_STALLED_FOR_SECONDS));
        }
    }

    private static void maxLength(String field, String value, int max, List<FieldError> errors) {
        if (value != null && value.length() > max) {
            errors.add(new FieldError(field, "must be at most " + max + " characters"));
        }
    }
}
