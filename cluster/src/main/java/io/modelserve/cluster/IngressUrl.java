package io.modelserve.cluster;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;

/** The one rule for turning a node entry's URL into an address to call (see {@link ClusterState#ingressOf}). */
final class IngressUrl {
    private IngressUrl() {}

    /** {@code http://<memberHost>:<port>} if {@code advertised} is exactly that (a path of "/" at most), else empty. */
    static Optional<String> checked(String advertised, String memberHost) {
        try {
            URI uri = new URI(advertised);
            boolean plain = "http".equals(uri.getScheme()) && uri.getRawUserInfo() == null && uri.getRawQuery() == null
                    && uri.getRawFragment() == null && (uri.getRawPath() == null || uri.getRawPath().isEmpty()
                    || uri.getRawPath().equals("/"));
            if (!plain || uri.getPort() < 1 || uri.getPort() > 65535 || !memberHost.equals(uri.getHost())) {
                return Optional.empty();
            }
            return Optional.of("http://" + memberHost + ":" + uri.getPort());
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
    }
}
