package io.migrationplane.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import io.migrationplane.error.ApiProblem;
import io.migrationplane.project.ProjectFilter;
import io.migrationplane.project.ProjectStatus;

/** Parses path, query and header values into typed values, with a 400 problem for each way they can be wrong. */
public final class RequestParams {

    public static final int MAX_PAGE = 1_000_000;
    public static final int MAX_SIZE = 200;
    private static final Pattern ASCII_INTEGER = Pattern.compile("-?[0-9]{1,10}");

    private RequestParams() {
    }

    public static UUID id(String raw) {
        return uuid("id", raw);
    }

    public static UUID uuid(String name, String raw) {
        try {
            if (raw == null || raw.length() != 36) {
                throw new IllegalArgumentException();
            }
            return UUID.fromString(raw);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.malformed(name + ": '" + raw + "' is not a UUID")
                    .with("errors", List.of(new ApiProblem.FieldError(name, "must be a UUID")));
        }
    }

    /** {@code If-Match: "4"} (also {@code W/"4"} or {@code 4}); {@code *} or absent means no condition. */
    public static Long ifMatch(String header) {
        if (header == null || header.isBlank() || header.trim().equals("*")) {
            return null;
        }
        String v = header.trim();
        if (v.startsWith("W/")) {
            v = v.substring(2);
        }
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
            v = v.substring(1, v.length() - 1);
        }
        try {
            long version = Long.parseLong(v);
            if (version < 0) {
                throw new NumberFormatException();
            }
            return version;
        } catch (NumberFormatException e) {
            throw ApiProblem.malformed("If-Match must be an entity tag such as \"4\" (the project's version); got " + header);
        }
    }

    public static int page(String raw) {
        return integer("page", raw, 0, 0, MAX_PAGE);
    }

    public static int size(String raw) {
        return integer("size", raw, 20, 1, MAX_SIZE);
    }

    private static int integer(String name, String raw, int dflt, int min, int max) {
        if (raw == null || raw.isEmpty()) {
            return dflt;
        }
        int value;
        try {
            String digits = raw.trim();
            if (!ASCII_INTEGER.matcher(digits).matches()) { // parseInt also reads other scripts' digits
                throw new NumberFormatException();
            }
            value = Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            throw ApiProblem.malformed(name + ": '" + raw + "' is not an integer")
                    .with("errors", List.of(new ApiProblem.FieldError(name, "must be an integer")));
        }
        if (value < min || value > max) {
            throw ApiProblem.validation(name, "must be between " + min + " and " + max);
        }
        return value;
    }

    /** A boolean query parameter: absent or empty is false; else exactly {@code true} or {@code false}. */
    public static boolean flag(String name, String raw) {
        if (raw == null || raw.isEmpty()) {
            return false;
        }
        return switch (raw) {
            case "true" -> true;
            case "false" -> false;
            default -> throw ApiProblem.validation(name, "must be true or false");
        };
    }

    /** What a request may ask to be included ({@code include=progress}): absent or empty is false, else exactly {@code only}. */
    public static boolean include(String raw, String only) {
        if (raw == null || raw.isEmpty()) {
            return false;
        }
        if (raw.equals(only)) {
            return true;
        }
        throw ApiProblem.validation("include", "must be " + only);
    }

    public static <E extends Enum<E>> E enumValue(String name, String raw, Class<E> type) {
        try {
            return Enum.valueOf(type, raw.trim().toUpperCase());
        } catch (IllegalArgumentException e) {
            throw ApiProblem.malformed(name + ": '" + raw + "' is not one of " + List.of(type.getEnumConstants()))
                    .with("errors", List.of(new ApiProblem.FieldError(name, "unknown value")));
        }
    }

    public static List<ProjectStatus> statuses(List<String> raw) {
        List<ProjectStatus> out = new ArrayList<>();
        for (String value : raw == null ? List.<String>of() : raw) {
            for (String part : value.split(",")) {
                if (!part.isBlank()) {
                    ProjectStatus s = enumValue("status", part, ProjectStatus.class);
                    if (!out.contains(s)) {
                        out.add(s);
                    }
                }
            }
        }
        return out;
    }

    public static List<Map.Entry<String, String>> labels(List<String> raw) {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        for (String value : raw == null ? List.<String>of() : raw) {
            int colon = value.indexOf(':');
            if (colon <= 0) {
                throw ApiProblem.validation("label", "must be key:value, e.g. team:payments");
            }
            out.add(Map.entry(value.substring(0, colon), value.substring(colon + 1)));
        }
        return out;
    }

    public static ProjectFilter.Sort sort(String raw) {
        if (raw == null || raw.isBlank()) {
            return ProjectFilter.Sort.DEFAULT;
        }
        boolean descending = raw.startsWith("-");
        String field = descending ? raw.substring(1) : raw;
        ProjectFilter.SortField f = switch (field) {
            case "name" -> ProjectFilter.SortField.NAME;
            case "createdAt" -> ProjectFilter.SortField.CREATED_AT;
            case "updatedAt" -> ProjectFilter.SortField.UPDATED_AT;
            default -> throw ApiProblem.validation("sort", "must be name, createdAt or updatedAt, optionally prefixed with '-'");
        };
        return new ProjectFilter.Sort(f, descending);
    }

    public static String query(String raw) {
        if (raw != null && raw.length() > 64) {
            throw ApiProblem.validation("q", "must be at most 64 characters");
        }
        return raw;
    }
}
