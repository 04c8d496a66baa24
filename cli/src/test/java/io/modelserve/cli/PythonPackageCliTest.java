package io.modelserve.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The author's loop for Python packages: init --python, its own test, check; and the start-up messages that name the fix. */
class PythonPackageCliTest {
    private static final String PYTHON = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    private static final String SAMPLE = "{\"text\":\"hello model world\"}";

    @TempDir
    Path dir;
    Path pkg;

    @BeforeEach
    void scaffold() throws IOException {
        pkg = dir.resolve("algopkg/Greeter");
        List<Path> files = new PythonScaffold("Greeter").writeTo(pkg);
        assertThat(files).extracting(p -> p.getFileName().toString())
                .containsExactly("__init__.py", "backend.py", "test_backend.py", "requirements.txt", "conf.ini.section");
    }

    private List<PluginCheck.Finding> check(String params) throws Exception {
        List<PluginCheck.Finding> findings = new ArrayList<>();
        new PythonCheck(pkg, null, List.of(), params, Map.of(), PYTHON, Duration.ofSeconds(60)).run(findings::add);
        return findings;
    }

    private static List<PluginCheck.Finding> problems(List<PluginCheck.Finding> findings) {
        return findings.stream().filter(f -> f.level() == PluginCheck.Finding.Level.PROBLEM).toList();
    }

    @Test
    void theScaffoldsOwnTestPassesAndCheckWithTheParamsInitPrintsFindsNoProblem() throws Exception {
        Process test = new ProcessBuilder(PYTHON, pkg.resolve("test_backend.py").toString()).redirectErrorStream(true).start();
        assertThat(test.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = new String(test.getInputStream().readAllBytes());
        assertThat(test.exitValue()).as(output).isZero();
        List<PluginCheck.Finding> findings = check(SAMPLE);
        assertThat(problems(findings)).as(findings.toString()).isEmpty();
        assertThat(findings).anySatisfy(f -> assertThat(f.text()).contains("conf.ini: backend = algo_backend"))
                .anySatisfy(f -> assertThat(f.text()).contains("\"words\":3"))
                .noneSatisfy(f -> assertThat(f.text()).contains("requirements.txt"));
        assertThat(Files.readString(pkg.resolve("conf.ini.section"))).contains("[algopkg.Greeter]", "backend = algo_backend",
                "route = greeter");
    }

    @Test
    void aRequestThePackageRefusesIsAProblemThatSaysSo() throws Exception {
        assertThat(problems(check("{}"))).singleElement().satisfies(f -> assertThat(f.text()).contains("answered status 0")
                .contains("--params"));
    }

    @Test
    void aBackendClassThatIsNotThereListsTheClassesOfBackendPy() throws Exception {
        List<PluginCheck.Finding> findings = new ArrayList<>();
        new PythonCheck(pkg, "Greeter", List.of(), SAMPLE, Map.of(), PYTHON, Duration.ofSeconds(60)).run(findings::add);
        assertThat(problems(findings)).singleElement().satisfies(f -> assertThat(f.text())
                .contains("class Greeter not found in algopkg/Greeter/backend.py; its classes: algo_backend"));
    }

    @Test
    void aMissingInterpreterIsNamed() throws Exception {
        List<PluginCheck.Finding> findings = new ArrayList<>();
        new PythonCheck(pkg, null, List.of(), SAMPLE, Map.of(), "/nonexistent/python3", Duration.ofSeconds(60)).run(findings::add);
        assertThat(problems(findings)).singleElement().satisfies(f -> assertThat(f.text()).contains("cannot run /nonexistent/python3")
                .contains("--python"));
    }

    @Test
    void aPortInUseSaysWhichKeyAndWhatToDo() throws Exception {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        try (ServerSocket taken = new ServerSocket(0, 1, loopback)) {
            assertThat(PortProbe.problem("127.0.0.1", taken.getLocalPort(), "port")).hasValueSatisfying(message -> assertThat(message)
                    .startsWith("port = " + taken.getLocalPort() + ": another process already listens").contains("[MODEL SERVE]"));
        }
        assertThat(PortProbe.problem("127.0.0.1", 0, "grpc_port")).isEmpty();
    }

    @Test
    void aPortBelow1024AsNonRootSaysItNeedsRoot() {
        assumeThat(System.getProperty("user.name")).as("root may bind any port").isNotEqualTo("root");
        assertThat(PortProbe.problem("127.0.0.1", 80, "port")).hasValueSatisfying(message -> assertThat(message)
                .contains("ports below 1024 need root").contains("port = 1024 or above"));
    }

    @Test
    void theCurlHintUsesThePortOfConfIni() throws IOException {
        Path conf = Files.writeString(dir.resolve("conf.ini"), "[MODEL SERVE]\ndashboard_port = 9000\nport = 8123 ; REST\n\n[algopkg.X]\nport = 1\n");
        assertThat(ServePort.of(conf)).isEqualTo(8123);
        assertThat(ServePort.of(dir.resolve("missing.ini"))).isEqualTo(8000);
    }
}
