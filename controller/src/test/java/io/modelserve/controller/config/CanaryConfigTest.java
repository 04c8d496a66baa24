package io.modelserve.controller.config;

import static io.modelserve.controller.config.ConfigFixture.SERVE;
import static io.modelserve.controller.config.ConfigFixture.foo;
import static org.assertj.core.api.Assertions.assertThat;

import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.controller.plan.Plan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code [algopkg.<Main>@<label>]} sections: a second version of a deployment taking a share of its route. */
class CanaryConfigTest {
    @TempDir
    Path dir;
    ConfigFixture fx;

    @BeforeEach
    void setUp() throws IOException {
        fx = new ConfigFixture(dir);
        fx.jar("Foo", "org.example.Foo");
        ConfigFixture.writeJar(fx.algopkg.resolve("Foo@v2.jar"), "v2", "org.example.FooV2");
    }

    private static String canary(String label, String... lines) {
        return "[algopkg.Foo@" + label + "]\nbackend = org.example.FooV2\n" + String.join("\n", lines) + "\n";
    }

    @Test
    void aCanaryServesTheMainRouteWithItsOwnPluginAndShare() throws Exception {
        ConfigResult.Valid valid = fx.valid(SERVE + foo("method = GET,POST") + canary("v2", "traffic = 10"));

        Map<String, DeploymentSpec> byName = valid.deployments().stream()
                .collect(Collectors.toMap(DeploymentSpec::name, spec -> spec));
        DeploymentSpec main = byName.get("Foo");
        DeploymentSpec v2 = byName.get("Foo@v2");
        assertThat(v2.route()).isEqualTo("foo");
        assertThat(v2.methods()).containsExactly("GET", "POST");
        assertThat(v2.traffic()).isEqualTo(10);
        assertThat(v2.isCanary()).isTrue();
        assertThat(v2.mainName()).isEqualTo("Foo");
        assertThat(v2.label()).isEqualTo("v2");
        assertThat(v2.backend()).isEqualTo("org.example.FooV2");
        assertThat(v2.pluginJars()).extracting(a -> a.name()).containsExactly("Foo@v2.jar");
        assertThat(main.traffic()).isZero();
        assertThat(main.label()).isEqualTo("main");
    }

    @Test
    void aCanaryPluginMayBeADirectory() throws Exception {
        Files.delete(fx.algopkg.resolve("Foo@v2.jar"));
        ConfigFixture.writeJar(fx.algopkg.resolve("Foo@v2/lib.jar"), "v2", "org.example.FooV2");

        ConfigResult.Valid valid = fx.valid(SERVE + foo() + canary("v2", "traffic = 0"));

        assertThat(valid.deployments().get(1).pluginJars()).extracting(a -> a.name()).containsExactly("Foo@v2/lib.jar");
    }

    @Test
    void aCanaryMayRepeatTheMainRouteButNotChangeIt() throws Exception {
        fx.valid(SERVE + foo() + canary("v2", "traffic = 5", "route = /foo"));

        ConfigError error = fx.error(SERVE + foo() + canary("v2", "traffic = 5", "route = bar"));
        assertThat(error.line()).isEqualTo(8);
        assertThat(error.key()).isEqualTo("route");
        assertThat(error.message()).contains("a canary serves the route of [algopkg.Foo] (/foo)").contains("/bar");
    }

    @Test
    void aCanaryMayNotChangeTheMethods() throws Exception {
        ConfigError error = fx.error(SERVE + foo() + canary("v2", "traffic = 5", "method = GET"));
        assertThat(error.key()).isEqualTo("method");
        assertThat(error.message()).contains("methods of [algopkg.Foo] (POST)");
    }

    @Test
    void aCanaryOfAnUnknownDeploymentIsAnErrorAtItsSection() throws Exception {
        ConfigError error = fx.error(SERVE + canary("v2", "traffic = 5"));
        assertThat(error.line()).isEqualTo(2);
        assertThat(error.message()).isEqualTo("canary of an unknown deployment: no section [algopkg.Foo] in this file");
    }

    @Test
    void anInvalidMainSectionIsReportedOnceNotAgainThroughItsCanary() throws Exception {
        List<ConfigError> errors = fx.errors(SERVE + "[algopkg.Foo]\nbackend = org.example.Foo\n" + canary("v2", "traffic = 5"));
        assertThat(errors).extracting(ConfigError::key).containsExactly("route");
    }

    @Test
    void trafficIsRequiredInACanaryAndWithinZeroToHundred() throws Exception {
        assertThat(fx.error(SERVE + foo() + canary("v2")).message()).startsWith("required key is missing");
        ConfigError outOfRange = fx.error(SERVE + foo() + canary("v2", "traffic = 101"));
        assertThat(outOfRange.line()).isEqualTo(7);
        assertThat(outOfRange.message()).isEqualTo("must be a whole number in 0..100, got '101'");
        assertThat(fx.error(SERVE + foo() + canary("v2", "traffic = -1")).key()).isEqualTo("traffic");
    }

    @Test
    void trafficIsRefusedInAMainSection() throws Exception {
        ConfigError error = fx.error(SERVE + foo("traffic = 90"));
        assertThat(error.line()).isEqualTo(5);
        assertThat(error.message()).contains("traffic belongs in a canary section [algopkg.Foo@<label>]");
    }

    @Test
    void theCanariesOfOneDeploymentTakeAtMostAllOfItsTraffic() throws Exception {
        ConfigFixture.writeJar(fx.algopkg.resolve("Foo@v3.jar"), "v3", "org.example.FooV2");
        fx.valid(SERVE + foo() + canary("v2", "traffic = 60") + canary("v3", "traffic = 40"));

        ConfigError error = fx.error(SERVE + foo() + canary("v2", "traffic = 60") + canary("v3", "traffic = 41"));
        assertThat(error.line()).isEqualTo(10);
        assertThat(error.section()).isEqualTo("algopkg.Foo@v3");
        assertThat(error.message()).isEqualTo("the canaries of Foo take 101% of its traffic together; at most 100% is possible");
    }

    @Test
    void labelsAreCheckedAndMainIsReserved() throws Exception {
        assertThat(fx.error(SERVE + foo() + canary("main", "traffic = 5")).message()).contains("canary label 'main'");
        assertThat(fx.error(SERVE + foo() + canary("", "traffic = 5")).message()).contains("canary label ''");
        assertThat(fx.error(SERVE + foo() + canary("v2@x", "traffic = 5")).message()).contains("canary label 'v2@x'");
    }

    @Test
    void aMissingCanaryPluginNamesBothPlacesLookedAt() throws Exception {
        ConfigError error = fx.error(SERVE + foo() + canary("v9", "traffic = 5"));
        assertThat(error.key()).isEqualTo("backend");
        assertThat(error.message()).contains("Foo@v9.jar").contains("Foo@v9/");
    }

    @Test
    void aTrafficChangeIsAnInPlaceUpdateOfTheSameVersion() throws Exception {
        DeploymentSpec before = fx.valid(SERVE + foo() + canary("v2", "traffic = 10")).deployments().get(1);
        DeploymentSpec after = fx.valid(SERVE + foo() + canary("v2", "traffic = 50")).deployments().get(1);

        assertThat(after.version()).isEqualTo(before.version());
        assertThat(Plan.between(Map.of(before.name(), before), List.of(after)).changes().get(0).toString())
                .contains("Foo@v2: updated in place (traffic 10% -> 50%)");
    }
}
