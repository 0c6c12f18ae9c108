package io.migrationplane.project;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The text forms in which a project's lists and maps are stored. */
public final class ProjectJson {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<List<ProjectView.TableView>> TABLES = new TypeReference<>() {
    };
    private static final TypeReference<TreeMap<String, String>> LABELS = new TypeReference<>() {
    };

    private ProjectJson() {
    }

    public static String types(Set<MigrationType> types) {
        return EnumSet.copyOf(types).stream().map(Enum::name).collect(Collectors.joining(","));
    }

    public static List<MigrationType> types(String stored) {
        return Arrays.stream(stored.split(",")).map(MigrationType::valueOf).sorted().toList();
    }

    public static String tables(List<ProjectView.TableView> tables) {
        return write(tables);
    }

    public static List<ProjectView.TableView> tables(String stored) {
        try {
            return new ArrayList<>(JSON.readValue(stored, TABLES));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Corrupt objects column", e);
        }
    }

    /** Canonical: keys sorted, no spaces; the label filter relies on it being valid JSON. */
    public static String labels(Map<String, String> labels) {
        return write(labels == null ? Map.of() : new TreeMap<>(labels));
    }

    public static Map<String, String> labels(String stored) {
        try {
            return JSON.readValue(stored, LABELS);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Corrupt labels column", e);
        }
    }

    public static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
