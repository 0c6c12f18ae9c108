package io.migrationplane.progress;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/** The JSON form in which step states are checkpointed in {@code project_runtime.steps}. */
public final class Steps {

    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    private static final TypeReference<List<StepState>> LIST = new TypeReference<>() {
    };

    private Steps() {
    }

    /** The steps a project runs: PRECHECK always, then the selected ones in step order. */
    public static List<StepState> plan(boolean schema, boolean full, boolean incremental, boolean verification) {
        List<StepState> steps = new ArrayList<>();
        steps.add(StepState.init(StepName.PRECHECK));
        if (schema) {
            steps.add(StepState.init(StepName.SCHEMA_MIGRATION));
        }
        if (full) {
            steps.add(StepState.init(StepName.FULL_MIGRATION));
        }
        if (incremental) {
            steps.add(StepState.init(StepName.INCREMENTAL_SYNC));
        }
        if (verification) {
            steps.add(StepState.init(StepName.FULL_VERIFICATION));
        }
        return steps;
    }

    /** The plan for the migration types as stored ({@code FULL_MIGRATION,INCREMENTAL_SYNC}). */
    public static List<StepState> plan(String storedTypes) {
        List<String> types = List.of(storedTypes.split(","));
        return plan(types.contains("SCHEMA_MIGRATION"), types.contains("FULL_MIGRATION"),
                types.contains("INCREMENTAL_SYNC"), types.contains("FULL_VERIFICATION"));
    }

    public static String toJson(List<StepState> steps) {
        try {
            return JSON.writeValueAsString(steps);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static List<StepState> fromJson(String json) {
        if (json == null || json.isBlank()) {
            return new ArrayList<>();
        }
        try {
            return new ArrayList<>(JSON.readValue(json, LIST));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Corrupt step checkpoint: " + json, e);
        }
    }
}
