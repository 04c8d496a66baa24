package io.modelserve.controller.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelserve.cluster.Artifact;
import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.cluster.Isolation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A folder with backend.py (or runtime = python) is a Python package: found, checked and shipped by digest. */
class PythonPackageConfigTest {
    private static final String SERVE = """
            [MODEL SERVE]
            algopkg_dir = algopkg
            model_zoo = Model_ZOO
            """;

    @TempDir
    Path dir;
    ConfigFixture fx;

    @BeforeEach
    void setUp() throws IOException {
        fx = new ConfigFixture(dir);
        Path pkg = Files.createDirectories(fx.algopkg.resolve("Algo"));
        Files.writeString(pkg.resolve("__init__.py"), "");
        Files.writeString(pkg.resolve("backend.py"), "import os\n\nclass helper:\n    pass\n\nclass algo_backend:\n    pass\n");
        Files.createDirectories(pkg.resolve("__pycache__"));
        Files.writeString(pkg.resolve("__pycache__/backend.cpython-311.pyc"), "bytecode");
    }

    private static String section(String extra) {
        return SERVE + "\n[algopkg.Algo]\nbackend = algo_backend\nroute = algo\n" + extra;
    }

    @Test
    void theOriginalSectionRunsThePackageInPythonWithItsFilesShippedByDigest() throws IOException {
        DeploymentSpec spec = fx.valid(section("")).deployments().getFirst();
        assertThat(spec.isolation().mode()).isEqualTo(Isolation.Mode.PYTHON);
        assertThat(spec.isolation().memoryLimitMb()).isEqualTo(1024);
        assertThat(spec.pluginJars()).extracting(Artifact::name).containsExactly("Algo/__init__.py", "Algo/backend.py");
    }

    @Test
    void aChangedFileChangesTheVersionAndTheInterpreterComesFromTheSectionOrModelServe() throws IOException {
        String before = fx.valid(section("")).deployments().getFirst().version();
        Files.writeString(fx.algopkg.resolve("Algo/backend.py"), "class algo_backend:\n    x = 1\n");
        DeploymentSpec changed = fx.valid(section("")).deployments().getFirst();
        assertThat(changed.version()).isNotEqualTo(before);
        assertThat(changed.isolation().interpreter()).isEmpty();
        String global = SERVE + "python = /opt/py/bin/python3\n\n[algopkg.Algo]\nbackend = algo_backend\nroute = algo\n";
        assertThat(fx.valid(global).deployments().getFirst().isolation().interpreter()).isEqualTo("/opt/py/bin/python3");
        assertThat(fx.valid(section("python = /usr/bin/python3.11")).deployments().getFirst().isolation().interpreter())
                .isEqualTo("/usr/bin/python3.11");
    }

    @Test
    void withRequirementsTheWheelhouseBesideAlgopkgTravelsWithThePackage() throws IOException {
        Files.writeString(fx.algopkg.resolve("Algo/requirements.txt"), "tinylib==1.0\n");
        Path wheelhouse = Files.createDirectories(dir.resolve("wheelhouse"));
        Files.writeString(wheelhouse.resolve("tinylib-1.0-py3-none-any.whl"), "zip");
        DeploymentSpec spec = fx.valid(section("")).deployments().getFirst();
        assertThat(spec.pluginJars()).extracting(Artifact::name).containsExactly("Algo/__init__.py", "Algo/backend.py",
                "Algo/requirements.txt", "wheelhouse/tinylib-1.0-py3-none-any.whl");
    }

    @Test
    void aClassThatIsNotThereListsTheClassesOfBackendPy() throws IOException {
        List<ConfigError> errors = fx.errors(section("").replace("algo_backend", "AlgoBackend"));
        assertThat(errors).singleElement().satisfies(e -> {
            assertThat(e.key()).isEqualTo("backend");
            assertThat(e.message()).contains("class AlgoBackend not found in").endsWith("its classes: helper, algo_backend");
        });
    }

    @Test
    void mistakesNameTheKeyAndTheFix() throws IOException {
        assertThat(fx.errors(section("isolation = in-process"))).singleElement()
                .satisfies(e -> assertThat(e.message()).contains("always runs each replica in a process of its own"));
        assertThat(fx.errors(section("max_models_per_replica = 2"))).extracting(ConfigError::key).contains("max_models_per_replica");
        assertThat(fx.errors(section("runtime = ruby"))).singleElement()
                .satisfies(e -> assertThat(e.message()).contains("must be java or python"));
        fx.jar("Foo", "org.example.Foo");
        assertThat(fx.errors(SERVE + "\n[algopkg.Foo]\nbackend = org.example.Foo\nroute = foo\npython = /usr/bin/python3\n"))
                .singleElement().satisfies(e -> assertThat(e.message()).contains("only for a Python package"));
        Files.createDirectories(fx.algopkg.resolve("Empty"));
        assertThat(fx.errors(SERVE + "\n[algopkg.Empty]\nbackend = algo_backend\nroute = empty\nruntime = python\n"))
                .singleElement().satisfies(e -> assertThat(e.message()).contains("holds no backend.py"));
    }
}
