package io.migrationplane;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.migrationplane.testing.Api;
import io.migrationplane.testing.PostgresResource;
import io.migrationplane.testing.Sql;
import io.migrationplane.testing.TestDatabase;
import io.migrationplane.testing.Tokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.config.EncoderConfig;
import io.restassured.filter.Filter;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;

/**
 * A fuzz test derived from the OpenAPI document itself: for every operation in
 * {@code src/main/resources/META-INF/openapi.yaml} it sends bad path parameters, bad values of the
 * query parameters and headers the operation declares, general bad headers (Content-Type, Accept),
 * and, for operations with a request body, a valid body (built from the document's examples) with
 * one property at a time replaced by a wrong value, found by walking the request schema through its
 * {@code $ref}s. Project-scoped operations run against real projects in several statuses.
 * <p>
 * Rules for every response: never a 5xx; every status >= 400 is {@code application/problem+json}
 * with a {@code code} from {@code ProblemCode} and a {@code status} equal to the HTTP status; an
 * error changed nothing in the database (a fingerprint of every application table, minus what
 * workers legitimately move). A request that is valid by accident may succeed (then the fingerprint
 * is taken again). Where the document is explicit about a mutation (a wrong JSON type or a key given
 * twice: 400 MALFORMED_REQUEST; a NUL in a string field or query parameter: 400 VALIDATION_FAILED; a
 * body without Content-Type: 415; a request line over the stated limit: 414; Accept: application/problem+json,
 * application/json or *&#47;*: never 406) the status and code are checked too, and reported apart.
 * Every failure is collected and reported at the end in one assertion, with the number of requests
 * per operation and the mutations that were accepted. No randomness (beyond unique project names).
 * <p>
 * Header values with octets outside visible ASCII, bodies without Content-Type, odd Content-Types and
 * undecodable URLs go out byte for byte over a socket; everything else goes through REST Assured
 * (and so through the suites' filters), with {@value #UNCHECKED} on requests outside the document.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class ContractFuzzTest {

    private static final Path DOCUMENT = Path.of("src", "main", "resources", "META-INF", "openapi.yaml");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String PROBLEM_JSON = "application/problem+json";
    /** Requests deliberately outside the document carry this; the contract filter drops it and skips them. */
    private static final String UNCHECKED = "X-Test-Unchecked";
    /** Statuses that the test can bring projects into through the API, in order of preference. */
    private static final List<String> STATUSES = List.of("NOT_STARTED", "RUNNING", "PAUSED", "RELEASED");
    private static final List<String> METHODS = List.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

    /** Markers replaced in the serialized body: JSON text Jackson would not write. */
    private static final String LONE_SURROGATE = "@@LONE-SURROGATE@@";
    private static final String BAD_UTF8 = "@@BAD-UTF8@@";
    private static final String UNICODE = "\uD83D\uDE00 \u202Eevil\u202C e\u0301\u0301\u0301 \u4E2D\u6587 \u0627\u0644\u0639\u0631\u0628\u064A\u0629 \u200B";
    private static final BigInteger HUGE = new BigInteger("99999999999999999999");

    private static final Expect WRONG_TYPE = new Expect("a wrong JSON type in the body is 400 MALFORMED_REQUEST", 400, "MALFORMED_REQUEST", false);
    private static final Expect DUPLICATE_KEY = new Expect("a key given twice is 400 MALFORMED_REQUEST", 400, "MALFORMED_REQUEST", false);
    private static final Expect NUL_IN_BODY = new Expect("a NUL in a string field is 400 VALIDATION_FAILED", 400, "VALIDATION_FAILED", false);
    private static final Expect NUL_IN_QUERY = new Expect("a NUL in a query parameter is 400 VALIDATION_FAILED", 400, "VALIDATION_FAILED", false);
    private static final Expect NO_CONTENT_TYPE = new Expect("a request body without Content-Type is 415 UNSUPPORTED_MEDIA_TYPE", 415, "UNSUPPORTED_MEDIA_TYPE", false);
    private static final Expect ACCEPTABLE = new Expect("Accept: application/problem+json, application/json or */* is fine on every operation (never 406)", 406, null, true);

    // ------------------------------------------------------------------------------------ model

    record Param(String name, String in, boolean required, JsonNode schema, JsonNode example) {
    }

    record Op(String id, String method, String path, String summary, List<Param> params, String bodyMediaType,
            JsonNode bodySchema, JsonNode bodyExample) {
        boolean projectScoped() {
            return path.contains("{id}");
        }

        String label() {
            return id + " " + method + " " + path;
        }
    }

    record Target(String id, String name, String status) {
    }

    /** What the document says about one mutation's answer; {@code forbidden}: the status must NOT be this one. */
    record Expect(String rule, int status, String code, boolean forbidden) {
        boolean met(int actualStatus, String actualCode) {
            return forbidden ? actualStatus != status : actualStatus == status && Objects.equals(code, actualCode);
        }

        String wanted() {
            return forbidden ? "anything but " + status : status + " " + code;
        }
    }

    record Case(Op op, String kind, String mutation, String status, Function<Target, Req> build, Expect expect) {
    }

    /** Shape of a schema: the non-null schema it resolves to, its JSON types (null removed), whether null is allowed. */
    record Shape(JsonNode schema, Set<String> types, boolean nullable, String ref) {
        boolean is(String type) {
            return types.contains(type) || ("number".equals(type) && types.contains("integer"));
        }

        boolean isEnum() {
            return schema.has("enum");
        }

        boolean plainString() {
            return types.contains("string") && !schema.has("enum") && !schema.has("format");
        }
    }

    /** One body mutation: replace the value at {@code path} with {@code value.apply(current)}. */
    record Mut(String label, Expect expect, Function<JsonNode, JsonNode> value) {
    }

    static final class Req {
        final String method;
        String path;
        final List<String> query = new ArrayList<>();
        /** Values are byte strings (each char one byte, ISO-8859-1), so that raw requests can carry any octet. */
        final Map<String, String> headers = new LinkedHashMap<>();
        String contentType;
        byte[] body;
        boolean raw;
        boolean unchecked;

        Req(String method, String path) {
            this.method = method;
            this.path = path;
        }

        String target() {
            return path + (query.isEmpty() ? "" : "?" + String.join("&", query));
        }

        void setQuery(String name, String encodedValue) {
            query.removeIf(q -> q.startsWith(name + "="));
            if (encodedValue != null) {
                query.add(name + "=" + encodedValue);
            }
        }
    }

    record Result(int status, String contentType, String body, String contractViolation, String error) {
    }

    record Failure(String rule, Op op, Case c, Req req, Result res, String code, String detail) {
        String line() {
            String body = res == null || res.body() == null ? "" : res.body().replaceAll("\\s+", " ");
            return req.method + " " + shorten(req.target(), 140) + "  [" + c.kind() + ": " + c.mutation() + "]"
                    + (c.status() == null ? "" : " on " + c.status()) + " -> "
                    + (res == null ? "no response" : res.status() + " " + Objects.toString(code, "-"))
                    + (detail == null ? "" : "  (" + detail + ")") + "  body: " + shorten(body, 220);
        }
    }

    // ------------------------------------------------------------------------------------ state

    private JsonNode doc;
    private Set<String> problemCodes;
    private String exampleProjectId;
    private String exampleProjectName;
    private JsonNode createExample;
    /** The request-line limit the document states ("request line (URL) 4 KB (414)"), in bytes; 0: none stated. */
    private int requestLineLimit;
    private Expect uriTooLong;
    private Connection db;
    private String[] foreign;
    private String[] fingerprint;
    private boolean fingerprintStale = true;
    private final Map<String, Target> targets = new HashMap<>();
    private final Map<String, int[]> counts = new LinkedHashMap<>();
    private final List<Failure> failures = new ArrayList<>();
    private int projectsCreated;
    private long sendNanos;
    private long rawSends;
    private long exchangeNanos;
    private final Map<String, Long> opNanos = new HashMap<>();
    private final List<Map.Entry<Long, String>> slowest = new ArrayList<>();
    private long fingerprintNanos;
    private long setupNanos;
    private int expectationsChecked;
    private final Map<String, List<String>> accepted = new LinkedHashMap<>();

    @Test
    void everyOperationAnswersBadRequestsWithAProblemAndChangesNothing() throws Exception {
        doc = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(DOCUMENT, StandardCharsets.UTF_8));
        problemCodes = new LinkedHashSet<>();
        resolve(doc.at("/components/schemas/ProblemCode")).path("enum").forEach(c -> problemCodes.add(c.asText()));
        assertFalse(problemCodes.isEmpty(), "the document has no #/components/schemas/ProblemCode enum");
        exampleProjectId = resolve(doc.at("/components/parameters/ProjectId")).path("example").asText(null);
        createExample = resolve(doc.at("/components/examples/Create")).path("value");
        exampleProjectName = createExample.path("name").asText(null);
        java.util.regex.Matcher limit = Pattern.compile("(?i)request line\\D{0,40}?(\\d+)\\s*(Ki?B)")
                .matcher(doc.path("info").path("description").asText(""));
        if (limit.find()) {
            requestLineLimit = Integer.parseInt(limit.group(1)) * 1024;
            uriTooLong = new Expect("a request line over " + limit.group(1) + " " + limit.group(2) + " is 414 URI_TOO_LONG",
                    414, "URI_TOO_LONG", false);
        }

        List<Op> ops = operations();
        assertFalse(ops.isEmpty(), "no operations in " + DOCUMENT);
        List<Case> cases = new ArrayList<>();
        for (Op op : ops) {
            counts.put(op.label(), new int[5]);
            cases.addAll(cases(op));
        }

        long started = System.nanoTime();
        try (Connection connection = TestDatabase.get().connect()) {
            db = connection;
            foreign = Sql.rows(db, "select id::text as id from project").stream().map(r -> (String) r.get("id"))
                    .toArray(String[]::new);
            for (Case c : cases) {
                run(c);
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        String summary = summary(ops, cases.size(), seconds);
        System.out.println(summary);
        for (Op op : ops) {
            assertTrue(counts.get(op.label())[0] >= 6, "too few requests for " + op.label());
        }
        if (!failures.isEmpty()) {
            String report = report();
            System.out.println(report);
            fail(report + "\n" + summary);
        }
    }

    // ------------------------------------------------------------------------------------ the document

    private JsonNode resolve(JsonNode node) {
        int hops = 0;
        while (node != null && node.has("$ref")) {
            String ref = node.get("$ref").asText();
            if (!ref.startsWith("#") || ++hops > 20) {
                throw new IllegalStateException("cannot follow $ref " + ref);
            }
            node = doc.at(JsonPointer.compile(ref.substring(1)));
            if (node.isMissingNode()) {
                throw new IllegalStateException("dangling $ref " + ref);
            }
        }
        return node;
    }

    private String refOf(JsonNode node) {
        return node != null && node.has("$ref") ? node.get("$ref").asText() : null;
    }

    private List<Op> operations() {
        List<Op> ops = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = doc.path("paths").fields(); paths.hasNext();) {
            Map.Entry<String, JsonNode> path = paths.next();
            JsonNode item = resolve(path.getValue());
            for (String method : METHODS) {
                JsonNode operation = item.get(method);
                if (operation == null) {
                    continue;
                }
                Map<String, Param> params = new LinkedHashMap<>();
                for (JsonNode source : List.of(item.path("parameters"), operation.path("parameters"))) {
                    for (JsonNode p : source) {
                        JsonNode r = resolve(p);
                        Param param = new Param(r.path("name").asText(), r.path("in").asText(), r.path("required").asBoolean(),
                                r.path("schema"), r.get("example"));
                        params.put(param.in() + ":" + param.name().toLowerCase(Locale.ROOT), param);
                    }
                }
                String mediaType = null;
                JsonNode schema = null;
                JsonNode example = null;
                JsonNode body = resolve(operation.get("requestBody"));
                if (body != null) {
                    Iterator<Map.Entry<String, JsonNode>> content = body.path("content").fields();
                    if (content.hasNext()) {
                        Map.Entry<String, JsonNode> media = content.next();
                        mediaType = media.getKey();
                        schema = media.getValue().path("schema");
                        Iterator<JsonNode> examples = media.getValue().path("examples").elements();
                        if (examples.hasNext()) {
                            example = resolve(examples.next()).path("value");
                        } else if (media.getValue().has("example")) {
                            example = media.getValue().get("example");
                        }
                    }
                }
                ops.add(new Op(operation.path("operationId").asText(method + " " + path.getKey()), method.toUpperCase(Locale.ROOT),
                        path.getKey(), operation.path("summary").asText(""), List.copyOf(params.values()), mediaType, schema, example));
            }
        }
        return ops;
    }

    private Shape shape(JsonNode raw) {
        String ref = refOf(raw);
        JsonNode s = resolve(raw);
        if (s == null || s.isMissingNode()) {
            return new Shape(NODES.objectNode(), Set.of(), true, ref);
        }
        boolean nullable = false;
        for (String combinator : List.of("oneOf", "anyOf")) {
            if (s.has(combinator)) {
                JsonNode primary = null;
                for (JsonNode branch : s.get(combinator)) {
                    JsonNode b = resolve(branch);
                    if ("null".equals(b.path("type").asText())) {
                        nullable = true;
                    } else if (primary == null) {
                        primary = branch;
                    }
                }
                if (primary != null) {
                    Shape inner = shape(primary);
                    return new Shape(inner.schema(), inner.types(), nullable || inner.nullable(), inner.ref() != null ? inner.ref() : ref);
                }
            }
        }
        Set<String> types = new LinkedHashSet<>();
        JsonNode type = s.get("type");
        if (type != null && type.isTextual()) {
            types.add(type.asText());
        } else if (type != null && type.isArray()) {
            type.forEach(t -> types.add(t.asText()));
        }
        if (types.remove("null")) {
            nullable = true;
        }
        if (types.isEmpty()) {
            if (s.has("enum")) {
                types.add("string");
            } else if (s.has("properties") || s.has("additionalProperties")) {
                types.add("object");
            } else if (s.has("items")) {
                types.add("array");
            }
        }
        return new Shape(s, types, nullable, ref);
    }

    /** A value the schema accepts, for properties no example gives. */
    private JsonNode sample(JsonNode raw) {
        Shape sh = shape(raw);
        JsonNode s = sh.schema();
        for (String key : List.of("example", "default", "const")) {
            if (s.has(key)) {
                return s.get(key).deepCopy();
            }
        }
        if (s.path("examples").isArray() && s.path("examples").size() > 0) {
            return s.path("examples").get(0).deepCopy();
        }
        if (s.path("enum").size() > 0) {
            return s.path("enum").get(0).deepCopy();
        }
        if (sh.types().contains("string")) {
            if ("uuid".equals(s.path("format").asText())) {
                return NODES.textNode(UUID.nameUUIDFromBytes("fuzz".getBytes(StandardCharsets.UTF_8)).toString());
            }
            return NODES.textNode("x".repeat(Math.max(1, s.path("minLength").asInt(1))));
        }
        if (sh.types().contains("integer") || sh.types().contains("number")) {
            return NODES.numberNode(s.has("minimum") ? s.get("minimum").asLong() : 1L);
        }
        if (sh.types().contains("boolean")) {
            return NODES.booleanNode(true);
        }
        if (sh.types().contains("array")) {
            ArrayNode array = NODES.arrayNode();
            if (s.has("items")) {
                array.add(sample(s.get("items")));
            }
            return array;
        }
        if (sh.types().contains("object")) {
            ObjectNode object = NODES.objectNode();
            for (JsonNode required : s.path("required")) {
                object.set(required.asText(), sample(s.path("properties").path(required.asText())));
            }
            return object;
        }
        return NODES.nullNode();
    }

    // ------------------------------------------------------------------------------------ valid requests

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** The byte string (ISO-8859-1 chars) of a text's UTF-8 encoding, for raw header values. */
    private static String utf8Bytes(String text) {
        return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    /** A valid value of a parameter for this target. */
    private String validValue(Param p, Target t) {
        if ("confirmName".equals(p.name()) && t != null) {
            return t.name();
        }
        if (p.example() != null) {
            JsonNode e = p.example().isArray() && p.example().size() > 0 ? p.example().get(0) : p.example();
            if (!e.isContainerNode()) {
                return e.asText();
            }
        }
        Shape sh = shape(p.schema());
        JsonNode v = sh.types().contains("array") ? sample(sh.schema().path("items")) : sample(p.schema());
        return v.asText();
    }

    /** The operation's example body, made valid for this target: fresh names, the target's id and name. */
    private JsonNode exampleBody(Op op, Target t) {
        JsonNode body = op.bodyExample() != null ? op.bodyExample().deepCopy() : sample(op.bodySchema());
        body = retarget(body, t);
        if (body instanceof ObjectNode object && object.has("name") && object.get("name").isTextual()) {
            object.put("name", Api.uniqueName("fuzz"));
        }
        return body;
    }

    private JsonNode retarget(JsonNode node, Target t) {
        if (t == null) {
            return node;
        }
        if (node.isTextual()) {
            String text = node.asText();
            if (text.equals(exampleProjectId)) {
                return NODES.textNode(t.id());
            }
            if (text.equals(exampleProjectName)) {
                return NODES.textNode(t.name());
            }
            return node;
        }
        if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                array.set(i, retarget(array.get(i), t));
            }
        } else if (node instanceof ObjectNode object) {
            ObjectNode copy = NODES.objectNode();
            object.fields().forEachRemaining(e -> copy.set(e.getKey().equals(exampleProjectId) ? t.id() : e.getKey(),
                    retarget(e.getValue(), t)));
            return copy;
        }
        return node;
    }

    /**
     * The body for the body mutations: the example, with every property of the schema present (missing
     * ones from the Create example at the same place, else sampled from the schema), so that the walk
     * reaches every property at every depth.
     */
    private JsonNode completeBody(Op op, Target t) {
        JsonNode body = exampleBody(op, t);
        complete(body, op.bodySchema(), createExample, 0);
        return body;
    }

    private void complete(JsonNode value, JsonNode schema, JsonNode fallback, int depth) {
        Shape sh = shape(schema);
        if (depth > 10 || value == null) {
            return;
        }
        if (value instanceof ObjectNode object) {
            for (Iterator<Map.Entry<String, JsonNode>> props = sh.schema().path("properties").fields(); props.hasNext();) {
                Map.Entry<String, JsonNode> prop = props.next();
                JsonNode fb = fallback == null ? null : fallback.get(prop.getKey());
                if (!object.has(prop.getKey())) {
                    object.set(prop.getKey(), fb != null && !fb.isNull() ? retarget(fb.deepCopy(), null) : sample(prop.getValue()));
                    if ("name".equals(prop.getKey()) && depth == 0 && object.get("name").isTextual()) {
                        object.put("name", Api.uniqueName("fuzz"));
                    }
                }
                complete(object.get(prop.getKey()), prop.getValue(), fb, depth + 1);
            }
        } else if (value instanceof ArrayNode array && array.size() > 0 && sh.schema().has("items")) {
            complete(array.get(0), sh.schema().get("items"), fallback != null && fallback.isArray() ? fallback.get(0) : null, depth + 1);
        }
    }

    private static byte[] bytes(JsonNode body) {
        try {
            String text = JSON.writeValueAsString(body).replace(LONE_SURROGATE, "\\ud800x");
            byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
            return replace(utf8, BAD_UTF8.getBytes(StandardCharsets.UTF_8), new byte[] { 'a', (byte) 0xC3, (byte) 0x28, (byte) 0xFF, 'z' });
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] replace(byte[] in, byte[] what, byte[] with) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
        for (int i = 0; i < in.length; i++) {
            if (i + what.length <= in.length && Arrays.equals(in, i, i + what.length, what, 0, what.length)) {
                out.write(with, 0, with.length);
                i += what.length - 1;
            } else {
                out.write(in[i]);
            }
        }
        return out.toByteArray();
    }

    /** A valid request of the operation on this target. */

    /** The operation's request (its valid body, or "{}") sent raw with this Content-Type, or none. */
    private Case bodyTyped(Op op, String mutation, String contentType, String status, Expect expect) {
        return new Case(op, "general", mutation, status, t -> {
            Req r = base(op, t, null);
            r.contentType = contentType;
            r.body = r.body != null ? r.body : "{}".getBytes(StandardCharsets.UTF_8);
            r.raw = true;
            r.unchecked = true;
            return r;
        }, expect);
    }
    private Req base(Op op, Target t, JsonNode body) {
        Req r = new Req(op.method(), op.path().replace("{id}", t == null ? "" : t.id()));
        for (Param p : op.params()) {
            if (p.required() && "query".equals(p.in())) {
                r.setQuery(p.name(), enc(validValue(p, t)));
            }
        }
        if (op.bodySchema() != null) {
            r.contentType = op.bodyMediaType();
            r.body = bytes(body != null ? body : exampleBody(op, t));
        }
        return r;
    }

    // ------------------------------------------------------------------------------------ cases

    /** Statuses to run a project-scoped operation in: those its summary names first (twice), then the rest. */
    private List<String> statusesFor(Op op) {
        if (!op.projectScoped() && !"batchProjects".equals(op.id())) {
            return java.util.Collections.singletonList(null);
        }
        List<String> named = new ArrayList<>();
        for (String s : STATUSES) {
            if (Pattern.compile("\\b" + s + "\\b").matcher(op.summary()).find()) {
                named.add(s);
            }
        }
        if ("batchProjects".equals(op.id())) {
            return List.of("NOT_STARTED");
        }
        List<String> out = new ArrayList<>(named);
        out.addAll(named);
        for (String s : STATUSES) {
            if (!named.contains(s)) {
                out.add(s);
            }
        }
        return out;
    }

    private List<Case> cases(Op op) {
        List<Case> out = new ArrayList<>();
        List<String> statuses = statusesFor(op);
        String primary = statuses.get(0);
        int[] n = { 0 };
        java.util.function.Supplier<String> next = () -> statuses.get(n[0]++ % statuses.size());

        // --- path parameters
        for (Param p : op.params()) {
            if (!"path".equals(p.in())) {
                continue;
            }
            String uuid = "3f2b8c4e-1d2a-4b5c-9e8f-7a6b5c4d3e2f";
            List<String[]> values = List.of(
                    new String[] { "empty", "" },
                    new String[] { "too short", uuid.substring(0, 35) },
                    new String[] { "too long", uuid + "0" },
                    new String[] { "non-hex", uuid.replaceAll("[0-9a-f]", "g") },
                    new String[] { "NUL", "%00" },
                    new String[] { "uuid+NUL", uuid + "%00" },
                    new String[] { "unicode", enc("\u202E" + uuid + "\uD83D\uDE00") },
                    new String[] { "dot-dot", ".." },
                    new String[] { "encoded slash", "a%2Fb" },
                    new String[] { "bad percent-encoding", "%zz" },
                    new String[] { "5000 chars", "f".repeat(5000) },
                    new String[] { "valid unknown uuid", UUID.nameUUIDFromBytes(op.label().getBytes(StandardCharsets.UTF_8)).toString() });
            for (String[] v : values) {
                out.add(new Case(op, "path", p.name() + "=" + v[0], next.get(), t -> {
                    Req r = base(op, t, null);
                    r.path = op.path().replace("{" + p.name() + "}", v[1]);
                    r.raw = v[1].contains("..") || v[1].contains("%zz");
                    // an empty segment, "..", or an encoded slash leaves the document's path templates
                    r.unchecked = v[1].isEmpty() || v[1].contains("..") || v[1].contains("%2F");
                    return r;
                }, null));
            }
        }

        // --- query parameters
        for (Param p : op.params()) {
            if (!"query".equals(p.in())) {
                continue;
            }
            for (QueryValue v : queryValues(p)) {
                out.add(new Case(op, "query", p.name() + " " + v.label(), next.get(), t -> {
                    Req r = base(op, t, null);
                    if (v.full() != null) {
                        r.setQuery(p.name(), null);
                        r.query.add(v.full().replace("{valid}", enc(validValue(p, t))));
                    } else {
                        r.setQuery(p.name(), v.encoded() == null ? null : v.encoded().replace("{valid}", enc(validValue(p, t))));
                    }
                    r.raw = v.raw();
                    return r;
                }, v.expect()));
            }
        }

        // --- header parameters
        for (Param p : op.params()) {
            if (!"header".equals(p.in())) {
                continue;
            }
            for (String[] v : headerValues(p)) {
                out.add(new Case(op, "header", p.name() + ": " + v[0], next.get(), t -> {
                    Req r = base(op, t, null);
                    r.headers.put(p.name(), v[1]);
                    r.raw = v[1].isEmpty() || !v[1].chars().allMatch(c -> c >= 0x21 && c <= 0x7e);
                    return r;
                }, null));
            }
        }

        // --- general bad headers
        boolean hasBody = op.bodySchema() != null;
        out.add(bodyTyped(op, "Content-Type: text/plain", "text/plain", next.get(), null));
        out.add(bodyTyped(op, "body without Content-Type", null, next.get(), hasBody ? NO_CONTENT_TYPE : null));
        out.add(bodyTyped(op, "Content-Type: application/json; charset=latin1", "application/json; charset=latin1", next.get(), null));
        for (String accept : List.of("text/html", "application/problem+json", "*/*", "application/json")) {
            out.add(new Case(op, "general", "Accept: " + accept, next.get(), t -> {
                Req r = base(op, t, null);
                r.headers.put("Accept", accept);
                return r;
            }, accept.equals("text/html") ? null : ACCEPTABLE));
        }

        // --- request bodies
        if (hasBody) {
            out.addAll(bodyCases(op, primary));
        }
        return out;
    }

    record QueryValue(String label, String encoded, String full, boolean raw, Expect expect) {
    }

    private List<QueryValue> queryValues(Param p) {
        Shape sh = shape(p.schema());
        boolean array = sh.types().contains("array");
        Shape item = array ? shape(sh.schema().path("items")) : sh;
        JsonNode s = item.schema();
        Expect nul = item.plainString() ? NUL_IN_QUERY : null;
        Map<String, QueryValue> values = new LinkedHashMap<>();
        java.util.function.BiConsumer<String, String> add = (label, value) -> values.putIfAbsent(value,
                new QueryValue(label, value, null, false, null));
        if (p.required()) {
            values.put("<omitted>", new QueryValue("omitted", null, null, false, null));
        }
        values.put("%00", new QueryValue("NUL", "%00", null, false, nul));
        values.put("{valid}%00", new QueryValue("valid+NUL", "{valid}%00", null, false, nul));
        add.accept("10k chars", "x".repeat(10_000));
        add.accept("unicode", enc(UNICODE));
        add.accept("empty", "");
        values.put("%zz", new QueryValue("bad percent-encoding", "%zz", null, true, null));
        add.accept("invalid UTF-8", "%C3%28%FF");
        if (item.is("integer") || item.is("number")) {
            add.accept("letters", "abc");
            add.accept("decimal", "1.5");
            add.accept("negative", "-1");
            add.accept("huge", HUGE.toString());
            add.accept("arabic-indic digits", enc("\u0661\u0662"));
            if (s.has("minimum")) {
                add.accept("below minimum", s.get("minimum").bigIntegerValue().subtract(BigInteger.ONE).toString());
            }
            if (s.has("maximum")) {
                add.accept("above maximum", s.get("maximum").bigIntegerValue().add(BigInteger.ONE).toString());
            }
        }
        if (item.isEnum()) {
            String first = s.get("enum").get(0).asText();
            add.accept("unknown enum value", "BOGUS");
            add.accept("enum value in other case", enc(first.equals(first.toLowerCase(Locale.ROOT))
                    ? first.toUpperCase(Locale.ROOT) : first.toLowerCase(Locale.ROOT)));
        } else if (item.types().contains("string")) {
            if (s.has("maxLength") && s.get("maxLength").asInt() < 5000) {
                add.accept("longer than maxLength", "q".repeat(s.get("maxLength").asInt() + 1));
            }
            if (s.has("pattern")) {
                String violation = violating(s.get("pattern").asText());
                if (violation != null) {
                    add.accept("not matching the pattern", enc(violation));
                }
            }
            if ("uuid".equals(s.path("format").asText())) {
                add.accept("not a uuid", "not-a-uuid");
                add.accept("uuid too long", "3f2b8c4e-1d2a-4b5c-9e8f-7a6b5c4d3e2f0");
            }
        }
        if (array && item.isEnum()) {
            String first = s.get("enum").get(0).asText();
            values.put("repeat", new QueryValue("repeated, one unknown", null, p.name() + "=" + first + "&" + p.name() + "=BOGUS", false, null));
            add.accept("comma-separated, one unknown", enc(first + ",BOGUS"));
        }
        return new ArrayList<>(values.values());
    }

    /** A string the pattern rejects, if one of a few candidates does. */
    private static String violating(String pattern) {
        Pattern compiled = Pattern.compile(pattern);
        for (String candidate : List.of("has space", "nocolon", "bad:char!", "")) {
            if (!compiled.matcher(candidate).find()) {
                return candidate;
            }
        }
        return null;
    }

    private List<String[]> headerValues(Param p) {
        JsonNode s = shape(p.schema()).schema();
        List<String[]> values = new ArrayList<>(List.of(
                new String[] { "garbage", "yesterday" },
                new String[] { "quoted non-number", "\"abc\"" },
                new String[] { "empty", "" },
                new String[] { "300 chars", "h".repeat(300) },
                new String[] { "tab inside", "\"1\"\t\"2\"" },
                new String[] { "obs-text (latin-1 byte)", "caf\u00e9" },
                new String[] { "unicode (UTF-8 bytes)", utf8Bytes("\uD83D\uDE00\u202Eabc") }));
        if (s.has("pattern") && violating(s.get("pattern").asText()) != null) {
            values.add(new String[] { "not matching the pattern", violating(s.get("pattern").asText()) });
        }
        return values;
    }

    // ------------------------------------------------------------------------------------ body mutations

    /** A location in the body: keys and array indices from the root, and its schema's shape. */
    record Loc(List<Object> path, Shape shape, JsonNode valid) {
        String name() {
            StringBuilder b = new StringBuilder();
            for (Object step : path) {
                if (step instanceof Integer i) {
                    b.append('[').append(i).append(']');
                } else {
                    b.append(b.length() == 0 ? "" : ".").append(step);
                }
            }
            return b.toString();
        }
    }

    /**
     * Every location of the body below the root. An object schema met a second time through the same
     * $ref (destination after source) gets its own mutations but is not descended into again.
     */
    private void walk(JsonNode schema, JsonNode value, List<Object> path, List<Loc> out, Set<String> seen, int depth) {
        Shape sh = shape(schema);
        if (!path.isEmpty()) {
            out.add(new Loc(List.copyOf(path), sh, value));
        }
        if (depth > 10 || value == null || (sh.ref() != null && sh.types().contains("object") && !seen.add(sh.ref()))) {
            return;
        }
        if (value.isObject()) {
            JsonNode props = sh.schema().path("properties");
            for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> field = it.next();
                JsonNode child = props.has(field.getKey()) ? props.get(field.getKey())
                        : sh.schema().path("additionalProperties").isObject() ? sh.schema().get("additionalProperties") : null;
                if (child != null) {
                    List<Object> p = new ArrayList<>(path);
                    p.add(field.getKey());
                    walk(child, field.getValue(), p, out, seen, depth + 1);
                }
            }
        } else if (value.isArray() && value.size() > 0 && sh.schema().has("items")) {
            List<Object> p = new ArrayList<>(path);
            p.add(0);
            walk(sh.schema().get("items"), value.get(0), p, out, seen, depth + 1);
        }
    }

    private static JsonNode set(JsonNode root, List<Object> path, Function<JsonNode, JsonNode> value) {
        if (path.isEmpty()) {
            return value.apply(root);
        }
        JsonNode parent = root;
        for (int i = 0; i < path.size() - 1; i++) {
            Object step = path.get(i);
            parent = step instanceof Integer idx ? parent.get(idx) : parent.get((String) step);
        }
        Object last = path.get(path.size() - 1);
        if (last instanceof Integer idx) {
            ((ArrayNode) parent).set(idx, value.apply(parent.get(idx)));
        } else {
            ((ObjectNode) parent).set((String) last, value.apply(parent.get((String) last)));
        }
        return root;
    }

    private List<Mut> mutations(Loc loc) {
        Shape sh = loc.shape();
        JsonNode s = sh.schema();
        List<Mut> m = new ArrayList<>();
        Function<JsonNode, Function<JsonNode, JsonNode>> to = v -> old -> v;
        // every wrong JSON type
        if (!sh.types().contains("string")) {
            m.add(new Mut("string for " + sh.types(), WRONG_TYPE, to.apply(NODES.textNode(sh.is("number") ? "1" : "x"))));
        }
        if (!sh.is("number")) {
            m.add(new Mut("number for " + sh.types(), WRONG_TYPE, to.apply(NODES.numberNode(42))));
        }
        if (sh.types().contains("integer") && !sh.types().contains("number")) {
            m.add(new Mut("decimal for integer", WRONG_TYPE, to.apply(NODES.numberNode(new BigDecimal("1.5")))));
        }
        if (!sh.types().contains("boolean")) {
            m.add(new Mut("boolean for " + sh.types(), WRONG_TYPE, to.apply(NODES.booleanNode(true))));
        }
        if (!sh.types().contains("object")) {
            m.add(new Mut("object for " + sh.types(), WRONG_TYPE, to.apply(NODES.objectNode().put("a", 1))));
        }
        if (!sh.types().contains("array")) {
            m.add(new Mut("array for " + sh.types(), WRONG_TYPE, to.apply(NODES.arrayNode().add("x"))));
        }
        if (!sh.nullable()) {
            m.add(new Mut("null where not nullable", null, to.apply(NODES.nullNode())));
        }
        if (sh.types().contains("string")) {
            String valid = loc.valid() != null && loc.valid().isTextual() ? loc.valid().asText() : "value";
            int half = valid.length() / 2;
            m.add(new Mut("string with a NUL", sh.plainString() ? NUL_IN_BODY : null,
                    to.apply(NODES.textNode(valid.substring(0, half) + "\u0000" + valid.substring(half)))));
            m.add(new Mut("100k-character string", null, to.apply(NODES.textNode("s".repeat(100_000)))));
            m.add(new Mut("unicode (emoji, RTL, combining, CJK, Arabic)", null, to.apply(NODES.textNode(UNICODE))));
            m.add(new Mut("lone surrogate \\ud800", null, to.apply(NODES.textNode(LONE_SURROGATE))));
            if (s.path("minLength").asInt(0) >= 1) {
                m.add(new Mut("empty string (minLength " + s.get("minLength").asInt() + ")", null, to.apply(NODES.textNode(""))));
            }
            if (s.has("pattern") && violating(s.get("pattern").asText()) != null && !violating(s.get("pattern").asText()).isEmpty()) {
                m.add(new Mut("not matching " + s.get("pattern").asText(), null, to.apply(NODES.textNode(violating(s.get("pattern").asText())))));
            }
            if ("uuid".equals(s.path("format").asText())) {
                m.add(new Mut("not a uuid", null, to.apply(NODES.textNode("not-a-uuid"))));
            }
            if (sh.isEnum()) {
                m.add(new Mut("unknown enum value", null, to.apply(NODES.textNode("BOGUS"))));
            }
        }
        if (sh.is("number")) {
            if (s.has("minimum")) {
                m.add(new Mut("below minimum " + s.get("minimum").asText(), null,
                        to.apply(NODES.numberNode(s.get("minimum").bigIntegerValue().subtract(BigInteger.ONE)))));
            }
            if (s.has("maximum")) {
                m.add(new Mut("above maximum " + s.get("maximum").asText(), null,
                        to.apply(NODES.numberNode(s.get("maximum").bigIntegerValue().add(BigInteger.ONE)))));
            }
            m.add(new Mut("huge " + HUGE, null, to.apply(NODES.numberNode(HUGE))));
        }
        if (sh.types().contains("array")) {
            if (s.path("minItems").asInt(0) >= 1) {
                m.add(new Mut("empty array (minItems " + s.get("minItems").asInt() + ")", null, to.apply(NODES.arrayNode())));
            }
            if (s.path("uniqueItems").asBoolean() && loc.valid() != null && loc.valid().size() > 0) {
                m.add(new Mut("the same item twice", null, old -> NODES.arrayNode().add(old.get(0).deepCopy()).add(old.get(0).deepCopy())));
            }
        }
        if (sh.types().contains("object")) {
            if (s.path("additionalProperties").isBoolean() && !s.path("additionalProperties").asBoolean()) {
                m.add(new Mut("unknown property", null, old -> ((ObjectNode) old.deepCopy()).put("colour", "blue")));
            }
            if (s.has("propertyNames") && loc.valid() != null && loc.valid().size() > 0) {
                JsonNode names = s.get("propertyNames");
                String bad = "uuid".equals(names.path("format").asText()) ? "not-a-uuid"
                        : names.has("pattern") ? violating(names.get("pattern").asText()) : null;
                if (bad != null) {
                    m.add(new Mut("key not matching propertyNames", null, old -> renameFirstKey(old, bad)));
                }
                m.add(new Mut("key with a NUL", null, old -> renameFirstKey(old, "k\u0000ey")));
            }
        }
        return m;
    }

    private static JsonNode renameFirstKey(JsonNode old, String key) {
        ObjectNode copy = NODES.objectNode();
        boolean first = true;
        for (Iterator<Map.Entry<String, JsonNode>> it = old.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            copy.set(first ? key : e.getKey(), e.getValue());
            first = false;
        }
        return copy;
    }

    private List<Case> bodyCases(Op op, String status) {
        List<Case> out = new ArrayList<>();
        // The walk needs a body with every property: one made for a placeholder target, re-made per request.
        Target placeholder = new Target(UUID.randomUUID().toString(), "placeholder", status);
        List<Loc> locs = new ArrayList<>();
        walk(op.bodySchema(), completeBody(op, placeholder), new ArrayList<>(), locs, new java.util.HashSet<>(), 0);
        for (Loc found : locs) {
            // keys that are the target's id (confirmNames) are filled in per request
            Loc loc = new Loc(found.path().stream().map(s -> placeholder.id().equals(s) ? (Object) "{id}" : s).toList(),
                    found.shape(), found.valid());
            for (Mut mut : mutations(loc)) {
                out.add(new Case(op, "body", loc.name() + ": " + mut.label(), status, t -> {
                    JsonNode body = completeBody(op, t);
                    List<Object> path = loc.path().stream().map(s -> "{id}".equals(s) ? (Object) t.id() : s).toList();
                    return base(op, t, set(body, path, mut.value()));
                }, mut.expect()));
            }
        }
        // whole-body mutations
        Map<String, Function<String, String>> texts = new LinkedHashMap<>();
        texts.put("duplicate top-level key", valid -> duplicateFirstKey(valid, true));
        texts.put("duplicate nested key", valid -> {
            try {
                ObjectNode root = (ObjectNode) JSON.readTree(valid);
                for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext();) {
                    Map.Entry<String, JsonNode> e = it.next();
                    if (e.getValue().isObject() && e.getValue().size() > 0) {
                        String nested = duplicateFirstKey(JSON.writeValueAsString(e.getValue()), false);
                        root.put(e.getKey(), "@@NESTED@@");
                        return JSON.writeValueAsString(root).replace("\"@@NESTED@@\"", nested);
                    }
                }
                return null;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        texts.put("unknown top-level property", valid -> "{\"colour\":\"blue\"" + (valid.equals("{}") ? "" : ",") + valid.substring(1));
        texts.put("truncated JSON", valid -> valid.substring(0, valid.length() / 2));
        texts.put("empty body", valid -> "");
        texts.put("[]", valid -> "[]");
        texts.put("\"x\"", valid -> "\"x\"");
        texts.put("null", valid -> "null");
        texts.put("10,000 [ (unterminated)", valid -> "[".repeat(10_000));
        texts.put("10,000 nested arrays", valid -> "[".repeat(10_000) + "]".repeat(10_000));
        texts.put("10,000 nested objects", valid -> "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000));
        texts.put("trailing garbage", valid -> valid + " x");
        texts.put("single quotes", valid -> valid.replace('"', '\''));
        boolean nestedObject = false;
        for (JsonNode value : completeBody(op, placeholder)) {
            nestedObject |= value.isObject() && value.size() > 0;
        }
        if (!nestedObject) {
            texts.remove("duplicate nested key");
        }
        for (Map.Entry<String, Function<String, String>> text : texts.entrySet()) {
            Expect expect = text.getKey().startsWith("duplicate") ? DUPLICATE_KEY : null;
            out.add(new Case(op, "body", text.getKey(), status, t -> {
                Req r = base(op, t, text.getKey().contains("nested key") ? completeBody(op, t) : null);
                String mutated = text.getValue().apply(new String(r.body, StandardCharsets.UTF_8));
                r.body = (mutated != null ? mutated : "{}").getBytes(StandardCharsets.UTF_8);
                return r;
            }, expect));
        }
        out.add(new Case(op, "body", "invalid UTF-8 inside a string", status, t -> {
            JsonNode body = exampleBody(op, t);
            if (body instanceof ObjectNode object) {
                String key = object.fieldNames().hasNext() ? object.fieldNames().next() : "name";
                object.put(key, BAD_UTF8);
            }
            return base(op, t, body);
        }, null));
        return out;
    }

    /** The object text with its first key written twice; top level: with another value, nested: the same. */
    private static String duplicateFirstKey(String objectText, boolean otherValue) {
        try {
            ObjectNode object = (ObjectNode) JSON.readTree(objectText);
            Map.Entry<String, JsonNode> first = object.fields().next();
            JsonNode value = otherValue && first.getValue().isTextual() ? NODES.textNode(first.getValue().asText() + "-dup")
                    : first.getValue();
            return "{" + JSON.writeValueAsString(first.getKey()) + ":" + JSON.writeValueAsString(value) + ","
                    + objectText.substring(1);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------------------------ targets

    private Target target(String status) {
        Target t = targets.get(status);
        if (t == null) {
            t = newTarget(status);
            targets.put(status, t);
            fingerprintStale = true;
        }
        return t;
    }

    /** A project in this status; slow enough (1 row/s of 10^9) that no worker moves it on during the test. */
    private Target newTarget(String status) {
        String name = Api.uniqueName("fuzz-" + status.toLowerCase(Locale.ROOT).replace('_', '-'));
        Map<String, Object> body = Api.simulation(Api.body(name), 1L, 0L, null);
        body.put("migrationTypes", List.of("FULL_MIGRATION"));
        body.put("objects", List.of(Map.of("schema", "s", "table", "t", "rows", 1_000_000_000L)));
        String id = Api.create(body);
        projectsCreated++;
        if (!"NOT_STARTED".equals(status)) {
            Api.act(id, "start", 200);
        }
        if ("PAUSED".equals(status) || "RELEASED".equals(status)) {
            Api.act(id, "pause", 200);
            // the worker lets go of its lease after the pause; wait, so that nothing moves afterwards
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> Sql.count(
                    "select count(*) from project_runtime where project_id = cast(? as uuid) and lease_token is not null", id) == 0);
        }
        if ("RELEASED".equals(status)) {
            Api.act(id, "release", 202);
            Api.awaitStatus(id, "RELEASED", Duration.ofSeconds(10));
        }
        return new Target(id, name, status);
    }

    // ------------------------------------------------------------------------------------ running

    private void run(Case c) throws SQLException {
        long setup = System.nanoTime();
        Target t = c.status() == null ? null : target(c.status());
        setupNanos += System.nanoTime() - setup;
        if (fingerprintStale) {
            fingerprint = fingerprint();
            fingerprintStale = false;
        }
        Req r = c.build().apply(t);
        Expect expect = c.expect();
        if (expect == null && requestLineLimit > 0
                && (r.method + " " + r.target() + " HTTP/1.1").length() > requestLineLimit + 64) {
            expect = uriTooLong; // clearly over the limit the document states
        }
        long sent = System.nanoTime();
        Result res = send(r);
        long took = System.nanoTime() - sent;
        sendNanos += took;
        opNanos.merge(c.op().label(), took, Long::sum);
        slowest.add(Map.entry(took, r.method + " " + shorten(r.target(), 80) + " [" + c.kind() + ": " + shorten(c.mutation(), 60)
                + "] -> " + res.status()));
        slowest.sort((a, b) -> Long.compare(b.getKey(), a.getKey()));
        if (slowest.size() > 5) {
            slowest.remove(5);
        }
        int[] count = counts.get(c.op().label());
        count[0]++;
        if (res.status() > 0) {
            count[Math.min(4, Math.max(1, res.status() / 100 - 1))]++;
        }
        String code = null;
        if (res.status() < 0) {
            failures.add(new Failure("no HTTP response", c.op(), c, r, null, null, res.error()));
        } else {
            if (res.status() >= 500) {
                failures.add(new Failure("5xx", c.op(), c, r, res, codeOf(res.body()), null));
            }
            if (res.status() >= 400) {
                code = codeOf(res.body());
                String problem = problemViolation(res);
                if (problem != null && undecodableUrl(r, res)) {
                    problem = null; // documented: the HTTP server answers a bare 400 before any of our code runs
                    expectationsChecked++;
                }
                if (problem != null) {
                    failures.add(new Failure("error is not a problem+json with a known code and the same status", c.op(), c, r, res, code, problem));
                }
            }
            if (expect != null) {
                expectationsChecked++;
            }
            if (res.status() < 400) {
                accepted.computeIfAbsent(c.op().id(), k -> new ArrayList<>()).add(c.kind() + " " + shorten(c.mutation(), 60)
                        + (c.status() == null ? "" : " on " + c.status()) + " -> " + res.status());
            }
            if (expect != null && !expect.met(res.status(), codeOf(res.body()))) {
                failures.add(new Failure("documented: " + expect.rule(), c.op(), c, r, res, codeOf(res.body()),
                        "expected " + expect.wanted()));
            }
            if (res.contractViolation() != null) {
                failures.add(new Failure("response not described by the OpenAPI document (contract filter)", c.op(), c, r, res,
                        codeOf(res.body()), firstViolation(res.contractViolation())));
            }
        }
        String[] after = fingerprint();
        if (res.status() < 0 || res.status() >= 400) {
            List<String> changed = new ArrayList<>();
            String[] names = { "number of projects", "project rows", "project_runtime rows", "user events", "idempotency records" };
            for (int i = 0; i < after.length; i++) {
                if (!Objects.equals(after[i], fingerprint[i])) {
                    changed.add(names[i]);
                }
            }
            if (!changed.isEmpty()) {
                failures.add(new Failure("an error response, but the database changed", c.op(), c, r, res, code,
                        "changed: " + String.join(", ", changed) + createdByIt(r)));
                refreshTargets(r);
            }
        } else if (!"GET".equals(r.method)) {
            refreshTargets(r); // valid by accident
        }
        fingerprint = after;
    }

    /**
     * The one documented exception to "every error is a problem": a URL whose percent-encoding cannot be
     * decoded is refused by the HTTP server with a bare 400 (info.description of the document; Quarkus
     * offers no hook there). Still a 400, never a 5xx, and nothing changes.
     */
    private static boolean undecodableUrl(Req r, Result res) {
        return res.status() == 400 && (res.body() == null || res.body().isEmpty()) && r.target().contains("%zz");
    }

    /** A project the request named may have moved on (then the next case gets a fresh one) or been renamed. */
    private void refreshTargets(Req r) throws SQLException {
        String text = r.target() + (r.body == null ? "" : new String(r.body, StandardCharsets.UTF_8));
        for (Map.Entry<String, Target> e : new ArrayList<>(targets.entrySet())) {
            if (text.contains(e.getValue().id())) {
                List<Map<String, Object>> now = Sql.rows(db, "select status, name from project where id = cast(? as uuid)",
                        e.getValue().id());
                if (now.isEmpty() || !e.getKey().equals(now.get(0).get("status"))) {
                    targets.remove(e.getKey());
                } else {
                    targets.put(e.getKey(), new Target(e.getValue().id(), (String) now.get(0).get("name"), e.getKey()));
                }
            }
        }
    }

    /** Whether the erroring request's own body named the project that now exists (so it was this request). */
    private String createdByIt(Req r) {
        try {
            JsonNode body = r.body == null ? null : JSON.readTree(r.body);
            String name = body != null && body.path("name").isTextual() ? body.get("name").asText() : null;
            if (name != null && !Sql.rows(db, "select id from project where name = ?", name).isEmpty()) {
                return "; the project '" + name + "' of this request's body exists";
            }
        } catch (IOException | SQLException e) {
            // only a hint
        }
        return "";
    }

    private static String firstViolation(String message) {
        String[] lines = message.split("\n");
        return lines.length > 1 ? lines[1].trim() : lines[0];
    }

    private static String codeOf(String body) {
        try {
            JsonNode node = JSON.readTree(body == null ? "" : body);
            return node != null && node.path("code").isTextual() ? node.get("code").asText() : null;
        } catch (IOException e) {
            return null;
        }
    }

    private String problemViolation(Result res) {
        String mediaType = res.contentType() == null ? null : res.contentType().split(";")[0].trim().toLowerCase(Locale.ROOT);
        if (!PROBLEM_JSON.equals(mediaType)) {
            return "Content-Type " + res.contentType();
        }
        JsonNode body;
        try {
            body = JSON.readTree(res.body());
        } catch (IOException e) {
            return "body is not JSON";
        }
        if (body == null || !body.isObject()) {
            return "body is not a JSON object";
        }
        if (!problemCodes.contains(body.path("code").asText(null))) {
            return "code " + body.path("code") + " is not in ProblemCode";
        }
        if (!body.path("status").isInt() || body.get("status").asInt() != res.status()) {
            return "status " + body.path("status") + " in the body";
        }
        return null;
    }

    /**
     * What an erroring request must not change. Rows of projects that existed before the test (other
     * suites' projects, whose workers may still be moving them) count only by number; workers' own
     * columns (lease, speed, and a RUNNING project's progress) and the workers' 'system' events are left
     * out; an idempotency record of a 4xx answer is by design (a retry gets the same answer).
     */
    private String[] fingerprint() throws SQLException {
        long started = System.nanoTime();
        try {
            return takeFingerprint();
        } finally {
            fingerprintNanos += System.nanoTime() - started;
        }
    }

    private String[] takeFingerprint() throws SQLException {
        String sql = """
                select (select count(*)::text from project),
                       (select md5(coalesce(string_agg(p::text, ',' order by p.id), '')) from project p
                         where not (p.id = any(?))),
                       (select md5(coalesce(string_agg(concat_ws('|', r.project_id, r.active, r.fail_consumed,
                                   case when p.status in ('RUNNING', 'RELEASING') then null
                                        else concat_ws('|', r.steps, r.rows_migrated, r.rows_verified, r.changes_applied,
                                                       r.incremental_checkpoint, r.latency_millis, r.updated_at) end),
                                   ',' order by r.project_id), ''))
                          from project_runtime r join project p on p.id = r.project_id where not (p.id = any(?))),
                       (select md5(coalesce(string_agg(e::text, ',' order by e.id), '')) from project_event e
                         where e.actor <> 'system'),
                       (select md5(coalesce(string_agg(k::text, ',' order by k.key), '')) from idempotency_key k
                         where not (k.state = 'DONE' and k.status between 400 and 499))
                """;
        try (PreparedStatement ps = db.prepareStatement(sql)) {
            java.sql.Array ids = db.createArrayOf("uuid", foreign);
            ps.setArray(1, ids);
            ps.setArray(2, ids);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                String[] out = new String[5];
                for (int i = 0; i < out.length; i++) {
                    out[i] = rs.getString(i + 1);
                }
                return out;
            }
        }
    }

    // ------------------------------------------------------------------------------------ HTTP

    private Result send(Req r) {
        if (!r.raw) {
            try {
                return sendRestAssured(r);
            } catch (IllegalArgumentException e) {
                // a URI REST Assured refuses to build: send it byte for byte instead
            }
        }
        try {
            rawSends++;
            return sendRaw(r);
        } catch (IOException e) {
            return new Result(-1, null, null, null, e.toString());
        }
    }

    private Result sendRestAssured(Req r) {
        Response[] captured = new Response[1];
        Filter capture = (request, response, context) -> {
            long started = System.nanoTime();
            Response x = context.next(request, response);
            exchangeNanos += System.nanoTime() - started;
            captured[0] = x;
            return x;
        };
        RequestSpecification spec = given().urlEncodingEnabled(false)
                .config(RestAssured.config().encoderConfig(EncoderConfig.encoderConfig()
                        .appendDefaultContentCharsetToContentTypeIfUndefined(false)))
                .filter(capture);
        r.headers.forEach(spec::header);
        if (r.unchecked) {
            spec.header(UNCHECKED, "true");
        }
        if (r.contentType != null) {
            spec.contentType(r.contentType);
        }
        if (r.body != null) {
            spec.body(r.body);
        }
        String contract = null;
        try {
            spec.request(r.method, r.target());
        } catch (AssertionError e) {
            contract = e.getMessage();
        }
        Response x = captured[0];
        if (x == null) {
            return new Result(-1, null, null, contract, contract);
        }
        return new Result(x.getStatusCode(), x.getHeader("Content-Type"), new String(x.asByteArray(), StandardCharsets.UTF_8),
                contract, null);
    }

    /** HTTP/1.1 over a socket, byte for byte: header values with any octet, bodies without Content-Type. */
    private Result sendRaw(Req r) throws IOException {
        int port = RestAssured.port;
        try (Socket socket = new Socket("localhost", port)) {
            socket.setSoTimeout(20_000);
            StringBuilder head = new StringBuilder();
            head.append(r.method).append(' ').append(r.target()).append(" HTTP/1.1\r\n");
            head.append("Host: localhost:").append(port).append("\r\n");
            head.append("Authorization: Bearer ").append(Tokens.admin()).append("\r\n");
            if (r.headers.keySet().stream().noneMatch("Accept"::equalsIgnoreCase)) {
                head.append("Accept: */*\r\n");
            }
            r.headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
            if (r.contentType != null) {
                head.append("Content-Type: ").append(r.contentType).append("\r\n");
            }
            if (r.body != null) {
                head.append("Content-Length: ").append(r.body.length).append("\r\n");
            }
            head.append("Connection: close\r\n\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            if (r.body != null) {
                out.write(r.body);
            }
            out.flush();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            String statusLine = line(in);
            if (statusLine == null || !statusLine.startsWith("HTTP/")) {
                return new Result(-1, null, null, null, "no status line: " + statusLine);
            }
            int status = Integer.parseInt(statusLine.split(" ")[1]);
            Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
                int colon = h.indexOf(':');
                if (colon > 0) {
                    headers.put(h.substring(0, colon).trim(), h.substring(colon + 1).trim());
                }
            }
            byte[] body;
            if ("HEAD".equals(r.method) || status == 204 || status == 304) {
                body = new byte[0];
            } else if ("chunked".equalsIgnoreCase(headers.getOrDefault("Transfer-Encoding", ""))) {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                for (int size = Integer.parseInt(line(in).split(";")[0].trim(), 16); size > 0;
                        size = Integer.parseInt(line(in).split(";")[0].trim(), 16)) {
                    b.write(in.readNBytes(size));
                    line(in);
                }
                body = b.toByteArray();
            } else if (headers.containsKey("Content-Length")) {
                body = in.readNBytes(Integer.parseInt(headers.get("Content-Length")));
            } else {
                body = in.readAllBytes();
            }
            return new Result(status, headers.get("Content-Type"), new String(body, StandardCharsets.UTF_8), null, null);
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            if (c != '\r') {
                b.write(c);
            }
        }
        return c == -1 && b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
    }

    // ------------------------------------------------------------------------------------ report

    private static String shorten(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "…(" + s.length() + " chars)";
    }

    private String summary(List<Op> ops, int cases, double seconds) {
        StringBuilder b = new StringBuilder();
        b.append(String.format("ContractFuzzTest: %d requests over %d operations in %.1f s (%d target projects created, %d failures)%n",
                cases, ops.size(), seconds, projectsCreated, failures.size()));
        b.append(String.format("  time: sending %.1f s (%d of them byte for byte; of the REST Assured ones %.1f s on the wire, the rest in"
                + " REST Assured and its filters), database fingerprints %.1f s, target projects %.1f s%n",
                sendNanos / 1e9, rawSends, exchangeNanos / 1e9, fingerprintNanos / 1e9, setupNanos / 1e9));
        b.append(String.format("  documented status/code expectations checked on %d requests%n", expectationsChecked));
        b.append(String.format("  %-60s %8s %6s %6s %6s %6s %8s%n", "operation", "requests", "2xx", "3xx", "4xx", "5xx", "avg ms"));
        for (Op op : ops) {
            int[] c = counts.get(op.label());
            b.append(String.format("  %-60s %8d %6d %6d %6d %6d %8.1f%n", op.label(), c[0], c[1], c[2], c[3], c[4],
                    c[0] == 0 ? 0.0 : opNanos.getOrDefault(op.label(), 0L) / 1e6 / c[0]));
        }
        b.append("  slowest requests:\n");
        slowest.forEach(e -> b.append(String.format("    %7.1f ms  %s%n", e.getKey() / 1e6, e.getValue())));
        b.append("  accepted (valid by accident, or lenient; allowed, listed for information):\n");
        accepted.forEach((op, list) -> b.append("    ").append(op).append(": ").append(String.join("; ", list)).append('\n'));
        return b.toString();
    }

    private String report() {
        StringBuilder b = new StringBuilder();
        b.append(failures.size()).append(" fuzz requests broke the rules.\n\nBy kind (count, rule, operation, status, code, first example):\n");
        Map<String, List<Failure>> groups = new LinkedHashMap<>();
        for (Failure f : failures) {
            if (!f.rule().startsWith("documented")) {
                groups.computeIfAbsent(f.rule() + " | " + f.op().id() + " | " + (f.res() == null ? "-" : f.res().status())
                        + " " + Objects.toString(f.code(), "-") + (f.rule().contains("database") ? " | " + f.detail().split(";")[0] : ""),
                        k -> new ArrayList<>()).add(f);
            }
        }
        groups.forEach((key, list) -> b.append(String.format("  %4d  %s%n        e.g. %s%n", list.size(), key, list.get(0).line())));
        Map<String, List<Failure>> expectations = new LinkedHashMap<>();
        for (Failure f : failures) {
            if (f.rule().startsWith("documented")) {
                expectations.computeIfAbsent(f.rule().substring("documented: ".length()) + " | " + f.op().id() + " | got "
                        + (f.res() == null ? "-" : f.res().status()) + " " + Objects.toString(f.code(), "-"), k -> new ArrayList<>()).add(f);
            }
        }
        if (!expectations.isEmpty()) {
            b.append("\nWhere the document is explicit (expected status and code not met):\n");
            expectations.forEach((key, list) -> b.append(String.format("  %4d  %s%n        e.g. %s%n", list.size(), key, list.get(0).line())));
        }
        b.append("\nEvery failing request:\n");
        for (Failure f : failures) {
            b.append("  [").append(f.rule()).append("] ").append(f.line()).append('\n');
        }
        return b.toString();
    }
}
