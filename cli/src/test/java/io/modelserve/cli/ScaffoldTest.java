package io.modelserve.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScaffoldTest {
    @TempDir
    Path dir;

    @Test
    void writesABuildableProjectNamedAfterThePlugin() throws IOException {
        Path project = dir.resolve("greeter");
        List<Path> files = new Scaffold("Greeter", "com.example.greeter", Path.of("/opt/modelserve")).writeTo(project);

        assertThat(files).contains(project.resolve("pom.xml"), project.resolve("src/main/java/com/example/greeter/Greeter.java"),
                project.resolve("src/test/java/com/example/greeter/GreeterTest.java"), project.resolve("conf.ini.section"),
                project.resolve("README.md"), project.resolve("src/main/model/greeter-vocabulary.txt"));
        String pom = Files.readString(project.resolve("pom.xml"));
        assertThat(pom).contains("<finalName>Greeter</finalName>").contains("<artifactId>algopkg-sdk</artifactId>")
                .contains("<version>${modelserve.version}</version><scope>provided</scope>")
                .contains("<modelserve.version>0.1.0-SNAPSHOT</modelserve.version>").doesNotContain("{{").doesNotContain("${project");
        assertThat(Files.readString(project.resolve("conf.ini.section"))).contains("[algopkg.Greeter]", "backend = com.example.greeter.Greeter",
                "model = greeter-vocabulary.txt", "route = greeter");
        assertThat(Files.readString(project.resolve("README.md"))).contains("/opt/modelserve/bin/mvn -f \"$PWD/pom.xml\" -o package",
                "cp target/Greeter.jar /opt/modelserve/algopkg/");
        assertThat(Files.readString(project.resolve("src/main/java/com/example/greeter/Greeter.java"))).contains("public class Greeter implements AlgoBackend");
    }

    /** The generated project builds offline only with plugins the platform build has downloaded: the root pom's. */
    @Test
    void pinsThePluginVersionsOfTheRootPom() throws IOException {
        Path project = dir.resolve("p");
        new Scaffold("P", "p", null).writeTo(project);
        String generated = Files.readString(project.resolve("pom.xml"));
        String root = Files.readString(Path.of("../pom.xml"));
        Matcher plugin = Pattern.compile("<artifactId>(maven-[a-z]+-plugin)</artifactId><version>([^<]+)</version>").matcher(generated);
        int pinned = 0;
        while (plugin.find()) {
            String version = plugin.group(2);
            String expected = "<artifactId>" + plugin.group(1) + "</artifactId><version>";
            int at = root.indexOf(expected);
            assertThat(at).as(plugin.group(1) + " in the root pom's pluginManagement").isPositive();
            String rootVersion = root.substring(at + expected.length(), root.indexOf('<', at + expected.length()));
            if (rootVersion.equals("${surefire.version}")) {
                rootVersion = root.replaceAll("(?s).*<surefire.version>([^<]+)</surefire.version>.*", "$1");
            }
            assertThat(version).as(plugin.group(1)).isEqualTo(rootVersion);
            pinned++;
        }
        assertThat(pinned).isEqualTo(7);
    }

    @Test
    void refusesBadNamesAndNonEmptyDirectories() throws IOException {
        assertThat(Scaffold.problem("Greeter", "com.example.greeter")).isNull();
        assertThat(Scaffold.problem("my-plugin", "x")).contains("'my-plugin' cannot name a plugin");
        assertThat(Scaffold.problem("Ok", "Com.Bad")).contains("is not a Java package name");
        Files.writeString(dir.resolve("existing.txt"), "x");
        assertThatThrownBy(() -> new Scaffold("A", "a", null).writeTo(dir)).hasMessageContaining("already exists and is not empty");
    }
}
