package io.modelserve.agent.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.modelserve.cluster.ServeSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessLogTest {
    @TempDir
    Path dir;

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    private static AccessLine line(String deployment, int status) {
        return new AccessLine(Instant.EPOCH, deployment, "/" + deployment, AccessLine.Protocol.REST, "main", "r1", "n1", status,
                1, 2, 3, 4, 5);
    }

    private AccessLog unstarted(int capacity, long maxFileBytes, ServeSettings.Telemetry telemetry) {
        return new AccessLog(dir, "n1", () -> telemetry, meters, InstantSource.fixed(Instant.EPOCH), maxFileBytes, capacity, false);
    }

    @Test
    void linesGoToTheFileOfTheirDeploymentOneJsonObjectEach() throws Exception {
        AccessLog log = unstarted(10, 1 << 20, ServeSettings.Telemetry.DEFAULTS);
        log.write(List.of(line("A", 200), line("B", 404), line("A", 503)));
        assertThat(Files.readAllLines(dir.resolve("A.log"))).containsExactly(line("A", 200).toJson(), line("A", 503).toJson());
        assertThat(Files.readAllLines(dir.resolve("B.log"))).containsExactly(line("B", 404).toJson());
    }

    @Test
    void aFullQueueDropsTheLineAndCountsIt() {
        AccessLog log = unstarted(2, 1 << 20, ServeSettings.Telemetry.DEFAULTS);
        assertThat(log.offer(line("A", 200))).isTrue();
        assertThat(log.offer(line("A", 200))).isTrue();
        assertThat(log.offer(line("A", 200))).isFalse();
        assertThat(meters.get("modelserve.access.log.dropped").counter().count()).isEqualTo(1);
    }

    @Test
    void aFilePastItsSizeBecomesDotOneAndANewOneBegins() throws Exception {
        int lineBytes = line("A", 200).toJson().length() + 1;
        AccessLog log = unstarted(10, 2L * lineBytes, ServeSettings.Telemetry.DEFAULTS);
        List<AccessLine> five = new ArrayList<>();
        for (int status = 200; status < 205; status++) {
            five.add(line("A", status));
        }
        for (AccessLine each : five) {
            log.write(List.of(each));
        }
        // 2 lines, rotated; 2 more, rotated (replacing the first .1); the fifth in a new file.
        assertThat(Files.readAllLines(dir.resolve("A.log.1"))).containsExactly(five.get(2).toJson(), five.get(3).toJson());
        assertThat(Files.readAllLines(dir.resolve("A.log"))).containsExactly(five.get(4).toJson());
    }

    @Test
    void aSectionsOwnAccessLogOverridesTheClusterWideOneAndACanaryFollowsItsMain() {
        ServeSettings.Telemetry on = new ServeSettings.Telemetry(true, Map.of("Quiet", false), null);
        assertThat(on.logs("Loud")).isTrue();
        assertThat(on.logs("Quiet")).isFalse();
        assertThat(on.logs("Quiet@v2")).isFalse();
        ServeSettings.Telemetry off = new ServeSettings.Telemetry(false, Map.of("Loud", true, "Quiet@v2", true), null);
        assertThat(off.logs("Loud@v2")).isTrue();
        assertThat(off.logs("Quiet")).isFalse();
        assertThat(off.logs("Quiet@v2")).isTrue();
        assertThat(AccessLog.OFF.logs(io.modelserve.cluster.DeploymentSpec.of("Loud", "loud", List.of("POST"), "x", List.of(),
                List.of(), 1, new io.modelserve.cluster.Resources(0, 0), 1, 0, 1, 1000, Map.of()))).isFalse();
    }

    @Test
    void theWriterThreadWritesWhatIsOfferedAndCloseFlushesIt() throws Exception {
        AccessLog log = new AccessLog(dir, "n1", () -> ServeSettings.Telemetry.DEFAULTS, meters, InstantSource.system(),
                1 << 20, 100, true);
        for (int i = 0; i < 50; i++) {
            log.offer(line("A", 200));
        }
        log.close();
        assertThat(Files.readAllLines(dir.resolve("A.log"))).hasSize(50);
    }
}
