package io.modelserve.agent.http;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which of a client's request headers a plugin sees ({@link io.modelserve.sdk.Request#headers()}), and
 * in which form: by lower-case name, a repeated header's values joined with {@code ", "} (RFC 9110
 * 5.3; {@code cookie} with {@code "; "}, RFC 9113 8.2.3). Pure: chosen once, where the request arrives,
 * and carried as they are to another node, the async queue or a child process, so every replica sees
 * what a local one would.
 *
 * <p>Left out: hop-by-hop headers (RFC 9110 7.6.1: {@code Connection} and every header it names,
 * {@code Keep-Alive}, {@code Transfer-Encoding}, {@code TE}, {@code Trailer}, {@code Upgrade},
 * {@code HTTP2-Settings}, {@code Proxy-*}), which describe the client's connection to this node and
 * not the request; and every {@code X-Modelserve-*} header, which modelserve reads itself: the version
 * pin and the model name, and the node-to-node ones, {@code X-Modelserve-Cluster-Secret} among them, so
 * that a plugin never sees a cluster credential a client sent (by mistake or to probe). The whole prefix
 * rather than a list, so that a header modelserve adds later is left out without anyone remembering
 * this class. A client's own {@code Authorization} is the plugin's: the request port authenticates
 * nothing with it (the admin API's token is on the admin port).
 */
public final class PluginHeaders {
    /** Hop-by-hop headers of every connection, lower-case. */
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "transfer-encoding", "te", "trailer",
            "upgrade", "http2-settings");
    private static final String OWN_PREFIX = "x-modelserve-";

    private PluginHeaders() {}

    /** What the plugin sees of the headers of a request as Jetty received it. */
    public static Map<String, String> of(jakarta.servlet.http.HttpServletRequest request) {
        Map<String, List<String>> received = new LinkedHashMap<>();
        for (String name : Collections.list(request.getHeaderNames())) {
            received.put(name, Collections.list(request.getHeaders(name)));
        }
        return of(received);
    }

    /**
     * @param received the headers as the request had them, any case, each name with its values in order
     * @return what the plugin sees: immutable, lower-case names, in the order they first came
     */
    public static Map<String, String> of(Map<String, ? extends List<String>> received) {
        Set<String> named = namedByConnection(received);
        Map<String, String> kept = new LinkedHashMap<>();
        received.forEach((name, values) -> {
            String key = name.toLowerCase(Locale.ROOT);
            if (values.isEmpty() || !passes(key) || named.contains(key)) {
                return;
            }
            String separator = key.equals("cookie") ? "; " : ", ";
            String joined = String.join(separator, values);
            // Two spellings of one name ("X-Id" and "x-id") are one header.
            kept.merge(key, joined, (first, more) -> first + separator + more);
        });
        return Collections.unmodifiableMap(kept);
    }

    /** Whether a header of this lower-case name may reach a plugin (the {@code Connection} list aside). */
    public static boolean passes(String lowerCaseName) {
        return !HOP_BY_HOP.contains(lowerCaseName) && !lowerCaseName.startsWith("proxy-")
                && !lowerCaseName.startsWith(OWN_PREFIX);
    }

    /** {@code Connection: close, X-Hop} makes X-Hop hop-by-hop for this request (RFC 9110 7.6.1). */
    private static Set<String> namedByConnection(Map<String, ? extends List<String>> received) {
        Set<String> named = new java.util.HashSet<>();
        received.forEach((name, values) -> {
            if (name.equalsIgnoreCase("connection")) {
                for (String value : values) {
                    for (String token : value.split(",")) {
                        named.add(token.strip().toLowerCase(Locale.ROOT));
                    }
                }
            }
        });
        return named;
    }
}
