package io.migrationplane.project;

import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;

/**
 * Writes a {@link ProjectView} field by field, in the record's order, exactly as Jackson's bean
 * serializer would (nulls included, enums by name, instants ISO-8601, objects and labels raw), but
 * without reflective accessor calls per field: the view is on every read, fifty times per list page
 * (bench/README.md). {@code ProjectViewSerializerTest} compares it with the bean serializer.
 */
public class ProjectViewSerializer extends StdSerializer<ProjectView> {

    private static final SerializedString ID = new SerializedString("id");
    private static final SerializedString NAME = new SerializedString("name");
    private static final SerializedString DESCRIPTION = new SerializedString("description");
    private static final SerializedString STATUS = new SerializedString("status");
    private static final SerializedString STATUS_REASON = new SerializedString("statusReason");
    private static final SerializedString ENGINE = new SerializedString("engine");
    private static final SerializedString SOURCE = new SerializedString("source");
    private static final SerializedString DESTINATION = new SerializedString("destination");
    private static final SerializedString MIGRATION_TYPES = new SerializedString("migrationTypes");
    private static final SerializedString OBJECTS = new SerializedString("objects");
    private static final SerializedString LABELS = new SerializedString("labels");
    private static final SerializedString SIMULATION = new SerializedString("simulation");
    private static final SerializedString ROWS_PER_SECOND = new SerializedString("rowsPerSecond");
    private static final SerializedString CHANGES_PER_SECOND = new SerializedString("changesPerSecond");
    private static final SerializedString FAIL_AT_PERCENT = new SerializedString("failAtPercent");
    private static final SerializedString ALLOWED_ACTIONS = new SerializedString("allowedActions");
    private static final SerializedString CLONED_FROM = new SerializedString("clonedFrom");
    private static final SerializedString CREATED_AT = new SerializedString("createdAt");
    private static final SerializedString UPDATED_AT = new SerializedString("updatedAt");
    private static final SerializedString STARTED_AT = new SerializedString("startedAt");
    private static final SerializedString RELEASED_AT = new SerializedString("releasedAt");
    private static final SerializedString VERSION = new SerializedString("version");
    private static final SerializedString ALERTS = new SerializedString("alerts");
    private static final SerializedString INCREMENTAL_LATENCY_SECONDS = new SerializedString("incrementalLatencySeconds");
    private static final SerializedString STALLED_FOR_SECONDS = new SerializedString("stalledForSeconds");
    private static final SerializedString ACTIVE_ALERTS = new SerializedString("activeAlerts");
    private static final SerializedString SWITCHOVER = new SerializedString("switchover");
    private static final SerializedString DELETED_AT = new SerializedString("deletedAt");
    private static final SerializedString RESTORABLE_UNTIL = new SerializedString("restorableUntil");
    private static final SerializedString SINCE = new SerializedString("since");
    private static final SerializedString DETAIL = new SerializedString("detail");
    private static final SerializedString REQUESTED_AT = new SerializedString("requestedAt");
    private static final SerializedString DEADLINE = new SerializedString("deadline");
    private static final SerializedString TYPE = new SerializedString("type");
    private static final SerializedString HOST = new SerializedString("host");
    private static final SerializedString PORT = new SerializedString("port");
    private static final SerializedString DATABASE = new SerializedString("database");
    private static final SerializedString USERNAME = new SerializedString("username");

    public ProjectViewSerializer() {
        super(ProjectView.class);
    }

    @Override
    public void serialize(ProjectView p, JsonGenerator gen, SerializerProvider provider) throws IOException {
        gen.writeStartObject();
        uuid(gen, ID, p.id());
        string(gen, NAME, p.name());
        string(gen, DESCRIPTION, p.description());
        name(gen, STATUS, p.status());
        string(gen, STATUS_REASON, p.statusReason());
        endpoint(gen, SOURCE, p.source());
        endpoint(gen, DESTINATION, p.destination());
        names(gen, MIGRATION_TYPES, p.migrationTypes());
        raw(gen, OBJECTS, p.objects());
        raw(gen, LABELS, p.labels());
        gen.writeFieldName(SIMULATION);
        if (p.simulation() == null) {
            gen.writeNull();
        } else {
            gen.writeStartObject();
            number(gen, ROWS_PER_SECOND, p.simulation().rowsPerSecond());
            number(gen, CHANGES_PER_SECOND, p.simulation().changesPerSecond());
            integer(gen, FAIL_AT_PERCENT, p.simulation().failAtPercent());
            gen.writeEndObject();
        }
        name(gen, ENGINE, p.engine());
        names(gen, ALLOWED_ACTIONS, p.allowedActions());
        uuid(gen, CLONED_FROM, p.clonedFrom());
        instant(gen, CREATED_AT, p.createdAt());
        instant(gen, UPDATED_AT, p.updatedAt());
        instant(gen, STARTED_AT, p.startedAt());
        instant(gen, RELEASED_AT, p.releasedAt());
        gen.writeFieldName(ALERTS);
        if (p.alerts() == null) {
            gen.writeNull();
        } else {
            gen.writeStartObject();
            gen.writeFieldName(INCREMENTAL_LATENCY_SECONDS);
            gen.writeNumber(p.alerts().incrementalLatencySeconds());
            number(gen, STALLED_FOR_SECONDS, p.alerts().stalledForSeconds());
            gen.writeEndObject();
        }
        gen.writeFieldName(ACTIVE_ALERTS);
        if (p.activeAlerts() == null) {
            gen.writeNull();
        } else {
            gen.writeStartArray();
            for (ProjectView.ActiveAlert alert : p.activeAlerts()) {
                gen.writeStartObject();
                name(gen, TYPE, alert.type());
                instant(gen, SINCE, alert.since());
                string(gen, DETAIL, alert.detail());
                gen.writeEndObject();
            }
            gen.writeEndArray();
        }
        gen.writeFieldName(SWITCHOVER);
        if (p.switchover() == null) {
            gen.writeNull();
        } else {
            gen.writeStartObject();
            instant(gen, REQUESTED_AT, p.switchover().requestedAt());
            instant(gen, DEADLINE, p.switchover().deadline());
            gen.writeEndObject();
        }
        instant(gen, DELETED_AT, p.deletedAt());
        instant(gen, RESTORABLE_UNTIL, p.restorableUntil());
        number(gen, VERSION, p.version());
        gen.writeEndObject();
    }

