package io.migrationplane.error;

import java.util.List;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;

/** What a JSON body that cannot be read means for the client: a 400 naming the field and what is wrong with it. */
public final class JsonProblems {

    /** How Jackson's strict duplicate detection starts its message (the key follows, quoted). */
    private static final String DUPLICATE_FIELD = "Duplicate field '";

    /** A string that holds U+0000 or an unpaired surrogate: refused as VALIDATION_FAILED on its field. */
    public static final class BadText extends JsonMappingException {
        public BadText(JsonParser p, String message) {
            super(p, message);
        }
    }

    private JsonProblems() {
    }

    public static ApiProblem fromJackson(JsonProcessingException e) {
        String field = e instanceof JsonMappingException mapping ? path(mapping.getPath()) : "";
        if (e instanceof UnrecognizedPropertyException unknown) {
            String name = field.isEmpty() ? unknown.getPropertyName() : field;
            return ApiProblem.validation(name, "unknown field");
        }
        if (e instanceof ValueInstantiationException inst && inst.getCause() instanceof ApiProblem problem) {
            return problem;
        }
        if (e instanceof BadText) {
            return ApiProblem.validation(field.isEmpty() ? "body" : field, e.getOriginalMessage());
        }
        String what;
        String original = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        if (original.startsWith(DUPLICATE_FIELD)) {
            int end = original.indexOf('\'', DUPLICATE_FIELD.length());
            String key = end > 0 ? original.substring(DUPLICATE_FIELD.length(), end) : "?";
            field = field.isEmpty() ? key : field + "." + key;
            what = "the key is given more than once";
        } else if (e instanceof InvalidFormatException invalid) {
            Class<?> target = invalid.getTargetType();
            if (target != null && target.isEnum()) {
                what = "'" + invalid.getValue() + "' is not one of " + List.of(target.getEnumConstants());
            } else {
                what = "'" + invalid.getValue() + "' is not a valid " + simpleType(target);
            }
        } else if (e instanceof MismatchedInputException mismatch) {
            what = "expected " + simpleType(mismatch.getTargetType()) + received(mismatch);
        } else {
            what = "the body is not valid JSON (" + e.getOriginalMessage() + ")";
        }
        String detail = field.isEmpty() ? what : field + ": " + what;
        ApiProblem problem = ApiProblem.malformed(detail);
        if (!field.isEmpty()) {
            problem.with("errors", List.of(new ApiProblem.FieldError(field, what)));
        }
        return problem;
    }

    /** Which JSON type came instead, when the parser still knows it. */
    private static String received(MismatchedInputException e) {
        if (!(e.getProcessor() instanceof JsonParser p) || p.currentToken() == null) {
            return "";
        }
        return switch (p.currentToken()) {
            case VALUE_STRING -> ", got a string";
            case VALUE_NUMBER_INT -> ", got an integer";
            case VALUE_NUMBER_FLOAT -> ", got a decimal number";
            case VALUE_TRUE, VALUE_FALSE -> ", got a boolean";
            case VALUE_NULL -> ", got null";
            case START_OBJECT, FIELD_NAME -> ", got an object";
            case START_ARRAY -> ", got an array";
            default -> "";
        };
    }

    private static String simpleType(Class<?> type) {
        if (type == null) {
            return "value";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "integer";
        }
        if (Number.class.isAssignableFrom(type) || type.isPrimitive()) {
            return "number";
        }
        if (type == String.class) {
            return "string";
        }
        if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "array";
        }
        if (type == java.util.UUID.class) {
            return "UUID";
        }
        if (type.isEnum()) {
            return "one of " + List.of(type.getEnumConstants());
        }
        return "object";
    }

    private static String path(List<JsonMappingException.Reference> refs) {
        return refs.stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."))
                .replace(".[", "[");
    }

}
