package io.migrationplane.project.lifecycle;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.migrationplane.db.Transactions;
import io.migrationplane.error.ApiProblem;
import io.migrationplane.error.Failures;
import io.migrationplane.error.JsonProblems;
import io.migrationplane.error.ProblemCode;
import io.migrationplane.project.Engine;
import io.migrationplane.project.ProjectDraft;
import io.migrationplane.project.ProjectJson;
import io.migrationplane.project.ProjectRules;
import io.migrationplane.project.ProjectStatus;
import io.migrationplane.project.ProjectView;
import io.migrationplane.project.read.ProjectQueries;
import io.migrationplane.project.read.ProjectRows;
import io.migrationplane.security.SecretCipher;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * A project's configuration: create, edit (JSON merge patch) and clone. Each is one transaction
 * ({@link Transactions}) of {@link Transitions} statements, which write the audit trail with the
 * change. Names are unique case-insensitively; the unique index settles it, races included.
 */
@ApplicationScoped
public class ProjectEdits {

    private static final Set<String> READ_ONLY = Set.of("id", "status", "statusReason", "engine", "allowedActions",
            "clonedFrom", "createdAt", "updatedAt", "startedAt", "releasedAt", "activeAlerts", "switchover", "deletedAt",
            "restorableUntil", "version");
    /** What a running or stopped project may still change: how it is described and watched. */
    private static final Set<String> ALWAYS_EDITABLE = Set.of("labels", "description", "alerts");

    private final Transactions db;
    private final ProjectQueries queries;
    private final ObjectMapper json;
    private final ObjectReader draftReader;
    private final SecretCipher secrets;
    /** Whether PostgreSQL to PostgreSQL projects get the real engine ({@code worker.EngineSettings}, same key). */
    private final boolean postgresEngine;
    private final AlertSettings alertDefaults;

    public ProjectEdits(Transactions db, ProjectQueries queries, ObjectMapper json, SecretCipher secrets,
            @ConfigProperty(name = "migration.engine.postgres.enabled", defaultValue = "false") boolean postgresEngine,
            AlertSettings alertDefaults) {
        this.db = db;
        this.alertDefaults = alertDefaults;
        this.postgresEngine = postgresEngine;
        this.queries = queries;
        this.json = json;
        this.draftReader = json.readerFor(ProjectDraft.class).with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        this.secrets = secrets;
    }

    public Uni<ProjectView> create(ProjectDraft draft, String actor) {
        return Uni.createFrom().item(() -> {
            ProjectRules.check(draft);
            return columns(draft);
        }).chain(columns -> db.run(conn -> Transitions.create(conn, UUID.randomUUID(), columns,
                ProjectLifecycle.now(), actor)
                .onFailure(ProjectEdits::isNameTaken).transform(e -> nameTaken(draft.name()))))
                .map(ProjectRows::view);
    }

    /**
     * A NOT_STARTED copy with changes: {@code changes} is a JSON merge patch of the original's configuration (the
     * fields PATCH takes), validated as a create. Passwords the patch leaves out are the original's, as stored.
     * Without a name the copy is "orders-clone", then "orders-clone-2", … No body, {@code {}} or only a name copy
     * the original as it is, in one statement.
     */
    public Uni<ProjectView> cloneProject(UUID id, JsonNode changes, String actor) {
        if (onlyName(changes)) {
            return cloneAsIs(id, changes == null || !changes.hasNonNull("name") ? null : changes.get("name").asText(), actor);
        }
        ObjectNode patch;
        try {
            patch = patchObject(changes).deepCopy();
        } catch (ApiProblem e) {
            return Uni.createFrom().failure(e);
        }
        // Only a name given replaces the original's; null or none generates one ("orders-clone", …).
        boolean generatedName = !patch.hasNonNull("name");
        patch.remove("name");
        if (!generatedName) {
            patch.set("name", changes.get("name"));
        }
        UUID cloneId = UUID.randomUUID();
        return queries.get(id).chain(original -> {
            ProjectDraft before = draftOf(original);
            ProjectDraft after = merged(before, patch);
            ProjectRules.check(after);
            List<String> changed = changedFields(before, after).stream().filter(f -> !f.equals("name")).toList();
            return db.run(conn -> (generatedName ? freeCloneName(conn, original.name()) : Uni.createFrom().item(after.name()))
                    .chain(name -> Transitions.cloneWith(conn, id, cloneId, columns(named(after, name)), ProjectLifecycle.now(),
                            actor, changed.isEmpty() ? null : "changed " + String.join(", ", changed))
                            .onFailure(ProjectEdits::isNameTaken).transform(e -> nameTaken(name))));
        }).map(row -> cloned(id, row));
    }