    private static void endpoint(JsonGenerator gen, SerializableString field, ProjectView.EndpointView e) throws IOException {
        gen.writeFieldName(field);
        if (e == null) {
            gen.writeNull();
            return;
        }
        gen.writeStartObject();
        name(gen, TYPE, e.type());
        string(gen, HOST, e.host());
        integer(gen, PORT, e.port());
        string(gen, DATABASE, e.database());
        string(gen, USERNAME, e.username());
        gen.writeEndObject();
    }

    private static void string(JsonGenerator gen, SerializableString field, String value) throws IOException {
        gen.writeFieldName(field);
        gen.writeString(value);
    }

    private static void number(JsonGenerator gen, SerializableString field, long value) throws IOException {
        gen.writeFieldName(field);
        gen.writeNumber(value);
    }

    private static void uuid(JsonGenerator gen, SerializableString field, UUID value) throws IOException {
        string(gen, field, value == null ? null : value.toString());
    }

    private static void name(JsonGenerator gen, SerializableString field, Enum<?> value) throws IOException {
        string(gen, field, value == null ? null : value.name());
    }

    private static void names(JsonGenerator gen, SerializableString field, List<? extends Enum<?>> values) throws IOException {
        gen.writeFieldName(field);
        if (values == null) {
            gen.writeNull();
            return;
        }
        gen.writeStartArray();
        for (Enum<?> value : values) {
            gen.writeString(value.name());
        }
        gen.writeEndArray();
    }

    private static void raw(JsonGenerator gen, SerializableString field, String json) throws IOException {
        gen.writeFieldName(field);
        if (json == null) {
            gen.writeNull();
        } else {
            gen.writeRawValue(json);
        }
    }

    private static void integer(JsonGenerator gen, SerializableString field, Integer value) throws IOException {
        gen.writeFieldName(field);
        if (value == null) {
            gen.writeNull();
        } else {
            gen.writeNumber(value);
        }
    }

    private static void instant(JsonGenerator gen, SerializableString field, Instant value) throws IOException {
        string(gen, field, value == null ? null : iso(value));
    }

    /**
     * {@link Instant#toString()} (ISO-8601 in UTC, fraction in groups of three digits, none when zero),
     * without {@code DateTimeFormatter}: a tenth of a list page's CPU went there.
     */
    static String iso(Instant t) {
        long seconds = t.getEpochSecond();
        long day = Math.floorDiv(seconds, 86_400);
        LocalDate date = LocalDate.ofEpochDay(day);
        if (date.getYear() < 1000 || date.getYear() > 9999) {
            return t.toString();
        }
        int secondOfDay = (int) Math.floorMod(seconds, 86_400);
        int nano = t.getNano();
        char[] out = new char[30];
        int i = digits(out, 0, date.getYear(), 4);
        out[i++] = '-';
        i = digits(out, i, date.getMonthValue(), 2);
        out[i++] = '-';
        i = digits(out, i, date.getDayOfMonth(), 2);
        out[i++] = 'T';
        i = digits(out, i, secondOfDay / 3600, 2);
        out[i++] = ':';
        i = digits(out, i, secondOfDay / 60 % 60, 2);
        out[i++] = ':';
        i = digits(out, i, secondOfDay % 60, 2);
        if (nano != 0) {
            out[i++] = '.';
            if (nano % 1_000_000 == 0) {
                i = digits(out, i, nano / 1_000_000, 3);
            } else if (nano % 1_000 == 0) {
                i = digits(out, i, nano / 1_000, 6);
            } else {
                i = digits(out, i, nano, 9);
            }
        }
        out[i++] = 'Z';
        return new String(out, 0, i);
    }

    private static int digits(char[] out, int at, int value, int width) {
        for (int k = at + width - 1; k >= at; k--) {
            out[k] = (char) ('0' + value % 10);
            value /= 10;
        }
        return at + width;
    }
}
