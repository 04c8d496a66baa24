package io.modelserve.agent.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelserve.agent.testing.Specs;
import io.modelserve.cluster.DeploymentSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which deployment a path goes to: exact routes first, then the longest wildcard prefix. */
class RouteTableTest {
    private final RouteTable routes = new RouteTable();

    private String match(String path) {
        return routes.match(path).map(m -> m.spec().name() + " [" + m.subPath() + "]").orElse("none");
    }

    @Test
    void exactRoutesWinThenTheLongestWildcardPrefixTakesTheRest() {
        DeploymentSpec ocr = Specs.deployment("ocr").route("ocr/*").build();
        DeploymentSpec scan = Specs.deployment("scan").route("ocr/v2/scan/*").build();
        DeploymentSpec health = Specs.deployment("health").route("ocr/health").build();
        DeploymentSpec plain = Specs.deployment("plain").route("plain").build();
        routes.update(List.of(ocr, scan, health, plain));

        assertThat(match("ocr")).isEqualTo("ocr []");
        assertThat(match("ocr/page/1")).isEqualTo("ocr [page/1]");
        assertThat(match("ocr/health")).isEqualTo("health []");
        assertThat(match("ocr/health/deep")).isEqualTo("ocr [health/deep]");
        assertThat(match("ocr/v2/scan")).isEqualTo("scan []");
        assertThat(match("ocr/v2/scan/a%20b")).isEqualTo("scan [a%20b]");
        assertThat(match("ocr/v2/scanner")).isEqualTo("ocr [v2/scanner]");
        assertThat(match("ocrx")).isEqualTo("none");
        assertThat(match("ocr/*")).isEqualTo("ocr [*]");
        assertThat(match("plain")).isEqualTo("plain []");
        assertThat(match("plain/more")).isEqualTo("none");
        assertThat(routes.forRoute("ocr/page")).contains(ocr);
        assertThat(routes.describe()).containsKeys("/ocr/*", "/ocr/v2/scan/*", "/ocr/health", "/plain");
    }

    @Test
    void aCanaryOfAWildcardRouteIsFoundThroughItsMain() {
        DeploymentSpec ocr = Specs.deployment("ocr").route("ocr/*").build();
        DeploymentSpec canary = Specs.deployment("ocr@v2").build().withRouteOf(ocr).withTraffic(10);
        routes.update(List.of(ocr, canary));

        assertThat(match("ocr/a")).isEqualTo("ocr [a]");
        assertThat(routes.canariesOf("ocr")).containsExactly(canary);
    }
}
