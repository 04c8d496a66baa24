package io.modelserve.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The author's loop for Python packages: init --python, its own test, check; and the start-up messages that name the fix. */
class PythonPackageCliTest {
    private static final String PYTHON = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    private static final String SAMPLE = "{\"text\":\"hello model world\"}";

    /** One environment root for the class: the scaffold's environment is created once, then found ready. */
    @TempDir
    static Path runtimeRoot;
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
        new PythonCheck(pkg, null, List.of(), params, Map.of(), PYTHON, Duration.ofSeconds(60), runtimeRoot).run(findings::add);
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
                .anySatisfy(f -> assertThat(f.text()).startsWith("requirements.txt installed from " + dir.resolve("wheelhouse")));
        assertThat(Files.readString(pkg.resolve("conf.ini.section"))).contains("[algopkg.Greeter]", "backend = algo_backend",
                "route = greeter");
    }

    @Test
    void aRequestThePackageRefusesIsAProblemThatSaysSo() throws Exception {
        assertThat(problems(check("{}"))).singleElement().satisfies(f -> assertThat(f.text()).contains("answered status 0")
                .contains("--params"));
    }

    @Test
    void aBackendClassThatIsNotThereListsTheBackendClassesOfBackendPy() throws Exception {
        // A helper class beside the backend: only the one that can serve is offered.
        Files.writeString(pkg.resolve("backend.py"), Files.readString(pkg.resolve("backend.py")) + "\n\nclass Tokenizer:\n    pass\n");
        List<PluginCheck.Finding> findings = new ArrayList<>();
        new PythonCheck(pkg, "Greeter", List.of(), SAMPLE, Map.of(), PYTHON, Duration.ofSeconds(60), runtimeRoot).run(findings::add);
        assertThat(problems(findings)).singleElement().satisfies(f -> assertThat(f.text())
                .contains("class Greeter not found in algopkg/Greeter/backend.py; its backend classes (with __call__ or inference): "
                        + "algo_backend; name one in backend =")
                .doesNotContain("Tokenizer").doesNotContain("Traceback").doesNotContain("modelserve_runtime.py"));
    }

    @Test
    void aMissingInterpreterIsNamed() throws Exception {
        List<PluginCheck.Finding> findings = new ArrayList<>();
        new PythonCheck(pkg, null, List.of(), SAMPLE, Map.of(), "/nonexistent/python3", Duration.ofSeconds(60), runtimeRoot).run(findings::add);
        assertThat(problems(findings)).singleElement().satisfies(f -> assertThat(f.text()).contains("cannot run /nonexistent/python3")
                .contains("--python"));
    }

    record Run(int exitCode, String output, String errors) {}

    /** {@code modelserve check} as a user runs it: its exit code, stdout and stderr. */
    private static Run checkCommand(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            List<String> all = new ArrayList<>(List.of("check"));
            all.addAll(List.of(args));
            int code = new CommandLine(new Main()).execute(all.toArray(String[]::new));
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
    }

    /** examples/python/TinyOld under {@code dir}/algopkg/, and tinylib 1.0's wheel in wheelhouse/ beside it, as the build makes them. */
    private Path tinyOld() throws IOException {
        Path examples = Path.of("..", "examples", "python").toAbsolutePath().normalize();
        Path tiny = Files.createDirectories(dir.resolve("algopkg/TinyOld"));
        for (String file : List.of("__init__.py", "backend.py", "requirements.txt")) {
            Files.copy(examples.resolve("TinyOld").resolve(file), tiny.resolve(file));
        }
        // The zip examples/python/pom.xml makes of the same sources: a wheel is a zip of the package and its dist-info.
        Path sources = examples.resolve("wheels/tinylib-1.0");
        Path wheel = Files.createDirectories(dir.resolve("wheelhouse")).resolve("tinylib-1.0-py3-none-any.whl");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(wheel)); Stream<Path> walk = Files.walk(sources)) {
            for (Path file : (Iterable<Path>) walk.filter(Files::isRegularFile).sorted()::iterator) {
                zip.putNextEntry(new ZipEntry(sources.relativize(file).toString().replace('\\', '/')));
                Files.copy(file, zip);
                zip.closeEntry();
            }
        }
        return tiny;
    }

    @Test
    void aPackagePinnedToAWheelOfTheWheelhouseImportsItUnderCheckAsWhenServed() throws IOException {
        Path tiny = tinyOld();

        Run run = checkCommand(tiny.toString(), "--python", PYTHON, "--params", "{\"name\":\"check\"}");

        assertThat(run.exitCode()).as(run.output() + run.errors()).isZero();
        assertThat(run.output()).contains("requirements.txt installed from " + dir.resolve("wheelhouse"))
                .contains("\"tinylib\":\"1.0\"");
    }

    @Test
    void aRequirementTheWheelhouseLacksFailsWithPipsMessage() throws IOException {
        Path tiny = tinyOld();
        Files.writeString(tiny.resolve("requirements.txt"), "tinylib==9.9\n");

        Run run = checkCommand(tiny.toString(), "--python", PYTHON, "--params", "{\"name\":\"check\"}");

        assertThat(run.exitCode()).as(run.output() + run.errors()).isNotZero();
        assertThat(run.errors()).contains("installing requirements.txt into ").contains("(first time for this content)");
        assertThat(run.output()).contains("PROBLEM  installing its requirements.txt failed (exit code 1)")
                .contains("No matching distribution found for tinylib==9.9");
    }

    @Test
    void checkTakesThePythonOfConfIniForThePackageItNames() throws IOException {
        Path conf = Files.writeString(dir.resolve("conf.ini"), "[MODEL SERVE]\nalgopkg_dir = algopkg\nmodel_zoo = Model_ZOO\n"
                + "python = /nonexistent/python3\n\n" + Files.readString(pkg.resolve("conf.ini.section")));
        Files.createDirectories(dir.resolve("Model_ZOO"));

        assertThat(CheckCommand.confIniPython(conf, pkg)).contains("/nonexistent/python3");
        assertThat(CheckCommand.confIniPython(conf, dir.resolve("algopkg/Other"))).isEmpty();
        assertThat(CheckCommand.confIniPython(dir.resolve("missing.ini"), pkg)).isEmpty();
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
    void aPortBelow1024AsNonRootSaysItNeedsRoot() throws Exception {
        int unprivilegedFrom = Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_unprivileged_port_start")).getFirst().strip());
        assumeThat(unprivilegedFrom).as("this kernel lets every user bind port 80 (net.ipv4.ip_unprivileged_port_start = "
                + unprivilegedFrom + ")").isGreaterThan(80);
        String message;
        if (!System.getProperty("user.name").equals("root")) {
            message = PortProbe.problem("127.0.0.1", 80, "port").orElse("(no problem)");
        } else {
            // Root may bind any port (ip_unprivileged_port_start does not apply to it), and CI runs as root:
            // the probe runs as nobody instead, so the kernel really refuses the bind.
            assumeThat(Files.isExecutable(Path.of("/usr/bin/setpriv"))).as("running as root, and no setpriv to run as nobody")
                    .isTrue();
            message = probeAsNobody("127.0.0.1", 80, "port");
        }
        assertThat(message).contains("ports below 1024 need root").contains("port = 1024 or above");
    }

    /** The probe in a JVM of nobody's: its classes copied where nobody may read them, this JVM's java (under /usr/lib/jvm). */
    private String probeAsNobody(String bind, int port, String key) throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path classes = Files.createDirectories(dir.resolve("probe"));
        Path into = Files.createDirectories(classes.resolve("io/modelserve/cli"));
        for (Class<?> type : List.of(PortProbe.class, PortProbeMain.class)) {
            Files.copy(Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .resolve("io/modelserve/cli/" + type.getSimpleName() + ".class"), into.resolve(type.getSimpleName() + ".class"));
        }
        try (Stream<Path> walk = Files.walk(classes)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process child = new ProcessBuilder("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--", java,
                "-cp", classes.toString(), PortProbeMain.class.getName(), bind, String.valueOf(port), key)
                .directory(classes.toFile()).redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).as(output).isTrue();
        assertThat(child.exitValue()).as("the probe as nobody: " + output).isZero();
        return output;
    }

    @Test
    void theCurlHintUsesThePortOfConfIni() throws IOException {
        Path conf = Files.writeString(dir.resolve("conf.ini"), "[MODEL SERVE]\ndashboard_port = 9000\nport = 8123 ; REST\n\n[algopkg.X]\nport = 1\n");
        assertThat(ServePort.of(conf)).isEqualTo(8123);
        assertThat(ServePort.of(dir.resolve("missing.ini"))).isEqualTo(8000);
    }
}
