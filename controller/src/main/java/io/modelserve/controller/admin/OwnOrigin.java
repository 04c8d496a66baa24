package io.modelserve.controller.admin;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Whether a browser's {@code Origin} is the admin API's own: the page was loaded from this very
 * address ({@code Origin} equals {@code http://} + the {@code Host} it asked for), and that address is
 * an IP literal or {@code localhost}. A host name is not trusted, because a page of any site can
 * rebind its own name to this address and then send {@code Host} and {@code Origin} that agree.
 */
final class OwnOrigin {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("\\[[0-9A-Fa-f:.]+]");

    private OwnOrigin() {}

    static boolean matches(String origin, String host) {
        if (host == null || host.isBlank()) {
            return false;
        }
        String own = "http://" + host.strip().toLowerCase(Locale.ROOT);
        if (!origin.strip().toLowerCase(Locale.ROOT).equals(own)) {
            return false;
        }
        String name = hostName(host.strip());
        return name.equalsIgnoreCase("localhost") || IPV4.matcher(name).matches() || IPV6.matcher(name).matches();
    }

    /** For messages and logs: bounded, without control characters. */
    static String printable(String origin) {
        String clean = origin.replaceAll("\\p{Cntrl}", "?");
        return clean.length() > 100 ? clean.substring(0, 100) + "..." : clean;
    }

    private static String hostName(String host) {
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            return end < 0 ? host : host.substring(0, end + 1);
        }
        int colon = host.lastIndexOf(':');
        return colon < 0 ? host : host.substring(0, colon);
    }
}
