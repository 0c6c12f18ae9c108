package io.migrationplane.project;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
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
import io.migrationplane.audit.AuditLog;
import io.migrationplane.audit.EventAction;
import io.migrationplane.error.ApiProblem;
import io.migrationplane.error.ProblemCode;
import io.migrationplane.progress.RuntimeRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.migrationplane.security.SecretCipher;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

/** A project's configuration: create, read, list, edit, clone. Status changes are {@link ProjectLifecycle}'s. */
@ApplicationScoped
public class ProjectService {

    private static final Set<String> READ_ONLY = Set.of("id", "status", "allowedActions", "clonedFrom", "createdAt",
            "updatedAt", "startedAt", "releasedAt", "version");
    private static final Set<String> ALWAYS_EDITABLE = Set.of("labels", "description");

    private final ProjectRepository projects;
    private final RuntimeRepository runtime;
    private final AuditLog audit;
    private final ObjectMapper json;
    private final ObjectReader draftReader;
    private final ProjectQueries queries;
    private final SecretCipher secrets;

    public ProjectService(ProjectRepository projects, RuntimeRepository runtime, AuditLog audit, ObjectMapper json,
            ProjectQueries queries, SecretCipher secrets) {
        this.secrets = secrets;
        this.queries = queries;
        this.projects = projects;
        this.runtime = runtime;
        this.audit = audit;
        this.json = json;
        this.draftReader = json.readerFor(ProjectDraft.class).with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }

    public Uni<ProjectView> get(UUID id) {
        return queries.byId(id).map(p -> p.orElseThrow(() -> ApiProblem.projectNotFound(id)));
    }

    Uni<MigrationProject> find(UUID id) {
        return projects.findById(id).onItem().ifNull().failWith(() -> ApiProblem.projectNotFound(id));
    }

    @WithTransaction
    public Uni<ProjectView> create(ProjectDraft draft, String actor) {
        return Uni.createFrom().item(() -> {
            ProjectRules.check(draft);
            return newProject(draft, now());
        }).chain(p -> insert(p, actor, EventAction.CREATED, "Created"));
    }

    @WithTransaction
    public Uni<ProjectView> cloneProject(UUID id, String requestedName, String actor) {
        if (requestedName != null && !ProjectRules.isValidName(requestedName)) {
            return Uni.createFrom().failure(ApiProblem.validation("name", "must be 1-64 letters, digits, '-', '_' or '.'"));
        }
        return find(id).chain(original -> (requestedName != null ? Uni.createFrom().item(requestedName)
                : freeCloneName(original.name)).chain(name -> {
                    MigrationProject copy = copyOf(original, name, now());
                    return insert(copy, actor, EventAction.CLONED,
                            "Created from project '" + original.name + "' (" + original.id + ")");
                }));
    }

    private Uni<ProjectView> insert(MigrationProject p, String actor, EventAction action, String detail) {
        return requireNameFree(p.name, p.id)
                .chain(() -> projects.persistAndFlush(p))
                .chain(() -> runtime.create(p.id))
                .chain(() -> audit.record(p.id, p.name, action, null, p.status, actor, detail, p.createdAt))
                .map(e -> ProjectMapper.toView(p));
    }

    public Uni<ProjectPage> list(ProjectFilter filter) {
        return queries.list(filter);
    }

    /** JSON merge patch (RFC 7386). The status decides which fields may change (api.md). */
    @WithTransaction
    public Uni<ProjectView> patch(UUID id, JsonNode patch, Long ifMatch, String actor) {
        if (!(patch instanceof ObjectNode patchObject)) {
            return Uni.createFrom().failure(ApiProblem.malformed("A merge patch must be a JSON object"));
        }
        for (Iterator<String> it = patchObject.fieldNames(); it.hasNext();) {
            String field = it.next();
            if (READ_ONLY.contains(field)) {
                return Uni.createFrom().failure(ApiProblem.validation(field, "is set by the server and cannot be changed"));
            }
        }
        return projects.findById(id, LockModeType.PESSIMISTIC_WRITE)
                .onItem().ifNull().failWith(() -> ApiProblem.projectNotFound(id))
                .chain(p -> {
                    ProjectLifecycle.requireVersion(p, ifMatch);
                    ProjectDraft before = draftOf(p);
                    ObjectNode merged = json.valueToTree(before);
                    mergePatch(merged, patchObject);
                    ProjectDraft after;
                    try {
                        after = draftReader.readValue(merged);
                    } catch (JsonProcessingException e) {
                        throw io.migrationplane.error.ProblemMappers.fromJackson(e);
                    } catch (java.io.IOException e) {
                        throw ApiProblem.malformed("The patch cannot be applied: " + e.getMessage());
                    }
                    List<String> changed = changedFields(before, after);
                    if (changed.isEmpty()) {
                        return Uni.createFrom().item(ProjectMapper.toView(p));
                    }
                    requireEditable(p, changed);
                    ProjectRules.check(after);
                    Uni<Void> nameCheck = after.name().equals(before.name()) ? Uni.createFrom().voidItem()
                            : requireNameFree(after.name(), p.id);
                    return nameCheck.chain(() -> {
                        Instant now = now();
                        apply(p, after, now);
                        return projects.flush()
                                .chain(() -> audit.record(p.id, p.name, EventAction.UPDATED, p.status, p.status, actor,
                                        "Changed " + String.join(", ", changed), now))
                                .map(e -> ProjectMapper.toView(p));
                    });
                });
    }

