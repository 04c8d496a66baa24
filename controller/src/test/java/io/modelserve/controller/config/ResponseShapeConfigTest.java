package io.modelserve.controller.config;

import static io.modelserve.controller.config.ConfigFixture.SERVE;
import static io.modelserve.controller.config.ConfigFixture.foo;
import static org.assertj.core.api.Assertions.assertThat;

import io.modelserve.cluster.DeploymentSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The keys that shape a route's answers: {@code envelope} and wildcard routes {@code ocr/*}. */
class ResponseShapeConfigTest {
    @TempDir
    Path dir;
    ConfigFixture fx;

    @BeforeEach
    void setUp() throws IOException {
        fx = new ConfigFixture(dir);
        fx.jar("Foo", "org.example.Foo");
        fx.jar("Bar", "org.example.Bar");
    }

    private static String bar(String route) {
        return "[algopkg.Bar]\nbackend = org.example.Bar\nroute = " + route + "\n";
    }

    @Test
    void envelopeIsOnUnlessTheSectionTurnsItOff() throws Exception {
        assertThat(fx.valid(SERVE + foo()).deployments().get(0).bare()).isFalse();
        assertThat(fx.valid(SERVE + foo("envelope = true")).deployments().get(0).bare()).isFalse();
        assertThat(fx.valid(SERVE + foo("envelope = false")).deployments().get(0).bare()).isTrue();
    }

    @Test
    void envelopeIsLiveNotPartOfTheVersion() throws Exception {
        String with = fx.valid(SERVE + foo()).deployments().get(0).version();
        String without = fx.valid(SERVE + foo("envelope = false")).deployments().get(0).version();
        assertThat(without).isEqualTo(with);
    }

    @Test
    void aBadEnvelopeValueNamesFileLineAndKey() throws Exception {
        ConfigError error = fx.error(SERVE + foo("envelope = maybe"));
        assertThat(error.file()).isEqualTo("conf.ini");
        assertThat(error.line()).isEqualTo(5);
        assertThat(error.section()).isEqualTo("algopkg.Foo");
        assertThat(error.key()).isEqualTo("envelope");
        assertThat(error.message()).isEqualTo("must be true or false, got 'maybe'");
    }

    @Test
    void aWildcardRouteIsKeptWithItsStarAndMayHaveExactRoutesUnderIt() throws Exception {
        List<DeploymentSpec> deployments = fx.valid(SERVE + "[algopkg.Foo]\nbackend = org.example.Foo\nroute = /ocr/*\n"
                + bar("ocr/health")).deployments();
        assertThat(deployments).extracting(DeploymentSpec::route).containsExactly("ocr/*", "ocr/health");
    }

    @Test
    void aDuplicateWildcardRouteIsRefused() throws Exception {
        ConfigError error = fx.error(SERVE + "[algopkg.Foo]\nbackend = org.example.Foo\nroute = ocr/*\n" + bar("/ocr/*"));
        assertThat(error.line()).isEqualTo(7);
        assertThat(error.section()).isEqualTo("algopkg.Bar");
        assertThat(error.key()).isEqualTo("route");
        assertThat(error.message()).isEqualTo("route '/ocr/*' is already served by [algopkg.Foo]");
    }

    @Test
    void nestedWildcardRoutesAreRefusedEitherWayRound() throws Exception {
        ConfigError inner = fx.error(SERVE + "[algopkg.Foo]\nbackend = org.example.Foo\nroute = ocr/*\n" + bar("ocr/v2/*"));
        assertThat(inner.line()).isEqualTo(7);
        assertThat(inner.key()).isEqualTo("route");
        assertThat(inner.message()).isEqualTo("wildcard route '/ocr/v2/*' overlaps '/ocr/*' of [algopkg.Foo]; wildcard"
                + " routes must not nest (an exact route under one may)");
        ConfigError outer = fx.error(SERVE + "[algopkg.Foo]\nbackend = org.example.Foo\nroute = ocr/v2/*\n" + bar("ocr/*"));
        assertThat(outer.message()).startsWith("wildcard route '/ocr/*' overlaps '/ocr/v2/*' of [algopkg.Foo]");
        // A sibling sharing only a name prefix is not nested.
        assertThat(fx.valid(SERVE + "[algopkg.Foo]\nbackend = org.example.Foo\nroute = ocr/*\n" + bar("ocrx/*"))
                .deployments()).hasSize(2);
    }

    @Test
    void aStarAnywhereButTheLastSegmentIsRefused() throws Exception {
        for (String route : List.of("*", "ocr/*/x", "ocr*", "ocr/**", "/*")) {
            ConfigError error = fx.error(SERVE + "[algopkg.Foo]\nbackend = org.example.Foo\nroute = " + route + "\n");
            assertThat(error.key()).as(route).isEqualTo("route");
            assertThat(error.message()).as(route).contains("optionally ending in '/*'");
        }
    }
}
