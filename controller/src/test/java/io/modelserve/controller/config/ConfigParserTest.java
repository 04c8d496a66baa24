package io.modelserve.controller.config;

import static io.modelserve.controller.config.ConfigFixture.SERVE;
import static io.modelserve.controller.config.ConfigFixture.foo;
import static org.assertj.core.api.Assertions.assertThat;

import io.modelserve.cluster.Artifact;
import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.cluster.Resources;
import io.modelserve.cluster.ServeSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigParserTest {
    @TempDir
    Path dir;
    ConfigFixture fx;

    @BeforeEach
    void setUp() throws IOException {
        fx = new ConfigFixture(dir);
    }

    @Test
    void specExampleProducesExpectedRecords() throws Exception {
        Path jar = fx.jar("AlgoExample", "org.example.AlgoBackendImpl");
        Path model = fx.model("algoexample_model_v1.onnx", "weights");
        String text = """
                [MODEL SERVE]            ; fixed section name
                port = 8000              ; REST port of the ingress on every node
                dashboard_port = 8265    ; dashboard + admin API on the head
                cluster_name = modelserve
                algopkg_dir = algopkg    ; relative paths resolve against the directory of conf.ini
                model_zoo = Model_ZOO
                log_dir = logs
                admin_token =            ; empty = no token; or ${ENV_VAR} to read it from the environment

                [algopkg.AlgoExample]    ; "algopkg." + package name
                backend = org.example.AlgoBackendImpl   ; class implementing io.modelserve.sdk.AlgoBackend
                model = algoexample_model_v1.onnx       ; comma-separated files under Model_ZOO, may be empty
                replicas = 2             ; instances running in parallel across the cluster
                gpu_cost = 0.5           ; GPU fraction per replica, 0 = CPU only
                cpu_cost = 1             ; CPU cores per replica, fractions allowed
                route = extract          ; served at /extract
                method = GET             ; GET, POST, or "GET,POST"
                max_batch_size = 1       ; >1 turns on dynamic batching (inferenceBatch)
                batch_wait_ms = 5        ; how long a batch may wait to fill
                max_queued = 100         ; per replica; beyond it requests get 503 + Retry-After
                timeout_ms = 30000       ; per request; beyond it 504
                config.threshold = 0.7   ; user config, delivered to reconfigure() live
                """;
        ConfigResult.Valid valid = fx.valid(text);

        Path root = dir.toAbsolutePath().normalize();
        assertThat(valid.settings()).isEqualTo(new ServeSettings(8000, 8265, "modelserve",
                root.resolve("algopkg").toString(), root.resolve("Model_ZOO").toString(),
                root.resolve("logs").toString(), "", ServeSettings.DEFAULT_MAX_BODY_BYTES, "", root.resolve("state").toString()));
        Artifact jarArtifact = new Artifact("AlgoExample.jar", sha256(jar), Files.size(jar), jar.toString());
        Artifact modelArtifact = new Artifact("algoexample_model_v1.onnx", sha256(model), 7, model.toString());
        assertThat(valid.deployments()).containsExactly(DeploymentSpec.of("AlgoExample", "extract", List.of("GET"),
                "org.example.AlgoBackendImpl", List.of(jarArtifact), List.of(modelArtifact), 2,
                new Resources(1000, 500), 1, 5, 100, 30000, Map.of("threshold", "0.7")));
    }

    @Test
    void defaultsApplyWhenKeysAreAbsent() throws Exception {
        fx.jar("Foo", "org.example.Foo");
        ConfigResult.Valid valid = fx.valid(SERVE + foo());

        ServeSettings settings = valid.settings();
        assertThat(settings.port()).isEqualTo(8000);
        assertThat(settings.dashboardPort()).isEqualTo(8265);
        assertThat(settings.clusterName()).isEqualTo("modelserve");
        assertThat(settings.logDir()).isEqualTo(dir.resolve("logs").toString());
        assertThat(settings.hasAdminToken()).isFalse();
        assertThat(settings.maxBodyBytes()).isEqualTo(16_777_216L);
        DeploymentSpec spec = valid.deployments().get(0);
        assertThat(spec.name()).isEqualTo("Foo");
        assertThat(spec.models()).isEmpty();
        assertThat(spec.replicas()).isEqualTo(1);
        assertThat(spec.cost()).isEqualTo(new Resources(1000, 0));
        assertThat(spec.methods()).containsExactly("POST");
        assertThat(spec.maxBatchSize()).isEqualTo(1);
        assertThat(spec.batchWaitMs()).isEqualTo(5);
        assertThat(spec.maxQueued()).isEqualTo(100);
        assertThat(spec.timeoutMs()).isEqualTo(30_000);
        assertThat(spec.config()).isEmpty();
    }

    @Test
    void commentsAreStrippedOnlyAtLineStartOrAfterWhitespace() throws Exception {
        fx.jar("Foo", "org.example.Foo");
        String text = """
                ; a comment line
                  # an indented comment line
                [MODEL SERVE] # trailing
                port = 9000 ; REST port
                dashboard_port = 9001\t# tab before the hash
                [algopkg.Foo]
                backend = org.example.Foo
                route = foo
                config.color = #fff
                config.list = a;b
                config.hash = a#b
                config.spaced = two words ; but not this
                config.path = C:\\dir\\${NOT_EXPANDED}
                """;
        ConfigResult.Valid valid = fx.valid(text);

        assertThat(valid.settings().port()).isEqualTo(9000);
        assertThat(valid.settings().dashboardPort()).isEqualTo(9001);
        // "= #fff": the '#' follows whitespace, so by SPEC §2 it starts a comment and the value is empty.
        assertThat(valid.deployments().get(0).config()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "color", "", "list", "a;b", "hash", "a#b", "spaced", "two words",
                "path", "C:\\dir\\${NOT_EXPANDED}"));
    }

    @Test
    void normalisesMethodsRoutesAndDecimals() throws Exception {
        fx.jar("Foo", "org.example.Foo");
        ConfigResult.Valid valid = fx.valid(SERVE + """
                [algopkg.Foo]
                backend = org.example.Foo
                route = /api/v1/foo
                method = " post , get "
                cpu_cost = 0.25
                gpu_cost = 1.000
                replicas = 0
                """);

        DeploymentSpec spec = valid.deployments().get(0);
        assertThat(spec.route()).isEqualTo("api/v1/foo");
        assertThat(spec.methods()).containsExactly("GET", "POST");
        assertThat(spec.cost()).isEqualTo(new Resources(250, 1000));
        assertThat(spec.replicas()).isZero();
    }

    @Test
    void zeroCpuAndZeroGpuTogetherAreAllowed() throws Exception {
        fx.jar("Foo", "org.example.Foo");
        ConfigResult.Valid valid = fx.valid(SERVE + foo("cpu_cost = 0", "gpu_cost = 0"));

        assertThat(valid.deployments().get(0).cost()).isEqualTo(Resources.NONE);
    }

    @Test
    void gpuMemoryAsksForTheDeviceByItsMemoryAndIsPartOfTheVersion() throws Exception {
        fx.jar("Foo", "org.example.Foo");
        ConfigResult.Valid valid = fx.valid(SERVE + foo("gpu_memory = 6g"));
        ConfigResult.Valid other = fx.valid(SERVE + foo("gpu_memory = 8g"));

        assertThat(valid.deployments().get(0).cost()).isEqualTo(new Resources(1000, 0, 6L << 30));
        assertThat(valid.deployments().get(0).version()).isNotEqualTo(other.deployments().get(0).version());
    }

    @Test
    void gpuMemoryBesideAGpuFractionIsRefused() throws Exception {
        fx.jar("Foo", "org.example.Foo");
        assertThat(fx.errors(SERVE + foo("gpu_cost = 0.5", "gpu_memory = 6g")))
                .anyMatch(e -> e.toString().contains("gpu_memory: give gpu_cost or gpu_memory, not both"));
    }

    @Test
    void deploymentsKeepFileOrderAndBuiltinsNeedNoPlugin() throws Exception {
        fx.jar("Zed", "org.example.Zed");
        fx.model("net.onnx", "n");
        ConfigResult.Valid valid = fx.valid(SERVE + """
                [algopkg.Zed]
                backend = org.example.Zed
                route = zed
                [algopkg.Alpha]
                backend = builtin:onnx
                model = net.onnx
                route = alpha
                """);

        assertThat(valid.deployments()).extracting(DeploymentSpec::name).containsExactly("Zed", "Alpha");
        DeploymentSpec alpha = valid.deployments().get(1);
        assertThat(alpha.isBuiltin()).isTrue();
        assertThat(alpha.pluginJars()).isEmpty();
        assertThat(alpha.models()).extracting(Artifact::name).containsExactly("net.onnx");
    }

    @Test
    void pluginDirectoryContributesItsJarsSortedByName() throws Exception {
        Path pkg = fx.algopkg.resolve("Foo");
        ConfigFixture.writeJar(pkg.resolve("b-lib.jar"), "lib");
        ConfigFixture.writeJar(pkg.resolve("a-main.jar"), "main", "org.example.Foo");
        ConfigFixture.writeJar(pkg.resolve("nested/ignored.jar"), "nested");
        Files.writeString(pkg.resolve("README.txt"), "not a jar");

        ConfigResult.Valid valid = fx.valid(SERVE + foo());

        assertThat(valid.deployments().get(0).pluginJars()).extracting(Artifact::name)
                .containsExactly("Foo/a-main.jar", "Foo/b-lib.jar");
    }

    @Test
    void modelsMayListSeveralFilesIncludingSubdirectories() throws Exception {
        fx.jar("Foo", "org.example.Foo");
        fx.model("a.onnx", "a");
        Path nested = fx.model("sub/b.bin", "bb");
        ConfigResult.Valid valid = fx.valid(SERVE + foo("model = a.onnx ,  sub/b.bin"));

        List<Artifact> models = valid.deployments().get(0).models();
        assertThat(models).extracting(Artifact::name).containsExactly("a.onnx", "sub/b.bin");
        assertThat(models.get(1).sourcePath()).isEqualTo(nested.toString());
        assertThat(models.get(1).size()).isEqualTo(2);
    }

    @Test
    void adminTokenIsReadFromTheEnvironment() throws Exception {
        fx.jar("Foo", "org.example.Foo");
        ConfigResult result = fx.parse(SERVE + "admin_token = ${MS_TOKEN}\n" + foo(), Map.of("MS_TOKEN", "s3cret"));

        assertThat(result).isInstanceOf(ConfigResult.Valid.class);
        assertThat(((ConfigResult.Valid) result).settings().adminToken()).isEqualTo("s3cret");
    }

    @Test
    void literalAdminTokenIsKeptAsWritten() throws Exception {
        fx.jar("Foo", "org.example.Foo");
        assertThat(fx.valid(SERVE + "admin_token = abc\\d$x\n" + foo()).settings().adminToken()).isEqualTo("abc\\d$x");
    }

    @Test
    void absoluteAndRelativeDirectoriesAreNormalised() throws Exception {
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere/zoo"));
        fx.jar("Foo", "org.example.Foo");
        ConfigResult.Valid valid = fx.valid("[MODEL SERVE]\nalgopkg_dir = ./x/../algopkg\nmodel_zoo = " + elsewhere
                + "\nlog_dir = /var/log/ms/../modelserve\n" + foo());

        assertThat(valid.settings().algopkgDir()).isEqualTo(fx.algopkg.toString());
        assertThat(valid.settings().modelZoo()).isEqualTo(elsewhere.toString());
        assertThat(valid.settings().logDir()).isEqualTo("/var/log/modelserve");
    }

    @Test
    void versionIgnoresReplicasAndConfigButFollowsJarContent() throws Exception {
        Path jar = fx.jar("Foo", "org.example.Foo");
        String before = fx.valid(SERVE + foo("replicas = 1", "config.a = 1")).deployments().get(0).version();
        String scaled = fx.valid(SERVE + foo("replicas = 5", "config.a = 2")).deployments().get(0).version();
        ConfigFixture.writeJar(jar, "v2 with different bytes", "org.example.Foo");
        String rebuilt = fx.valid(SERVE + foo("replicas = 1", "config.a = 1")).deployments().get(0).version();

        assertThat(scaled).isEqualTo(before);
        assertThat(rebuilt).isNotEqualTo(before);
    }

    @Test
    void parsesTextGivenDirectlyRelativeToTheNamedFile() throws Exception {
        fx.jar("Foo", "org.example.Foo");
        ConfigResult result = new ConfigParser(Set.of(), k -> null).parse(dir.resolve("never-written.ini"),
                SERVE + foo());

        assertThat(result).isInstanceOf(ConfigResult.Valid.class);
    }

    @Test
    void crlfLineEndingsAndByteOrderMarkAreAccepted() throws Exception {
        fx.jar("Foo", "org.example.Foo");
        String text = "\uFEFF[MODEL SERVE]\r\nport = 8001\r\n" + foo().replace("\n", "\r\n");
        assertThat(fx.valid(text).settings().port()).isEqualTo(8001);
    }

    static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
