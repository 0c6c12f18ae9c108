package io.migrationplane;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import io.migrationplane.client.ApiClient;
import io.migrationplane.client.ApiException;
import io.migrationplane.client.api.AuditTrailApi;
import io.migrationplane.client.api.ProjectsApi;
import io.migrationplane.client.api.SessionApi;
import io.migrationplane.client.model.BatchFailure;
import io.migrationplane.client.model.BatchRequest;
import io.migrationplane.client.model.BatchResult;
import io.migrationplane.client.model.CloneRequest;
import io.migrationplane.client.model.DryRun;
import io.migrationplane.client.model.EndpointInput;
import io.migrationplane.client.model.EndpointPatch;
import io.migrationplane.client.model.EndpointType;
import io.migrationplane.client.model.Event;
import io.migrationplane.client.model.EventAction;
import io.migrationplane.client.model.EventPage;
import io.migrationplane.client.model.MigrationType;
import io.migrationplane.client.model.Problem;
import io.migrationplane.client.model.ProblemCode;
import io.migrationplane.client.model.Progress;
import io.migrationplane.client.model.Project;
import io.migrationplane.client.model.ProjectAction;
import io.migrationplane.client.model.ProjectCreate;
import io.migrationplane.client.model.ProjectPage;
import io.migrationplane.client.model.ProjectPatch;
import io.migrationplane.client.model.ProjectStatus;
import io.migrationplane.client.model.Role;
import io.migrationplane.client.model.Session;
import io.migrationplane.client.model.SimulationInput;
import io.migrationplane.client.model.SwitchoverRequest;
import io.migrationplane.client.model.TableInput;
import io.migrationplane.testing.Api;
import io.migrationplane.testing.PostgresResource;
import io.migrationplane.testing.Tokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Java client that the build generates from the OpenAPI document (openapi-generator, library
 * {@code native}; see pom.xml), used exactly as generated against the running service: if the
 * document and the service disagree, a generated client breaks here. Only the generated API and
 * model classes talk to the service; the headers they send (Accept, Content-Type) are theirs.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class GeneratedClientTest {

    private static final Duration AWAIT = Duration.ofSeconds(30);

    @TestHTTPResource("/")
    URL root;

    private ApiClient client;
    private ProjectsApi projects;
    private AuditTrailApi events;

    @BeforeEach
    void client() {
        String base = root.toString().replaceAll("/+$", "");
        client = new ApiClient();
        client.updateBaseUri(base);
        client.setReadTimeout(Duration.ofSeconds(30));
        client.setConnectTimeout(Duration.ofSeconds(10));
        String bearer = "Bearer " + Tokens.admin();
        client.setRequestInterceptor(request -> request.header("Authorization", bearer));
        projects = new ProjectsApi(client);
        events = new AuditTrailApi(client);
    }

    /** MySQL into OceanBase, full migration of one table of 1,000,000 rows at 1,000 rows/s: runs for minutes. */
    private static ProjectCreate newProject(String name) {
        return new ProjectCreate()
                .name(name)
                .description("generated client")
                .source(new EndpointInput().type(EndpointType.MYSQL).host("10.0.0.5").port(3306).database("shop")
                        .username("mig").password("source-secret"))
                .destination(new EndpointInput().type(EndpointType.OCEANBASE_MYSQL).host("10.0.0.9").port(2881)
                        .database("shop").username("mig").password("dest-secret"))
                .migrationTypes(new LinkedHashSet<>(List.of(MigrationType.FULL_MIGRATION)))
                .objects(new ArrayList<>(List.of(new TableInput().schema("shop").table("orders").rows(1_000_000L))))
                .putLabelsItem("team", "payments")
                .simulation(new SimulationInput().rowsPerSecond(1000L));
    }

    private Project create(String prefix) throws ApiException {
        return projects.createProject(newProject(Api.uniqueName(prefix)), null);
    }

    /** The problem details of a failed call, read with the generated client's own ObjectMapper. */
    private Problem problem(ApiException e) throws Exception {
        assertNotNull(e.getResponseBody(), "a problem body for " + e.getCode());
        return client.getObjectMapper().readValue(e.getResponseBody(), Problem.class);
    }

    private ProjectStatus status(UUID id) throws ApiException {
        return projects.getProject(id, null).getStatus();
    }

    @Test
    void lifecycleThroughTheGeneratedClient() throws Exception {
        String name = Api.uniqueName("generated");
        Project created = projects.createProject(newProject(name), null);
        UUID id = created.getId();
        assertNotNull(id);
        assertEquals(name, created.getName());
        assertEquals(ProjectStatus.NOT_STARTED, created.getStatus());
        assertEquals(EndpointType.MYSQL, created.getSource().getType());
        assertEquals(EndpointType.OCEANBASE_MYSQL, created.getDestination().getType());
        assertEquals(List.of(MigrationType.FULL_MIGRATION), created.getMigrationTypes());
        assertEquals(1_000_000L, created.getObjects().get(0).getRows());
        assertEquals(1000L, created.getSimulation().getRowsPerSecond());
        assertEquals(Map.of("team", "payments"), created.getLabels());
        assertEquals(0L, created.getVersion());
        assertNull(created.getStartedAt());
        assertTrue(created.getAllowedActions().contains(ProjectAction.START));

        Project read = projects.getProject(id, null);
        assertEquals(id, read.getId());
        assertEquals(name, read.getName());
        assertEquals(created.getCreatedAt().toInstant(), read.getCreatedAt().toInstant());

        ProjectPage page = projects.listProjects(List.of(ProjectStatus.NOT_STARTED), name, List.of("team:payments"), "-createdAt", null, null, null, 0, 20);
        assertEquals(1L, page.getTotalItems());
        assertEquals(id, page.getItems().get(0).getId());
        assertTrue(page.getProgress() == null || page.getProgress().isEmpty(), "no progress unless asked for");
        ProjectPage withProgress = projects.listProjects(List.of(ProjectStatus.NOT_STARTED), name, null, null, null, null, "progress", 0, 20);
        assertEquals(Map.of(id.toString(), projects.getProjectProgress(id)), withProgress.getProgress());

        Project started = projects.startProject(id, null, null);
        assertEquals(ProjectStatus.RUNNING, started.getStatus());
        assertNotNull(started.getStartedAt());

        await().atMost(AWAIT).pollInterval(Duration.ofMillis(100))
                .until(() -> projects.getProjectProgress(id).getFullMigration().getRowsMigrated() > 0);
        Progress progress = projects.getProjectProgress(id);
        assertEquals(ProjectStatus.RUNNING, progress.getStatus());
        assertEquals(1_000_000L, progress.getFullMigration().getRowsTotal());
        assertTrue(progress.getFullMigration().getRowsMigrated() < 1_000_000L, "still running");
        assertEquals("orders", progress.getFullMigration().getTables().get(0).getTable());
        assertNull(progress.getIncrementalSync(), "INCREMENTAL_SYNC not selected");

        Project paused = projects.pauseProject(id, null, null);
        assertEquals(ProjectStatus.PAUSED, paused.getStatus());

        DryRun plan = projects.releaseProjectDryRun(id, null);
        assertEquals(Boolean.TRUE, plan.getDryRun());
        // RELEASING while the paused run's worker is still letting go of its lease
        assertTrue(Set.of(ProjectStatus.RELEASING, ProjectStatus.RELEASED).contains(plan.getResultingStatus()));
        assertEquals(ProjectStatus.PAUSED, status(id), "a dry run changes nothing");

        Project released = projects.releaseProject(id, null, null, null);
        assertTrue(Set.of(ProjectStatus.RELEASING, ProjectStatus.RELEASED).contains(released.getStatus()),
                "release answers RELEASING or RELEASED, got " + released.getStatus());
        await().atMost(AWAIT).pollInterval(Duration.ofMillis(100)).until(() -> status(id) == ProjectStatus.RELEASED);
        assertNotNull(projects.getProject(id, null).getReleasedAt());

        DryRun deletion = projects.deleteProject(name, id, null, true);
        assertEquals(ProjectStatus.DELETED, deletion.getResultingStatus());
        assertNotNull(deletion.getRestorableUntil());
        projects.deleteProject(name, id, null, null);

        ApiException gone = assertThrows(ApiException.class, () -> projects.getProject(id, null));
        assertEquals(404, gone.getCode());
        Problem notFound = problem(gone);
        assertEquals(ProblemCode.PROJECT_NOT_FOUND, notFound.getCode());
        assertEquals(404, notFound.getStatus());

        // The audit trail keeps the deleted project's events, newest first.
        EventPage trail = events.listEvents(id, null, 0, 200);
        List<EventAction> actions = trail.getItems().stream().map(Event::getAction).collect(Collectors.toList());
        assertEquals(List.of(EventAction.DELETED, EventAction.RELEASED, EventAction.RELEASE_REQUESTED, EventAction.PAUSED,
                EventAction.STARTED, EventAction.CREATED), actions);
        assertTrue(trail.getItems().stream().allMatch(e -> id.equals(e.getProjectId()) && name.equals(e.getProjectName())));
        EventPage deletions = events.listEvents(id, EventAction.DELETED, 0, 20);
        assertEquals(1L, deletions.getTotalItems());
        assertEquals(ProjectStatus.RELEASED, deletions.getItems().get(0).getFromStatus());
    }

    /** Issue 13 through the generated client: switchover to COMPLETED, delete, the deleted list, restore. */
    @Test
    void switchoverDeleteAndRestoreThroughTheGeneratedClient() throws Exception {
        Project project = projects.createProject(newProject(Api.uniqueName("generated-switchover"))
                .migrationTypes(new LinkedHashSet<>(List.of(MigrationType.FULL_MIGRATION, MigrationType.INCREMENTAL_SYNC)))
                .objects(List.of(new TableInput().schema("s").table("t").rows(1000L)))
                .simulation(new SimulationInput().rowsPerSecond(10_000_000L).changesPerSecond(100L)), null);
        UUID id = project.getId();
        projects.startProject(id, null, null);
        await().atMost(AWAIT).pollInterval(Duration.ofMillis(100)).until(() -> projects.getProjectProgress(id)
                .getIncrementalSync().getStatus() == io.migrationplane.client.model.StepStatus.MONITORING);
        Project pending = projects.switchoverProject(id, null, null, new SwitchoverRequest().maxLatencySeconds(1.0).timeoutSeconds(60L));
        assertNotNull(pending.getSwitchover());
        await().atMost(AWAIT).pollInterval(Duration.ofMillis(100)).until(() -> status(id) == ProjectStatus.COMPLETED);
        assertEquals(List.of(ProjectAction.RELEASE, ProjectAction.CLONE), projects.getProject(id, null).getAllowedActions());
        projects.releaseProject(id, null, null, null);
        await().atMost(AWAIT).pollInterval(Duration.ofMillis(100)).until(() -> status(id) == ProjectStatus.RELEASED);
        projects.deleteProject(project.getName(), id, null, null);

        ProjectPage deleted = projects.listProjects(List.of(ProjectStatus.DELETED), project.getName(), null, null, null, null, null, 0, 20);
        assertEquals(1L, deleted.getTotalItems());
        assertNotNull(deleted.getItems().get(0).getRestorableUntil());
        Project restored = projects.restoreProject(id, null, null, null);
        assertEquals(ProjectStatus.NOT_STARTED, restored.getStatus());
        projects.deleteProject(project.getName(), id, null, null);
    }

    @Test
    void releaseOfANotStartedProjectIs409InvalidState() throws Exception {
        Project project = create("generated-409");
        ApiException refused = assertThrows(ApiException.class, () -> projects.releaseProject(project.getId(), null, null, null));
        assertEquals(409, refused.getCode());
        Problem problem = problem(refused);
        assertEquals(ProblemCode.INVALID_STATE, problem.getCode());
        assertEquals(409, problem.getStatus());
        assertEquals(ProjectStatus.NOT_STARTED, problem.getCurrentStatus());
        assertEquals(List.of(ProjectStatus.PAUSED, ProjectStatus.FAILED, ProjectStatus.COMPLETED), problem.getAllowedStatuses());
        assertEquals(ProjectStatus.NOT_STARTED, status(project.getId()), "nothing changed");
        projects.deleteProject(project.getName(), project.getId(), null, null);
    }

    @Test
    void mergePatchRemovesTheDescriptionAndOneLabel() throws Exception {
        Project project = projects.createProject(newProject(Api.uniqueName("generated-patch")).putLabelsItem("wave", "one"), null);
        UUID id = project.getId();
        assertEquals("generated client", project.getDescription());
        assertEquals(Map.of("team", "payments", "wave", "one"), project.getLabels());

        // description: null removes it; labels: {"wave": null} removes that label and keeps the others.
        ProjectPatch patch = new ProjectPatch().description(null).putLabelsItem("wave", null);
        Project patched = projects.updateProject(id, patch, null);
        assertNull(patched.getDescription());
        assertEquals(Map.of("team", "payments"), patched.getLabels());
        assertEquals(ProjectStatus.NOT_STARTED, patched.getStatus());
        assertEquals(project.getVersion() + 1, patched.getVersion());

        Project read = projects.getProject(id, null);
        assertNull(read.getDescription());
        assertEquals(Map.of("team", "payments"), read.getLabels());
        // Nothing else changed.
        assertEquals(List.of(MigrationType.FULL_MIGRATION), read.getMigrationTypes());
        assertEquals(1, read.getObjects().size());
        assertEquals(1000L, read.getSimulation().getRowsPerSecond());

        EventPage trail = projects.listProjectEvents(id, 0, 50);
        assertEquals(List.of(EventAction.CREATED, EventAction.UPDATED),
                trail.getItems().stream().map(Event::getAction).collect(Collectors.toList()), "oldest first");
        projects.deleteProject(read.getName(), id, null, null);
    }

    @Test
    void theSessionNamesTheTokensUserAndRoles() throws Exception {
        Session session = new SessionApi(client).getSession();
        assertTrue(session.getAccessControl());
        assertEquals("test-admin", session.getUser());
        assertEquals(Set.of(Role.VIEWER, Role.OPERATOR, Role.ADMIN), Set.copyOf(session.getRoles()));
    }

    @Test
    void cloneWithoutABody() throws Exception {
        Project original = create("generated-clone");
        Project clone = projects.cloneProject(original.getId(), null, null);
        assertEquals(original.getName() + "-clone", clone.getName());
        assertEquals(original.getId(), clone.getClonedFrom());
        assertEquals(ProjectStatus.NOT_STARTED, clone.getStatus());
        assertEquals(original.getLabels(), clone.getLabels());
        assertEquals(original.getObjects(), clone.getObjects());
        assertEquals(original.getSimulation(), clone.getSimulation());
        projects.deleteProject(clone.getName(), clone.getId(), null, null);
        projects.deleteProject(original.getName(), original.getId(), null, null);
    }

    @Test
    void cloneWithAChangedDestination() throws Exception {
        Project original = create("generated-similar");
        Project clone = projects.cloneProject(original.getId(), null,
                new CloneRequest().destination(new EndpointPatch().host("10.0.1.9").database("shop_eu")));
        assertEquals(original.getName() + "-clone", clone.getName());
        assertEquals(original.getId(), clone.getClonedFrom());
        assertEquals(ProjectStatus.NOT_STARTED, clone.getStatus());
        assertEquals("10.0.1.9", clone.getDestination().getHost());
        assertEquals("shop_eu", clone.getDestination().getDatabase());
        assertEquals(original.getDestination().getPort(), clone.getDestination().getPort());
        assertEquals(original.getSource(), clone.getSource());
        assertEquals(original.getObjects(), clone.getObjects());
        assertEquals(original.getDescription(), clone.getDescription());
        List<Event> trail = events.listEvents(clone.getId(), null, 0, 20).getItems();
        assertEquals(1, trail.size());
        assertEquals(EventAction.CLONED, trail.get(0).getAction());
        assertTrue(trail.get(0).getDetail().endsWith("; changed destination"), trail.get(0).getDetail());
        ApiException refused = assertThrows(ApiException.class, () -> projects.cloneProject(original.getId(), null,
                new CloneRequest().destination(new EndpointPatch().port(70000))));
        assertEquals(400, refused.getCode());
        assertEquals("destination.port", problem(refused).getErrors().get(0).getField());
    }

    @Test
    void batchActions() throws Exception {
        Project a = create("generated-batch-a");
        Project b = create("generated-batch-b");
        UUID missing = UUID.randomUUID();

        BatchResult started = projects.batchProjects(new BatchRequest().action(BatchRequest.ActionEnum.START)
                .ids(new LinkedHashSet<>(List.of(a.getId(), b.getId(), missing))), null, null);
        assertEquals(List.of(a.getId(), b.getId()), started.getSucceeded());
        assertEquals(1, started.getFailed().size());
        BatchFailure failure = started.getFailed().get(0);
        assertEquals(missing, failure.getId());
        assertEquals(ProblemCode.PROJECT_NOT_FOUND, failure.getCode());
        assertEquals(ProjectStatus.RUNNING, status(a.getId()));
        assertEquals(ProjectStatus.RUNNING, status(b.getId()));

        Set<UUID> both = new LinkedHashSet<>(List.of(a.getId(), b.getId()));
        BatchResult refused = projects.batchProjects(new BatchRequest().action(BatchRequest.ActionEnum.RELEASE).ids(both), null, null);
        assertEquals(List.of(), refused.getSucceeded());
        assertEquals(List.of(ProblemCode.INVALID_STATE, ProblemCode.INVALID_STATE),
                refused.getFailed().stream().map(BatchFailure::getCode).collect(Collectors.toList()));

        assertEquals(List.of(a.getId(), b.getId()),
                projects.batchProjects(new BatchRequest().action(BatchRequest.ActionEnum.PAUSE).ids(both), null, null).getSucceeded());
        assertEquals(List.of(a.getId(), b.getId()),
                projects.batchProjects(new BatchRequest().action(BatchRequest.ActionEnum.RELEASE).ids(both), null, null).getSucceeded());
        await().atMost(AWAIT).pollInterval(Duration.ofMillis(100))
                .until(() -> status(a.getId()) == ProjectStatus.RELEASED && status(b.getId()) == ProjectStatus.RELEASED);

        BatchResult deleted = projects.batchProjects(new BatchRequest().action(BatchRequest.ActionEnum.DELETE).ids(both)
                .putConfirmNamesItem(a.getId().toString(), a.getName())
                .putConfirmNamesItem(b.getId().toString(), b.getName()), null, null);
        assertEquals(List.of(a.getId(), b.getId()), deleted.getSucceeded());
        assertEquals(List.of(), deleted.getFailed());
        for (Project p : List.of(a, b)) {
            ApiException gone = assertThrows(ApiException.class, () -> projects.getProject(p.getId(), null));
            assertEquals(404, gone.getCode());
            assertEquals(ProblemCode.PROJECT_NOT_FOUND, problem(gone).getCode());
        }
    }
}
