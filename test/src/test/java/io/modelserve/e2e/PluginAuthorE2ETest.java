package io.modelserve.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The plugin author's path of the README, as a user walks it: {@code modelserve init}, the generated
 * project's own build and test (Maven, offline), its jar dropped into {@code algopkg/} of a running
 * head, {@code apply}, a request to its route.
 */
class PluginAuthorE2ETest {

    @Test
    void aScaffoldedPluginBuildsOfflineAndServesItsRoute() throws Exception {
        Path dir = RunningHead.scratchDir(PluginAuthorE2ETest.class);
        RunningHead.Workspace workspace = RunningHead.workspace(dir);
        // The new plugin's model goes into a Model_ZOO of this test, not the checkout's.
        Path modelZoo = Files.createDirectories(dir.resolve("Model_ZOO"));
        Path conf = Files.writeString(dir.resolve("conf.ini"),
                workspace.header().replace("model_zoo = " + Cli.ROOT.resolve("Model_ZOO"), "model_zoo = Model_ZOO"));
        assertThat(Files.readString(conf)).contains("model_zoo = Model_ZOO\n");
        try (RunningHead head = workspace.start("conf.ini")) {
            long started = System.nanoTime();

            Cli.Result init = Cli.run(dir, 60, "init", "Greeter", "--dir", "greeter");
            assertThat(init.exitCode()).as(init.toString()).isZero();
            Path project = dir.resolve("greeter");

            Build build = buildOffline(project, dir.resolve("m2"));
            assertThat(build.exitCode()).as(build.output()).isZero();
            assertThat(build.output()).as("the generated test ran and passed").containsPattern("Tests run: 3, Failures: 0, Errors: 0, Skipped: 0");
            Path jar = project.resolve("target/Greeter.jar");
            assertThat(jar).isRegularFile();

            Files.copy(jar, dir.resolve("algopkg/Greeter.jar"));
            Files.copy(project.resolve("src/main/model/greeter-vocabulary.txt"), modelZoo.resolve("greeter-vocabulary.txt"));
            Files.writeString(conf, Files.readString(conf) + "\n" + Files.readString(project.resolve("conf.ini.section")));
            Cli.Result apply = head.cli("apply", "conf.ini");
            assertThat(apply.exitCode()).as(apply.toString()).isZero();

            HttpResponse<String> response = head.post("/greeter", "{\"text\":\"Hello model world\"}");
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            JsonNode body = RunningHead.json(response);
            assertThat(body.path("status").asInt()).isEqualTo(1);
            assertThat(body.path("result").path("known").toString()).isEqualTo("[\"hello\",\"model\"]");
            assertThat(body.path("result").path("greeting").asText()).isEqualTo("hello");
            System.out.printf("init -> first 200 from /greeter: %.1f s (of which the offline Maven build with its tests: %.1f s)%n",
                    millis / 1000.0, build.millis() / 1000.0);
        }
    }

    record Build(int exitCode, String output, long millis) {}

    /**
     * {@code bin/mvn -o package} on the generated project, as its README says. The platform's own
     * artifacts (SDK, test kit and what they depend on) come from this build's modules, put into a
     * fresh local repository chained in front of the user's: the test does not rely on a
     * {@code ./mvnw install} having run before it, and never writes into the user's repository.
     */
    private static Build buildOffline(Path project, Path repository) throws IOException, InterruptedException {
        installPlatform(repository);
        Path userRepository = Path.of(System.getProperty("user.home"), ".m2", "repository");
        Process process = new ProcessBuilder(Cli.ROOT.resolve("bin/mvn").toString(), "-B", "-o", "-f", project.resolve("pom.xml").toString(),
                "-Dmaven.repo.local=" + repository, "-Dmaven.repo.local.tail=" + userRepository, "package")
                .directory(project.toFile()).redirectErrorStream(true).redirectOutput(project.resolve("build.out").toFile()).start();
        long started = System.nanoTime();
        if (!process.waitFor(600, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the generated project's build did not finish in 600 s:\n" + Files.readString(project.resolve("build.out")));
        }
        return new Build(process.exitValue(), Files.readString(project.resolve("build.out")),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    /** The parent pom, then every io.modelserve module on the test kit's classpath, from this checkout's build. */
    private static void installPlatform(Path repository) throws IOException {
        String rootPom = Files.readString(Cli.ROOT.resolve("pom.xml"));
        Matcher version = Pattern.compile("<artifactId>modelserve-parent</artifactId>\\s*<version>([^<]+)</version>").matcher(rootPom);
        assertThat(version.find()).isTrue();
        String v = version.group(1);
        install(repository, "modelserve-parent", v, Cli.ROOT.resolve("pom.xml"), null);
        Path testkit = Cli.ROOT.resolve("algopkg-testkit/target/classes/io/modelserve/testkit/platform.classpath");
        List<String> classpath = List.of(Files.readString(testkit, StandardCharsets.UTF_8).strip().split(File.pathSeparator));
        install(repository, "algopkg-testkit", v, Cli.ROOT.resolve("algopkg-testkit/pom.xml"), Cli.ROOT.resolve("algopkg-testkit/target/algopkg-testkit-" + v + ".jar"));
        for (String entry : classpath) {
            String file = Path.of(entry).getFileName().toString();
            if (file.endsWith("-" + v + ".jar")) {
                String module = file.substring(0, file.length() - v.length() - 5);
                install(repository, module, v, Cli.ROOT.resolve(module + "/pom.xml"), Cli.ROOT.resolve(module + "/target/" + file));
            }
        }
    }

    private static void install(Path repository, String artifactId, String version, Path pom, Path jar) throws IOException {
        Path target = Files.createDirectories(repository.resolve("io/modelserve").resolve(artifactId).resolve(version));
        Files.copy(pom, target.resolve(artifactId + "-" + version + ".pom"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        if (jar != null) {
            assertThat(jar).as("built module " + artifactId + " (run bin/mvn -DskipTests install first)").isRegularFile();
            Files.copy(jar, target.resolve(artifactId + "-" + version + ".jar"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
