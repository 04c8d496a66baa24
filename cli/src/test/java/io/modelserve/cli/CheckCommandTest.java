package io.modelserve.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code modelserve check} on real jars, run as the CLI runs it. */
class CheckCommandTest {
    private static final String WORDS = """
            package good;

            import io.modelserve.sdk.*;
            import java.nio.file.*;
            import java.util.*;

            public class Words implements AlgoBackend {
                private List<String> words;

                public void init(BackendContext context) throws Exception {
                    words = Files.readAllLines(context.modelPaths().get(0));
                }

                public Object inference(Request request) {
                    return new TreeMap<>(Map.of("words", words, "text", request.params().path("text").asText()));
                }
            }
            """;

    @TempDir
    static Path dir;
    private static Path model;

    @BeforeAll
    static void model() throws IOException {
        model = Files.writeString(dir.resolve("words.txt"), "alpha\nbeta\n");
    }

    record Run(int exitCode, String output) {}

    private static Run check(String... args) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            List<String> all = new ArrayList<>(List.of("check"));
            all.addAll(List.of(args));
            int code = new CommandLine(new Main()).execute(all.toArray(String[]::new));
            return new Run(code, buffer.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(original);
        }
    }

    @Test
    void aGoodJarLoadsInitialisesAndAnswers() throws IOException {
        Path jar = CompiledPlugin.jar(dir, "Words", Map.of("good.Words", WORDS));

        Run run = check(jar.toString(), "--model", model.toString(), "--params", "{\"text\":\"hi\"}");

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output())
                .contains("found backend class good.Words")
                .contains("backend good.Words implements io.modelserve.sdk.AlgoBackend")
                .contains("init succeeded in")
                .contains("with models [words.txt]")
                .containsPattern("inference answered in \\d+ ms .*: 200 \\{\"status\":1,\"result\":\\{\"text\":\"hi\",\"words\":\\[\"alpha\",\"beta\"]},\"info\":\"testkit/Words-test-\\d+\"}")
                .contains("ok: " + jar + " loads, initialises and answers")
                .doesNotContain("PROBLEM").doesNotContain("warning");
    }

    @Test
    void aClassThatDoesNotImplementTheInterfaceIsNamedWithTheFix() throws IOException {
        Path jar = CompiledPlugin.jar(dir, "NotABackend", Map.of("bad.Plain",
                "package bad; public class Plain { public Object inference(Object request) { return 1; } }"));

        Run named = check(jar.toString(), "--backend", "bad.Plain");
        Run found = check(jar.toString());

        assertThat(named.exitCode()).isEqualTo(1);
        assertThat(named.output()).contains("PROBLEM  bad.Plain does not implement io.modelserve.sdk.AlgoBackend; make it `implements io.modelserve.sdk.AlgoBackend`")
                .contains("1 problem found");
        assertThat(found.exitCode()).isEqualTo(1);
        assertThat(found.output()).contains("PROBLEM  no public concrete class in " + jar + " implements io.modelserve.sdk.AlgoBackend");
    }

    @Test
    void anInitThatThrowsIsReportedWithItsMessage() throws IOException {
        Path jar = CompiledPlugin.jar(dir, "Broken", Map.of("broken.Broken", """
                package broken;

                public class Broken implements io.modelserve.sdk.AlgoBackend {
                    public void init(io.modelserve.sdk.BackendContext context) {
                        throw new IllegalStateException("weights.bin is corrupt");
                    }

                    public Object inference(io.modelserve.sdk.Request request) {
                        return 1;
                    }
                }
                """));

        Run run = check(jar.toString(), "--model", model.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.output()).containsPattern("PROBLEM  init failed after \\d+ ms: weights.bin is corrupt; on a node the replica would be FAILED")
                .doesNotContain("inference answered");
    }

    @Test
    void warnsAboutBundledSharedLibrariesAndCallsThatEndTheJvm() throws IOException {
        Path jar = CompiledPlugin.jar(dir, "Rude", Map.of(
                "rude.Rude", """
                        package rude;

                        public class Rude implements io.modelserve.sdk.AlgoBackend {
                            public void init(io.modelserve.sdk.BackendContext context) {
                            }

                            public Object inference(io.modelserve.sdk.Request request) {
                                if (request.params().has("quit")) {
                                    System.exit(3);
                                }
                                return "fine";
                            }
                        }
                        """,
                "com.fasterxml.jackson.databind.ObjectMapperCopy", "package com.fasterxml.jackson.databind; public class ObjectMapperCopy { }"));

        Run run = check(jar.toString());

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output())
                .contains("warning  bundles its own Jackson (1 classes in Rude.jar); the platform shares its Jackson with every plugin, so this copy is ignored")
                .contains("warning  rude.Rude calls java.lang.System.exit: on a node that ends the whole JVM")
                .contains("(2 warnings)");
    }

    @Test
    void aMissingJarOrModelSaysWhatToPass() throws IOException {
        Run noJar = check(dir.resolve("Nope.jar").toString());
        Path jar = CompiledPlugin.jar(dir, "Words2", Map.of("good.Words", WORDS));
        Run noModel = check(jar.toString(), "--model", dir.resolve("missing.onnx").toString());
        Run badParams = check(jar.toString(), "--model", model.toString(), "--params", "[1]");

        assertThat(noJar.exitCode()).isEqualTo(1);
        assertThat(noJar.output()).contains("PROBLEM  " + dir.resolve("Nope.jar") + " does not exist");
        assertThat(noModel.output()).contains("PROBLEM  model file " + dir.resolve("missing.onnx") + " does not exist");
        assertThat(badParams.output()).contains("PROBLEM  --params: the JSON body must be an object");
    }
}
