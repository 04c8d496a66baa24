package io.modelserve.controller.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** parse() answers with a result for any input; it never throws. */
class ConfigRobustnessTest {
    @TempDir
    Path dir;

    private final ConfigParser parser = new ConfigParser(Set.of(), name -> null);

    @Test
    void directoryInsteadOfFile() {
        ConfigResult result = parser.parse(dir);
        assertThat(result).isInstanceOf(ConfigResult.Invalid.class);
        assertThat(((ConfigResult.Invalid) result).errors()).singleElement()
                .satisfies(e -> assertThat(e.message()).contains("is a directory"));
    }

    @Test
    void missingFile() {
        ConfigResult result = parser.parse(dir.resolve("absent.ini"));
        assertThat(((ConfigResult.Invalid) result).errors()).singleElement().satisfies(e -> {
            assertThat(e.file()).isEqualTo("absent.ini");
            assertThat(e.line()).isEqualTo(1);
            assertThat(e.message()).contains("cannot read");
        });
    }

    @Test
    void invalidUtf8() throws Exception {
        Path file = Files.write(dir.resolve("conf.ini"), new byte[] {'[', (byte) 0xC3, (byte) 0x28, ']'});
        assertThat(((ConfigResult.Invalid) parser.parse(file)).errors()).singleElement()
                .satisfies(e -> assertThat(e.message()).contains("not UTF-8"));
    }

    @Test
    void tooLargeFile() throws Exception {
        Path file = Files.write(dir.resolve("conf.ini"), new byte[(int) ConfigParser.MAX_FILE_BYTES + 1]);
        assertThat(((ConfigResult.Invalid) parser.parse(file)).errors()).singleElement()
                .satisfies(e -> assertThat(e.message()).contains("larger than"));
    }

    @Test
    void binaryGarbageGivesErrorsNotExceptions() {
        Random random = new Random(42);
        String specials = "[]=;#\n\r ${}\\:";
        for (int round = 0; round < 500; round++) {
            char[] chars = new char[random.nextInt(400)];
            for (int i = 0; i < chars.length; i++) {
                chars[i] = random.nextInt(4) == 0 ? specials.charAt(random.nextInt(specials.length()))
                        : (char) random.nextInt(0x3000);
            }
            ConfigResult result = parser.parse(dir.resolve("conf.ini"), new String(chars));
            assertThat(result).isInstanceOf(ConfigResult.Invalid.class);
            // The catch-all in parse() must stay a safety net, not the path garbage takes.
            assertThat(((ConfigResult.Invalid) result).errors())
                    .noneSatisfy(e -> assertThat(e.message()).startsWith("internal error"))
                    .noneSatisfy(e -> assertThat(e.message()).startsWith("cannot read this line"));
        }
    }

    @Test
    void hugeLineIsReportedShortened() {
        String value = "x".repeat(1_000_000);
        ConfigResult result = parser.parse(dir.resolve("conf.ini"), "[MODEL SERVE]\nport = " + value + "\n");
        assertThat(((ConfigResult.Invalid) result).errors()).anySatisfy(e -> {
            assertThat(e.key()).isEqualTo("port");
            assertThat(e.message().length()).isLessThan(200);
        });
    }

    @Test
    void hugeRouteAndBackendAreErrorsNotStackOverflows() {
        String text = "[MODEL SERVE]\n[algopkg.Foo]\nbackend = " + "a.".repeat(200_000) + "B\nroute = "
                + "a/".repeat(200_000) + "b\n";
        ConfigResult result = parser.parse(dir.resolve("conf.ini"), text);
        assertThat(((ConfigResult.Invalid) result).errors()).extracting(ConfigError::key).contains("backend", "route")
                .doesNotContainNull();
    }

    @Test
    void emptyTextNeedsTheServeSection() {
        ConfigResult result = parser.parse(Path.of("conf.ini"), "");
        assertThat(((ConfigResult.Invalid) result).errors()).singleElement()
                .hasToString("conf.ini:1: missing required section [MODEL SERVE]");
    }

    @Test
    void oddHeadersDoNotConfuseTheLineIndex() {
        String text = "[MODEL SERVE]\n[a]]\n[ algopkg.X ][y]\nk = v\n\u0000x\u0001 = 1\n";
        ConfigResult result = parser.parse(dir.resolve("conf.ini"), text);
        assertThat(((ConfigResult.Invalid) result).errors()).extracting(ConfigError::line).contains(2, 3);
    }
}
