package io.modelserve.controller.config;

import static io.modelserve.controller.config.ConfigFixture.SERVE;
import static io.modelserve.controller.config.ConfigFixture.foo;
import static org.assertj.core.api.Assertions.assertThat;

import io.modelserve.cluster.ServeSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code access_log} ([MODEL SERVE] and per section) and {@code latency_buckets_ms}. */
class TelemetryConfigTest {
    @TempDir
    Path dir;
    ConfigFixture fx;

    @BeforeEach
    void setUp() throws IOException {
        fx = new ConfigFixture(dir);
        fx.jar("Foo", "org.example.Foo");
    }

    @Test
    void theDefaultsAreNoAccessLogAndTwelveBucketsFromOneMillisecondToFiveSeconds() throws Exception {
        ServeSettings.Telemetry telemetry = fx.valid(SERVE + foo()).settings().telemetry();
        assertThat(telemetry.accessLog()).isFalse();
        assertThat(telemetry.logs("Foo")).isFalse();
        assertThat(telemetry.latencyBucketsMs()).hasSize(12).startsWith(1.0).endsWith(5_000.0).isSorted();
    }

    @Test
    void aSectionsOwnAccessLogOverridesTheClusterWideOne() throws Exception {
        ServeSettings.Telemetry telemetry = fx.valid(SERVE.replace("[MODEL SERVE]\n", "[MODEL SERVE]\naccess_log = true\n")
                + foo("access_log = off")).settings().telemetry();
        assertThat(telemetry.accessLog()).isTrue();
        assertThat(telemetry.accessLogOverrides()).isEqualTo(Map.of("Foo", false));
        assertThat(telemetry.logs("Foo")).isFalse();
        assertThat(telemetry.logs("Other")).isTrue();
    }

    @Test
    void bucketsAreReadInMilliseconds() throws Exception {
        ServeSettings.Telemetry telemetry = fx.valid(SERVE.replace("[MODEL SERVE]\n",
                "[MODEL SERVE]\nlatency_buckets_ms = 0.5, 1,2.5 , 10, 100\n") + foo()).settings().telemetry();
        assertThat(telemetry.latencyBucketsMs()).containsExactly(0.5, 1.0, 2.5, 10.0, 100.0);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "latency_buckets_ms = 1, 5, 5     | strictly ascending: 5 follows 5.0",
        "latency_buckets_ms = 10, 2       | strictly ascending: 2 follows 10.0",
        "latency_buckets_ms = 0, 1        | must be positive numbers of milliseconds separated by commas (e.g. 1, 2.5, 5, 10), got '0'",
        "latency_buckets_ms = 1, fast     | got 'fast'",
        "latency_buckets_ms = 1,,2        | got ''",
        "latency_buckets_ms = -1          | got '-1'",
        "latency_buckets_ms = 1e3         | got '1e3'",
        "access_log = sometimes           | must be true or false, got 'sometimes'",
    })
    void aBadValueNamesFileLineAndKey(String line, String fragment) throws Exception {
        ConfigError error = fx.error("[MODEL SERVE]\n" + line.strip() + "\n" + SERVE.substring("[MODEL SERVE]\n".length()) + foo());
        assertThat(error.file()).isEqualTo("conf.ini");
        assertThat(error.line()).isEqualTo(2);
        assertThat(error.section()).isEqualTo("MODEL SERVE");
        assertThat(error.key()).isEqualTo(line.substring(0, line.indexOf(' ')));
        assertThat(error.message()).contains(fragment);
    }

    @Test
    void aSectionsBadAccessLogNamesItsLine() throws Exception {
        ConfigError error = fx.error(SERVE + foo("access_log = maybe"));
        assertThat(error.section()).isEqualTo("algopkg.Foo");
        assertThat(error.key()).isEqualTo("access_log");
        assertThat(error.message()).isEqualTo("must be true or false, got 'maybe'");
    }

    @Test
    void tooManyBucketsAreRefused() throws Exception {
        String forty = String.join(", ", java.util.stream.IntStream.rangeClosed(1, 41).mapToObj(String::valueOf).toList());
        ConfigError error = fx.error(SERVE.replace("[MODEL SERVE]\n", "[MODEL SERVE]\nlatency_buckets_ms = " + forty + "\n") + foo());
        assertThat(error.message()).isEqualTo("at most 40 buckets, got 41");
        assertThat(List.of(error.key())).containsExactly("latency_buckets_ms");
    }
}
