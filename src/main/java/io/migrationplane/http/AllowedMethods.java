package io.migrationplane.http;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * The methods each path allows, read from the OpenAPI document (the contract): a 405 names them in its
 * {@code Allow} header and body, which REST's own exception does not know.
 */
final class AllowedMethods {

    private static final String DOCUMENT = "META-INF/openapi.yaml";
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

    private record Route(Pattern path, int templates, List<String> methods) {
    }

    private static volatile List<Route> routes;

    private AllowedMethods() {
    }

    /** The methods the document lists for this path; empty when it lists none. */
    static List<String> of(String path) {
        if (path == null) {
            return List.of();
        }
        for (Route route : routes()) {
            if (route.path().matcher(path).matches()) {
                return route.methods();
            }
        }
        return List.of();
    }

    private static List<Route> routes() {
        List<Route> known = routes;
        if (known == null) {
            known = load();
            routes = known;
        }
        return known;
    }

    private static List<Route> load() {
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(DOCUMENT)) {
            if (in == null) {
                return List.of();
            }
            JsonNode paths = new YAMLMapper().readTree(in).path("paths");
            List<Route> out = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = paths.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> entry = it.next();
                List<String> methods = new ArrayList<>();
                entry.getValue().fieldNames().forEachRemaining(name -> {
                    if (METHODS.contains(name)) {
                        methods.add(name.toUpperCase(Locale.ROOT));
                    }
                });
                String template = entry.getKey();
                int templates = template.split("\\{", -1).length - 1;
                String regex = Pattern.quote(template).replaceAll("\\{[^/}]+}", "\\\\E[^/]+\\\\Q");
                out.add(new Route(Pattern.compile(regex), templates, List.copyOf(methods)));
            }
            out.sort(Comparator.comparingInt(Route::templates));
            return List.copyOf(out);
        } catch (IOException e) {
            return List.of();
        }
    }
}