    /** No body, JSON null, {@code {}} or {@code {"name": …}}: the original as it is, under another name. */
    private static boolean onlyName(JsonNode changes) {
        if (changes == null || changes.isNull()) {
            return true;
        }
        return changes instanceof ObjectNode o && (o.isEmpty()
                || (o.size() == 1 && o.has("name") && (o.get("name").isTextual() || o.get("name").isNull())));
    }

    /** A copy of the original's configuration, passwords included, as stored: one statement. */
    private Uni<ProjectView> cloneAsIs(UUID id, String requestedName, String actor) {
        if (requestedName != null && ProjectRules.nameProblem(requestedName) != null) {
            return Uni.createFrom().failure(ApiProblem.validation("name", ProjectRules.nameProblem(requestedName)));
        }
        UUID cloneId = UUID.randomUUID();
        return db.run(conn -> cloneName(conn, id, requestedName)
                .chain(name -> Transitions.cloneOf(conn, id, cloneId, name, ProjectLifecycle.now(), actor, postgresEngine)
                        .onFailure(ProjectEdits::isNameTaken).transform(e -> nameTaken(name))))
                .map(row -> cloned(id, row));
    }

    /** The clone, or 404 when the original is gone (or was deleted meanwhile). */
    private static ProjectView cloned(UUID original, Row row) {
        if (row == null) {
            throw ApiProblem.projectNotFound(original);
        }
        return ProjectRows.view(row);
    }

    /** The name asked for, or the first free one of "orders-clone", "orders-clone-2", … (404 without an original). */
    private Uni<String> cloneName(SqlConnection conn, UUID original, String requestedName) {
        return requestedName != null ? Uni.createFrom().item(requestedName)
                : queries.get(original).chain(p -> freeCloneName(conn, p.name()));
    }

    /** JSON merge patch (RFC 7386). The status decides which fields may change (api.md). */
    public Uni<ProjectView> patch(UUID id, JsonNode patch, Long ifMatch, String actor) {
        ObjectNode patchObject;
        try {
            patchObject = patchObject(patch);
        } catch (ApiProblem e) {
            return Uni.createFrom().failure(e);
        }
        return db.run(conn -> Transitions.lockForEdit(conn, id).chain(row -> {
            ProjectView p = row == null ? null : ProjectRows.view(row);
            if (p == null || p.status() == ProjectStatus.DELETED) {
                throw ApiProblem.projectNotFound(id);
            }
            if (ifMatch != null && ifMatch != p.version()) {
                throw ApiProblem.versionMismatch(id, ifMatch, p.version());
            }
            ProjectDraft before = draftOf(p);
            ProjectDraft after = merged(before, patchObject);
            List<String> changed = changedFields(before, after);
            if (changed.isEmpty()) {
                return Uni.createFrom().item(p);
            }
            requireEditable(p, changed);
            ProjectRules.check(after);
            return Transitions.edit(conn, id, p.version(), columns(after), ProjectLifecycle.now(), actor,
                    "Changed " + String.join(", ", changed))
                    .onFailure(ProjectEdits::isNameTaken).transform(e -> nameTaken(after.name()))
                    .map(edited -> {
                        if (edited == null) {
                            throw new IllegalStateException("Project " + id + " changed version under the edit's own row lock");
                        }
                        return ProjectRows.view(edited);
                    });
        }));
    }

