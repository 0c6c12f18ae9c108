package io.migrationplane.project;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import org.junit.jupiter.api.Test;

/**
 * The hand-written serializer writes what Jackson's bean serializer writes for the record, byte for
 * byte: every component, in order, with the same null, enum, instant and raw-JSON handling. A field
 * added to {@link ProjectView} and forgotten in {@link ProjectViewSerializer} fails here.
 */
class ProjectViewSerializerTest {

    @JsonSerialize(using = JsonSerializer.None.class)
    interface BeanSerializer {
    }

    private static ObjectMapper mapper() {
        return new ObjectMapper().registerModule(new JavaTimeModule()).disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    }

    private static void assertSameJson(ProjectView view) throws Exception {
        String bean = mapper().addMixIn(ProjectView.class, BeanSerializer.class).writeValueAsString(view);
        String custom = mapper().writeValueAsString(view);
        assertEquals(bean, custom);
    }

    @Test
    void everyFieldSet() throws Exception {
        Instant t = Instant.parse("2026-11-25T10:15:30.123456Z");
        assertSameJson(new ProjectView(UUID.randomUUID(), "orders \"eu\"", "line\nbreak", ProjectStatus.RELEASED, "Waiting for \"x\"",
                new ProjectView.EndpointView(EndpointType.MYSQL, "10.0.0.5", 3306, "shop", "mig"),
                new ProjectView.EndpointView(EndpointType.OCEANBASE_MYSQL, "10.0.0.9", 2881, "shop", "mig"),
                Arrays.asList(MigrationType.values()), "[{\"schema\":\"s\",\"table\":\"t\",\"rows\":5}]", "{\"team\":\"payments\"}",
                new ProjectView.SimulationView(20000, 100, 40), Engine.POSTGRES_LOGICAL, Arrays.asList(ProjectAction.values()), UUID.randomUUID(),
                t, t.plusSeconds(1), Instant.parse("2026-11-25T10:15:31Z"), t.plusNanos(1000),
                new ProjectView.AlertThresholds(0.25, 300),
                List.of(new ProjectView.ActiveAlert(ProjectView.AlertType.LATENCY_HIGH, t, "Incremental \"latency\""),
                        new ProjectView.ActiveAlert(ProjectView.AlertType.STALLED, t.plusSeconds(2), "No progress")),
                new ProjectView.SwitchoverView(t, t.plusSeconds(300)), t.plusSeconds(3), t.plusSeconds(4), 7));
    }

    @Test
    void instantsAreWrittenAsInstantToStringWrites() {
        java.util.Random random = new java.util.Random(42);
        List<Instant> samples = new java.util.ArrayList<>(List.of(Instant.EPOCH, Instant.parse("2026-11-25T00:00:00Z"),
                Instant.parse("1999-12-31T23:59:59.999999999Z"), Instant.parse("2000-02-29T12:00:00.100Z"),
                Instant.parse("2026-01-01T00:00:00.000001Z"), Instant.parse("0999-01-01T00:00:00Z"),
                Instant.parse("+10000-01-01T00:00:00Z"), Instant.parse("1969-12-31T23:59:59.5Z")));
        for (int i = 0; i < 100_000; i++) {
            long seconds = random.nextLong(-5_000_000_000L, 300_000_000_000L);
            int nano = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1_000;
                default -> random.nextInt(1_000_000_000);
            };
            samples.add(Instant.ofEpochSecond(seconds, nano));
        }
        for (Instant t : samples) {
            assertEquals(t.toString(), ProjectViewSerializer.iso(t));
        }
    }

    @Test
    void everyOptionalFieldNull() throws Exception {
        assertSameJson(new ProjectView(UUID.randomUUID(), "x", null, ProjectStatus.NOT_STARTED, null,
                new ProjectView.EndpointView(EndpointType.POSTGRESQL, "db", null, null, null), null,
                List.of(), null, null, new ProjectView.SimulationView(1, 0, null), null, List.of(), null,
                Instant.EPOCH, Instant.EPOCH, null, null, null, null, null, null, null, 0));
    }
}
