package io.migrationplane.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URL;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.networknt.schema.AbsoluteIri;
import com.networknt.schema.Error;
import com.networknt.schema.ExecutionContext;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.DialectId;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.keyword.NonValidationKeyword;

import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The service's OpenAPI 3.1 document as a test oracle: {@link #violations} says whether an HTTP
 * response is one the document describes. Schemas are checked with networknt json-schema-validator
 * (JSON Schema 2020-12, format assertions on, {@code writeOnly} properties refused); the whole document is registered as one schema
 * resource under {@link #BASE_IRI}, so every {@code $ref: '#/components/...'} resolves inside it.
 * Compiled schemas are cached per JSON pointer. Instances are immutable and thread-safe.
 */
public final class OpenApiContract {

    /** Classpath location of the document (src/main/resources/META-INF/openapi.yaml). */
    public static final String RESOURCE = "META-INF/openapi.yaml";

    /** Made-up IRI under which the document (as JSON) is registered; never fetched. */
    static final String BASE_IRI = "https://contract.migrationplane.test/openapi.json";

    /** Only responses to these paths are checked. */
    public static final String CHECKED_PREFIX = "/api/";

    static final String PROBLEM_MEDIA_TYPE = "application/problem+json";
    private static final String PROBLEM_POINTER = "/components/schemas/Problem";
    private static final int MAX_SCHEMA_ERRORS = 20;

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    /** Validating a response: a property marked {@code writeOnly: true} must not be in it. */
    private static final Consumer<ExecutionContext> RESPONSE_MODE = context -> context
            .executionConfig(config -> config.writeOnly(true));

    private static volatile OpenApiContract shared;

    private final JsonNode document;
    private final SchemaRegistry registry;
    private final List<Route> routes;
    private final ConcurrentMap<String, Schema> schemas = new ConcurrentHashMap<>();

    /** The document on the classpath ({@value #RESOURCE}), loaded once per class loader. */
    public static OpenApiContract get() {
        OpenApiContract contract = shared;
        if (contract == null) {
            synchronized (OpenApiContract.class) {
                contract = shared;
                if (contract == null) {
                    contract = new OpenApiContract(readResource());
                    shared = contract;
                }
            }
        }
        return contract;
    }

    /** The document in a file (YAML or JSON). */
    public static OpenApiContract fromFile(Path file) {
        try {
            return new OpenApiContract(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read OpenAPI document " + file, e);
        }
    }

    /** @param yaml the OpenAPI 3.1 document, YAML (or JSON, which is YAML too) */
    public OpenApiContract(String yaml) {
        JsonNode doc;
        try {
            doc = new YAMLMapper().readTree(yaml);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("the OpenAPI document is not valid YAML: " + e.getOriginalMessage(), e);
        }
        if (doc == null || !doc.isObject()) {
            throw new IllegalArgumentException("the OpenAPI document is not a YAML mapping");
        }
        this.document = doc;
        String json = JSON.writeValueAsString(doc);

        // 2020-12 plus the OpenAPI 3.1 keywords that carry no JSON Schema assertion (ignored, no warning);
        // "deprecated", "readOnly", "writeOnly", "examples" are 2020-12 meta-data already.
        Dialect dialect = Dialect.builder(DialectId.OPENAPI_3_1, Dialects.getDraft202012())
                .keywords(List.of(new NonValidationKeyword("example"), new NonValidationKeyword("discriminator"),
                        new NonValidationKeyword("xml"), new NonValidationKeyword("externalDocs")))
                .build();
        SchemaRegistryConfig config = SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build();
        this.registry = SchemaRegistry.withDefaultDialect(dialect, builder -> builder
                .schemaRegistryConfig(config)
                .schemas(Map.of(BASE_IRI, json)));
        this.routes = routes(doc);
    }

    /** True when responses to this path are checked at all (it is under {@value #CHECKED_PREFIX}). */
    public static boolean isChecked(String path) {
        return path != null && path.startsWith(CHECKED_PREFIX);
    }

    /** {@link #violations(String, String, int, String, String, Collection)} without the header check. */
    public List<String> violations(String method, String path, int status, String contentType, String body) {
        return violations(method, path, status, contentType, body, null);
    }

    /**
     * What is wrong with this response, by the document; empty when it is allowed.
     *
     * @param method      HTTP method, any case
     * @param path        request path without query, e.g. /api/v1/projects/6f1c.../start (percent-encoded or not)
     * @param status      response status
     * @param contentType response Content-Type header, may be null
     * @param body        response body, may be null or empty
     * @param headerNames names of the response headers (any case), to check required headers; null: not checked
     */
    public List<String> violations(String method, String path, int status, String contentType, String body,
            Collection<String> headerNames) {
        if (!isChecked(path)) {
            return List.of();
        }
        String text = body == null ? "" : body;
        String verb = method.toLowerCase(Locale.ROOT);
        Operation operation = find(verb, path);
        boolean headRequest = false;
        if (operation == null && "head".equals(verb)) {
            // HEAD is served for every GET; the document need not list it. Same statuses, never a body.
            operation = find("get", path);
            headRequest = operation != null;
        }
        List<String> out = new ArrayList<>();
        if (operation == null) {
            if (status < 400 || status > 499) {
                out.add("status " + status + " is not a 4xx");
            }
            checkProblem(contentType, text, out);
            if (!out.isEmpty()) {
                out.add(0, "no operation " + method.toUpperCase(Locale.ROOT) + " " + path
                        + " in the document, so only a 4xx problem+json is allowed");
            }
            return out;
        }

        JsonNode responses = operation.node.path("responses");
        String key = responseKey(responses, status);
        if (key == null) {
            out.add("status " + status + " is not declared for " + operation.label() + " (declared: "
                    + names(responses) + ")");
            return out;
        }
        String pointer = operation.pointer + "/responses/" + escape(key);
        Ref response = follow(pointer, responses.path(key), out);
        if (response == null) {
            return out;
        }
        checkHeaders(response, headerNames, out);

        if (status == 204 || status == 304 || headRequest) {
            if (!text.isEmpty()) {
                out.add("status " + status + (headRequest ? " to HEAD" : "") + " must have an empty body, got "
                        + text.length() + " chars");
            }
            return out;
        }
        JsonNode content = response.node.get("content");
        if (content == null || !content.isObject() || content.isEmpty()) {
            if (!text.isEmpty()) {
                out.add("response " + key + " of " + operation.label() + " declares no content, but the body has "
                        + text.length() + " chars");
            }
            return out;
        }
        String mediaType = mediaType(contentType);
        if (mediaType == null) {
            out.add("no Content-Type; response " + key + " of " + operation.label() + " declares "
                    + names(content));
            return out;
        }
        String mediaKey = mediaKey(content, mediaType);
        if (mediaKey == null) {
            out.add("Content-Type " + mediaType + " is not declared for response " + key + " of "
                    + operation.label() + " (declared: " + names(content) + ")");
            return out;
        }
        JsonNode media = content.get(mediaKey);
        if (media.has("schema")) {
            String schemaPointer = response.pointer + "/content/" + escape(mediaKey) + "/schema";
            validate(soleRefTarget(schemaPointer, media.get("schema")), mediaType, text, out);
        }
        return out;
    }

    /**
     * The relaxed check for requests that opted out of the contract: an error response (4xx, 5xx)
     * must still be a problem+json body valid against #/components/schemas/Problem (a HEAD response
     * may have no body); anything else passes.
     */
    public List<String> problemViolations(String method, int status, String contentType, String body) {
        String text = body == null ? "" : body;
        if (status < 400 || ("HEAD".equalsIgnoreCase(method) && text.isEmpty())) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        checkProblem(contentType, text, out);
        return out;
    }

    // ---------------------------------------------------------------- responses

    private void checkProblem(String contentType, String body, List<String> out) {
        String mediaType = mediaType(contentType);
        if (!PROBLEM_MEDIA_TYPE.equals(mediaType)) {
            out.add("Content-Type is " + (mediaType == null ? "absent" : mediaType) + ", expected "
                    + PROBLEM_MEDIA_TYPE);
            return;
        }
        if (document.at(PROBLEM_POINTER).isMissingNode()) {
            out.add("the document has no #" + PROBLEM_POINTER);
            return;
        }
        validate(PROBLEM_POINTER, mediaType, body, out);
    }

    private void checkHeaders(Ref response, Collection<String> headerNames, List<String> out) {
        JsonNode headers = response.node.get("headers");
        if (headerNames == null || headers == null || !headers.isObject()) {
            return;
        }
        Set<String> present = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        present.addAll(headerNames);
        for (Map.Entry<String, JsonNode> header : headers.properties()) {
            if ("content-type".equalsIgnoreCase(header.getKey())) {
                continue; // OpenAPI: a Content-Type header definition is ignored
            }
            Ref definition = follow(response.pointer + "/headers/" + escape(header.getKey()), header.getValue(), out);
            if (definition != null && definition.node.path("required").asBoolean(false)
                    && !present.contains(header.getKey())) {
                out.add("required response header " + header.getKey() + " is missing");
            }
        }
    }

    private void validate(String pointer, String mediaType, String body, List<String> out) {
        JsonNode instance;
        if (isJson(mediaType)) {
            if (body.isEmpty()) {
                out.add("the body is empty, expected " + mediaType);
                return;
            }
            try {
                instance = JSON.readTree(body);
            } catch (JacksonException e) {
                out.add("the body is not JSON: " + e.getOriginalMessage());
                return;
            }
        } else {
            instance = JsonNodeFactory.instance.stringNode(body);
        }
        List<Error> errors;
        try {
            errors = schema(pointer).validate(instance, RESPONSE_MODE);
        } catch (RuntimeException e) {
            out.add("schema #" + pointer + " cannot be used: " + e);
            return;
        }
        int shown = 0;
        for (Error error : errors) {
            if (shown++ == MAX_SCHEMA_ERRORS) {
                out.add("... and " + (errors.size() - MAX_SCHEMA_ERRORS) + " more errors against #" + pointer);
                break;
            }
            String at = error.getInstanceLocation() == null ? "" : error.getInstanceLocation().toString();
            out.add("body" + at + ": " + error.getMessage() + " (schema #" + pointer + ")");
        }
    }

    /**
     * A schema that is nothing but a local {@code $ref} is its target: validate against the target's
     * pointer (one compiled schema per component, clearer messages).
     */
    private String soleRefTarget(String pointer, JsonNode schema) {
        for (int hops = 0; hops < 20 && schema != null && schema.isObject() && schema.size() == 1
                && schema.path("$ref").isString() && schema.get("$ref").asString().startsWith("#/")
                && schema.get("$ref").asString().indexOf('%') < 0; hops++) {
            String target = schema.get("$ref").asString().substring(1);
            JsonNode node = document.at(target);
            if (node.isMissingNode()) {
                break; // let the validator report the dangling $ref
            }
            pointer = target;
            schema = node;
        }
        return pointer;
    }

    /** The compiled schema at this JSON pointer of the document, compiled once. */
    Schema schema(String pointer) {
        Schema schema = schemas.get(pointer);
        if (schema == null) {
            SchemaLocation location = new SchemaLocation(AbsoluteIri.of(BASE_IRI));
            for (String token : tokens(pointer)) {
                location = location.append(token);
            }
            schema = registry.getSchema(location);
            schema.initializeValidators(); // compile now (and fail here on a broken $ref), not mid-validation
            Schema raced = schemas.putIfAbsent(pointer, schema);
            if (raced != null) {
                schema = raced;
            }
        }
        return schema;
    }

    private static String responseKey(JsonNode responses, int status) {
        if (!responses.isObject()) {
            return null;
        }
        String exact = String.valueOf(status);
        if (responses.has(exact)) {
            return exact;
        }
        String range = (status / 100) + "XX";
        for (String name : responses.propertyNames()) {
            if (name.equalsIgnoreCase(range)) {
                return name;
            }
        }
        return responses.has("default") ? "default" : null;
    }

    /** The object itself, or what its (chain of) local {@code $ref} points to, with its pointer. */
    private Ref follow(String pointer, JsonNode node, List<String> out) {
        for (int hops = 0; node != null && node.has("$ref"); hops++) {
            String ref = node.get("$ref").asString();
            if (!ref.startsWith("#/") || hops > 20) {
                out.add("cannot follow $ref '" + ref + "' at #" + pointer + " (only local refs are supported)");
                return null;
            }
            pointer = ref.indexOf('%') < 0 ? ref.substring(1)
                    : URLDecoder.decode(ref.substring(1).replace("+", "%2B"), StandardCharsets.UTF_8);
            node = document.at(pointer);
            if (node.isMissingNode()) {
                out.add("$ref '" + ref + "' points nowhere");
                return null;
            }
        }
        return new Ref(pointer, node);
    }

    // ---------------------------------------------------------------- media types

    /** "Application/JSON; charset=UTF-8" -> "application/json"; blank -> null. */
    static String mediaType(String contentType) {
        if (contentType == null) {
            return null;
        }
        int semicolon = contentType.indexOf(';');
        String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim()
                .toLowerCase(Locale.ROOT);
        return type.isEmpty() ? null : type;
    }

    /** The declared media-type key that covers this media type: exact, then type/*, then *&#47;*. */
    private static String mediaKey(JsonNode content, String mediaType) {
        String wildcard = null;
        String any = null;
        String family = mediaType.substring(0, mediaType.indexOf('/') + 1) + "*";
        for (String key : content.propertyNames()) {
            String declared = mediaType(key);
            if (mediaType.equals(declared)) {
                return key;
            } else if (family.equals(declared)) {
                wildcard = key;
            } else if ("*/*".equals(declared)) {
                any = key;
            }
        }
        return wildcard != null ? wildcard : any;
    }

    private static boolean isJson(String mediaType) {
        return mediaType.equals("application/json") || mediaType.endsWith("+json");
    }

    // ---------------------------------------------------------------- routing

    private record Ref(String pointer, JsonNode node) {
    }

    private record Operation(String method, String template, String pointer, JsonNode node) {
        String label() {
            return method.toUpperCase(Locale.ROOT) + " " + template;
        }
    }

    /** One path of the document: its segments, each a literal or a pattern (a segment with {templates}). */
    private record Route(String template, String pointer, JsonNode item, Object[] segments) {

        boolean matches(String[] actual) {
            if (actual.length != segments.length) {
                return false;
            }
            for (int i = 0; i < actual.length; i++) {
                Object segment = segments[i];
                if (segment instanceof Pattern pattern ? !pattern.matcher(actual[i]).matches()
                        : !segment.equals(actual[i])) {
                    return false;
                }
            }
            return true;
        }

        /** Negative when this route is more specific: a literal segment beats a template, leftmost first. */
        int compareSpecificity(Route other) {
            for (int i = 0; i < segments.length; i++) {
                boolean literal = segments[i] instanceof String;
                boolean otherLiteral = other.segments[i] instanceof String;
                if (literal != otherLiteral) {
                    return literal ? -1 : 1;
                }
            }
            return 0;
        }
    }

    private Operation find(String method, String path) {
        String[] actual = split(path);
        Route best = null;
        for (Route route : routes) {
            if (route.matches(actual) && (best == null || route.compareSpecificity(best) < 0)) {
                best = route;
            }
        }
        if (best == null) {
            return null;
        }
        JsonNode item = best.item;
        String pointer = best.pointer;
        if (item.has("$ref")) {
            Ref ref = follow(pointer, item, new ArrayList<>());
            if (ref == null) {
                return null;
            }
            item = ref.node;
            pointer = ref.pointer;
        }
        JsonNode operation = item.get(method);
        return operation == null || !operation.isObject() ? null
                : new Operation(method, best.template, pointer + "/" + method, operation);
    }

    private static List<Route> routes(JsonNode doc) {
        String prefix = serverPrefix(doc);
        List<Route> routes = new ArrayList<>();
        JsonNode paths = doc.path("paths");
        for (Map.Entry<String, JsonNode> entry : paths.properties()) {
            String template = entry.getKey();
            String[] parts = split(prefix + template);
            Object[] segments = new Object[parts.length];
            for (int i = 0; i < parts.length; i++) {
                segments[i] = parts[i].contains("{") ? segmentPattern(parts[i]) : parts[i];
            }
            routes.add(new Route(template, "/paths/" + escape(template), entry.getValue(), segments));
        }
        return Collections.unmodifiableList(routes);
    }

    /** The path of the first server URL ("" for "/", none, or a URL without a path). */
    private static String serverPrefix(JsonNode doc) {
        JsonNode url = doc.path("servers").path(0).path("url");
        if (!url.isString()) {
            return "";
        }
        String path;
        try {
            path = URI.create(url.asString()).getPath();
        } catch (IllegalArgumentException e) {
            return "";
        }
        if (path == null) {
            return "";
        }
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return path;
    }

    private static final Pattern TEMPLATE = Pattern.compile("\\{[^}/]+}");

    private static Pattern segmentPattern(String segment) {
        StringBuilder regex = new StringBuilder();
        Matcher matcher = TEMPLATE.matcher(segment);
        int last = 0;
        while (matcher.find()) {
            regex.append(Pattern.quote(segment.substring(last, matcher.start()))).append("[^/]+");
            last = matcher.end();
        }
        regex.append(Pattern.quote(segment.substring(last)));
        return Pattern.compile(regex.toString());
    }

    /** "/api/v1/x%20y/" -> ["", "api", "v1", "x y", ""]: a trailing slash is a segment of its own. */
    private static String[] split(String path) {
        String[] parts = path.split("/", -1);
        for (int i = 0; i < parts.length; i++) {
            if (parts[i].indexOf('%') >= 0) {
                try {
                    parts[i] = URLDecoder.decode(parts[i].replace("+", "%2B"), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    // not valid percent-encoding: compare as it came
                }
            }
        }
        return parts;
    }

    // ---------------------------------------------------------------- helpers

    /** One JSON-pointer reference token. */
    static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }

    private static List<String> tokens(String pointer) {
        List<String> tokens = new ArrayList<>();
        for (String token : pointer.substring(1).split("/", -1)) {
            tokens.add(token.replace("~1", "/").replace("~0", "~"));
        }
        return tokens;
    }

    private static String names(JsonNode node) {
        return node.isObject() ? String.join(", ", node.propertyNames()) : "none";
    }

    private static String readResource() {
        URL url = resource(OpenApiContract.class.getClassLoader());
        if (url == null) {
            url = resource(Thread.currentThread().getContextClassLoader());
        }
        if (url == null) {
            throw new IllegalStateException(RESOURCE + " is not on the test classpath");
        }
        try (InputStream in = url.openStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + url, e);
        }
    }

    /** The project's own copy (a directory on the class path) before any a jar might carry. */
    private static URL resource(ClassLoader loader) {
        if (loader == null) {
            return null;
        }
        try {
            URL first = null;
            for (Enumeration<URL> urls = loader.getResources(RESOURCE); urls.hasMoreElements();) {
                URL url = urls.nextElement();
                if ("file".equals(url.getProtocol())) {
                    return url;
                }
                if (first == null) {
                    first = url;
                }
            }
            return first;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot look up " + RESOURCE, e);
        }
    }

    @Override
    public String toString() {
        return "OpenApiContract[" + routes.size() + " paths]";
    }
}