    private static void requireEditable(ProjectView p, List<String> changed) {
        ProjectStatus.Editable editable = p.status().editable();
        List<String> refused = changed.stream().filter(f -> switch (editable) {
            case ALL -> false;
            case LABELS_AND_DESCRIPTION -> !ALWAYS_EDITABLE.contains(f);
            case NOTHING -> true;
        }).toList();
        if (!refused.isEmpty()) {
            List<ProjectStatus> allowing = EnumSet.allOf(ProjectStatus.class).stream()
                    .filter(s -> s.editable() == ProjectStatus.Editable.ALL
                            || (s.editable() == ProjectStatus.Editable.LABELS_AND_DESCRIPTION
                                    && ALWAYS_EDITABLE.containsAll(refused)))
                    .toList();
            throw ApiProblem.invalidState(p.id(), p.name(), p.status(), "changing " + String.join(", ", refused), allowing)
                    .with("fields", refused);
        }
    }

    /** A merge patch of a project's configuration: a JSON object without the fields only the server sets. */
    private static ObjectNode patchObject(JsonNode patch) {
        if (!(patch instanceof ObjectNode patchObject)) {
            throw ApiProblem.malformed("A merge patch must be a JSON object");
        }
        for (Iterator<String> it = patchObject.fieldNames(); it.hasNext();) {
            String field = it.next();
            if (READ_ONLY.contains(field)) {
                throw ApiProblem.validation(field, "is set by the server and cannot be changed");
            }
        }
        return patchObject;
    }

    /** The configuration with the patch applied (RFC 7386); a value of the wrong type is a 400 naming its field. */
    private ProjectDraft merged(ProjectDraft before, ObjectNode patch) {
        ObjectNode merged = json.valueToTree(before);
        mergePatch(merged, patch);
        try {
            return draftReader.readValue(merged);
        } catch (JsonProcessingException e) {
            throw JsonProblems.fromJackson(e);
        } catch (IOException e) {
            throw ApiProblem.malformed("The patch cannot be applied: " + e.getMessage());
        }
    }

    private static ProjectDraft named(ProjectDraft d, String name) {
        return new ProjectDraft(name, d.description(), d.source(), d.destination(), d.migrationTypes(), d.objects(), d.labels(),
                d.simulation(), d.alerts());
    }

    private static void mergePatch(ObjectNode target, ObjectNode patch) {
        patch.fields().forEachRemaining(entry -> {
            JsonNode value = entry.getValue();
            if (value.isNull()) {
                target.remove(entry.getKey());
            } else if (value.isObject() && target.get(entry.getKey()) instanceof ObjectNode existing) {
                mergePatch(existing, (ObjectNode) value);
            } else {
                target.set(entry.getKey(), value.deepCopy());
            }
        });
    }

    private static List<String> changedFields(ProjectDraft a, ProjectDraft b) {
        List<String> changed = new ArrayList<>();
        if (!Objects.equals(a.name(), b.name())) {
            changed.add("name");
        }
        if (!Objects.equals(a.description(), b.description())) {
            changed.add("description");
        }
        if (!Objects.equals(a.source(), b.source())) {
            changed.add("source");
        }
        if (!Objects.equals(a.destination(), b.destination())) {
            changed.add("destination");
        }
        if (!Objects.equals(a.migrationTypes(), b.migrationTypes() == null ? null
                : b.migrationTypes().stream().filter(Objects::nonNull).sorted().toList())
                || (b.migrationTypes() != null && b.migrationTypes().contains(null))) {
            changed.add("migrationTypes");
        }
        if (!Objects.equals(a.objects(), b.objects())) {
            changed.add("objects");
        }
        if (!Objects.equals(a.labels(), b.labels() == null ? Map.of() : b.labels())) {
            changed.add("labels");
        }
        if (!Objects.equals(a.simulation(), b.simulation())) {
            changed.add("simulation");
        }
        if (!Objects.equals(a.alerts(), b.alerts())) {
            changed.add("alerts");
        }
        return changed;
    }