    private static void requireEditable(MigrationProject p, List<String> changed) {
        ProjectStatus.Editable editable = p.status.editable();
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
            throw ApiProblem.invalidState(p.id, p.name, p.status, "changing " + String.join(", ", refused), allowing)
                    .with("fields", refused);
        }
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
        return changed;
    }

    /** The editable fields as they stand, without passwords (a patch may set one, never read one). */
    private static ProjectDraft draftOf(MigrationProject p) {
        return new ProjectDraft(p.name, p.description, input(p.source), input(p.destination),
                ProjectJson.types(p.migrationTypes),
                ProjectJson.tables(p.objects).stream()
                        .map(t -> new ProjectDraft.TableInput(t.schema(), t.table(), t.rows())).toList(),
                ProjectJson.labels(p.labels),
                new ProjectDraft.SimulationInput(p.rowsPerSecond, p.changesPerSecond, p.failAtPercent));
    }

    private static ProjectDraft.EndpointInput input(Endpoint e) {
        return new ProjectDraft.EndpointInput(e.type, e.host, e.port, e.database, e.username, null);
    }

    private MigrationProject newProject(ProjectDraft d, Instant now) {
        MigrationProject p = new MigrationProject();
        p.id = UUID.randomUUID();
        p.status = ProjectStatus.NOT_STARTED;
        p.createdAt = now;
        apply(p, d, now);
        return p;
    }

    private void apply(MigrationProject p, ProjectDraft d, Instant now) {
        p.name = d.name();
        p.description = d.description();
        p.source = endpoint(d.source(), p.source);
        p.destination = endpoint(d.destination(), p.destination);
        p.migrationTypes = ProjectJson.types(new HashSet<>(d.migrationTypes()));
        List<ProjectView.TableView> tables = d.objects().stream()
                .map(t -> new ProjectView.TableView(t.schema(), t.table(), t.rows())).toList();
        p.objects = ProjectJson.tables(tables);
        p.tableCount = tables.size();
        p.rowsTotal = tables.stream().mapToLong(ProjectView.TableView::rows).sum();
        p.labels = ProjectJson.labels(d.labels());
        ProjectDraft.SimulationInput s = d.simulation();
        p.rowsPerSecond = s != null && s.rowsPerSecond() != null ? s.rowsPerSecond() : ProjectRules.DEFAULT_ROWS_PER_SECOND;
        p.changesPerSecond = s != null && s.changesPerSecond() != null ? s.changesPerSecond()
                : ProjectRules.DEFAULT_CHANGES_PER_SECOND;
        p.failAtPercent = s == null ? null : s.failAtPercent();
        p.updatedAt = now;
    }

    /** A new password replaces the stored one (encrypted at rest); an absent one keeps it. */
    private Endpoint endpoint(ProjectDraft.EndpointInput in, Endpoint existing) {
        Endpoint e = new Endpoint();
        e.type = in.type();
        e.host = in.host();
        e.port = in.port();
        e.database = in.database();
        e.username = in.username();
        e.password = in.password() != null ? secrets.encrypt(in.password()) : existing == null ? null : existing.password;
        return e;
    }

    private static MigrationProject copyOf(MigrationProject o, String name, Instant now) {
        MigrationProject p = new MigrationProject();
        p.id = UUID.randomUUID();
        p.name = name;
        p.description = o.description;
        p.status = ProjectStatus.NOT_STARTED;
        p.source = o.source.copy();
        p.destination = o.destination.copy();
        p.migrationTypes = o.migrationTypes;
        p.objects = o.objects;
        p.tableCount = o.tableCount;
        p.rowsTotal = o.rowsTotal;
        p.labels = o.labels;
        p.rowsPerSecond = o.rowsPerSecond;
        p.changesPerSecond = o.changesPerSecond;
        p.failAtPercent = o.failAtPercent;
        p.clonedFrom = o.id;
        p.createdAt = now;
        p.updatedAt = now;
        return p;
    }

    private Uni<Void> requireNameFree(String name, UUID self) {
        return projects.count("lower(name) = ?1 and id <> ?2", name.toLowerCase(), self)
                .map(n -> {
                    if (n > 0) {
                        throw new ApiProblem(ProblemCode.NAME_TAKEN, "A project named '" + name + "' already exists")
                                .with("name", name);
                    }
                    return null;
                });
    }

    /** "orders-clone", then "orders-clone-2", … cut so that the whole stays within 64 characters. */
    private Uni<String> freeCloneName(String original) {
        String base = original.length() > 52 ? original.substring(0, 52) : original;
        String prefix = base + "-clone";
        return Panache.getSession().chain(s -> s.createSelectionQuery(
                "select lower(name) from MigrationProject where lower(name) like ?1 escape '\\'", String.class)
                .setParameter(1, likeEscape(prefix.toLowerCase()) + "%").getResultList())
                .map(taken -> {
                    Set<String> used = new HashSet<>(taken);
                    String candidate = prefix;
                    for (int n = 2; used.contains(candidate.toLowerCase()); n++) {
                        candidate = prefix + "-" + n;
                    }
                    return candidate;
                });
    }

    static String likeEscape(String s) {
        return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }
}