    /** The editable fields as they stand, without passwords (a patch may set one, never read one). */
    private static ProjectDraft draftOf(ProjectView p) {
        return new ProjectDraft(p.name(), p.description(), input(p.source()), input(p.destination()), p.migrationTypes(),
                ProjectJson.tables(p.objects()).stream()
                        .map(t -> new ProjectDraft.TableInput(t.schema(), t.table(), t.rows())).toList(),
                ProjectJson.labels(p.labels()),
                new ProjectDraft.SimulationInput(p.simulation().rowsPerSecond(), p.simulation().changesPerSecond(),
                        p.simulation().failAtPercent()),
                new ProjectDraft.AlertsInput(p.alerts().incrementalLatencySeconds(), p.alerts().stalledForSeconds()));
    }

    private static ProjectDraft.EndpointInput input(ProjectView.EndpointView e) {
        return new ProjectDraft.EndpointInput(e.type(), e.host(), e.port(), e.database(), e.username(), null);
    }

    /** The columns a draft sets. A password is encrypted at rest; an absent one (null) keeps the stored one. */
    private Transitions.Columns columns(ProjectDraft d) {
        List<ProjectView.TableView> tables = d.objects().stream()
                .map(t -> new ProjectView.TableView(t.schema(), t.table(), t.rows())).toList();
        ProjectDraft.SimulationInput s = d.simulation();
        ProjectDraft.AlertsInput a = d.alerts();
        ProjectDraft.EndpointInput src = d.source();
        ProjectDraft.EndpointInput dst = d.destination();
        return new Transitions.Columns(d.name(), d.description(),
                src.type().name(), src.host(), src.port(), src.database(), src.username(), encrypted(src.password()),
                dst.type().name(), dst.host(), dst.port(), dst.database(), dst.username(), encrypted(dst.password()),
                ProjectJson.types(new HashSet<>(d.migrationTypes())), ProjectJson.tables(tables), tables.size(),
                tables.stream().mapToLong(ProjectView.TableView::rows).sum(), ProjectJson.labels(d.labels()),
                s != null && s.rowsPerSecond() != null ? s.rowsPerSecond() : ProjectRules.DEFAULT_ROWS_PER_SECOND,
                s != null && s.changesPerSecond() != null ? s.changesPerSecond() : ProjectRules.DEFAULT_CHANGES_PER_SECOND,
                s == null ? null : s.failAtPercent(), Engine.of(src.type(), dst.type(), postgresEngine).name(),
                a != null && a.incrementalLatencySeconds() != null ? (int) Math.round(a.incrementalLatencySeconds() * 1000)
                        : (int) alertDefaults.incrementalLatency().toMillis(),
                a != null && a.stalledForSeconds() != null ? a.stalledForSeconds().intValue()
                        : (int) alertDefaults.stalledFor().toSeconds());
    }

    private String encrypted(String password) {
        return password == null ? null : secrets.encrypt(password);
    }

    /** The first of "orders-clone", "orders-clone-2", … that is free, cut so that the whole stays within 64 characters. */
    private static Uni<String> freeCloneName(SqlConnection conn, String original) {
        String base = original.length() > 52 ? original.substring(0, 52) : original;
        String prefix = base + "-clone";
        return Transitions.namesLike(conn, ProjectRows.likeEscape(prefix.toLowerCase()) + "%").map(rows -> {
            Set<String> used = new HashSet<>();
            for (Row row : rows) {
                used.add(row.getString(0));
            }
            String candidate = prefix;
            for (int n = 2; used.contains(candidate.toLowerCase()); n++) {
                candidate = prefix + "-" + n;
            }
            return candidate;
        });
    }

    private static boolean isNameTaken(Throwable e) {
        return Failures.isUniqueViolation(e, "project_name_uq");
    }

    private static ApiProblem nameTaken(String name) {
        return new ApiProblem(ProblemCode.NAME_TAKEN, "A project named '" + name + "' already exists").with("name", name);
    }
}
