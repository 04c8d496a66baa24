package io.modelserve.controller.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelserve.cluster.NodeStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeploymentRequestsTest {
    private static final NodeStatus LOCAL = new NodeStatus("node-1", "u1", "127.0.0.1", "http://127.0.0.1:1", 1000, 0, true, 0);
    /** Port 9 on 127.0.0.3: nothing listens, so its part is an error. */
    private static final NodeStatus GONE = new NodeStatus("node-3", "u3", "127.0.0.3", "http://127.0.0.3:9", 1000, 0, false, 0);

    @TempDir
    Path logDir;

    private static String line(String time, String route, int status, double totalMs, String replica) {
        return """
                {"time":"%s","deployment":"A","route":"%s","protocol":"rest","version":"1","replica":%s,"node":"node-1",\
                "status":%d,"bytes_in":12,"bytes_out":40,"queue_ms":0.012,"compute_ms":1.5,"total_ms":%s}
                """.formatted(time, route, replica == null ? "null" : "\"" + replica + "\"", status, totalMs);
    }

    private void write(String... lines) throws Exception {
        Files.createDirectories(logDir.resolve("access"));
        Files.writeString(logDir.resolve("access/A.log"), String.join("", lines),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    }

    @Test
    void aLineReadsBackWithEveryField() {
        RequestLogLine line = RequestLogLine.parse(line("2026-12-02T05:00:00.125Z", "/a", 503, 2.5, null).strip()).orElseThrow();
        assertThat(line.atMillis()).isEqualTo(java.time.Instant.parse("2026-12-02T05:00:00.125Z").toEpochMilli());
        assertThat(line.replica()).as("no replica answered").isNull();
        assertThat(line.status()).isEqualTo(503);
        assertThat(line.bytesIn()).isEqualTo(12L);
        assertThat(line.queueMs()).isEqualTo(0.012);
        assertThat(line.totalMs()).isEqualTo(2.5);
        assertThat(RequestLogLine.parse("{\"time\":\"yesterday\"}")).as("not a time").isEmpty();
        assertThat(RequestLogLine.parse("{\"time\":\"2026-12-02T05:00:00Z\",\"sta")).as("a torn line").isEmpty();
        assertThat(RequestLogLine.parse("[1,2]")).isEmpty();
    }

    @Test
    void theFilterSelectsByStatusClassTextAndTime() {
        RequestLogLine ok = RequestLogLine.parse(line("2026-12-02T05:00:00Z", "/extract", 200, 1.0, "A-r1")).orElseThrow();
        RequestLogLine bad = RequestLogLine.parse(line("2026-12-02T05:00:01Z", "/extract", 400, 30.0, "A-r2")).orElseThrow();
        RequestLogLine down = RequestLogLine.parse(line("2026-12-02T05:00:02Z", "/extract", 503, 0.1, null)).orElseThrow();
        assertThat(List.of(ok, bad, down)).filteredOn(new RequestFilter("errors", "", 0)::matches).containsExactly(bad, down);
        assertThat(List.of(ok, bad, down)).filteredOn(new RequestFilter("5xx", "", 0)::matches).containsExactly(down);
        assertThat(List.of(ok, bad, down)).filteredOn(new RequestFilter("", "a-R2", 0)::matches).containsExactly(bad);
        assertThat(List.of(ok, bad, down)).filteredOn(new RequestFilter("", "", 10)::matches).containsExactly(bad);
        assertThat(RequestFilter.ANY.isAny()).isTrue();
        assertThatThrownBy(() -> new RequestFilter("6xx", "", 0)).hasMessageContaining("2xx, 3xx, 4xx, 5xx or errors");
        assertThatThrownBy(() -> new RequestFilter("", "", -1)).hasMessageContaining("min_ms");
    }

    @Test
    void theTailIsTheNewestLinesAndAFollowerGetsEachLineOnce() throws Exception {
        write(line("2026-12-02T05:00:00Z", "/a", 200, 1, "A-r1"), line("2026-12-02T05:00:01Z", "/b", 500, 1, "A-r1"),
                line("2026-12-02T05:00:02Z", "/c", 200, 1, "A-r1"));
        DeploymentRequests requests = new DeploymentRequests(() -> List.of(LOCAL), "node-1", RequestLogs.under(logDir));

        DeploymentRequests.Page tail = requests.read("A", 2, Map.of(), RequestFilter.ANY);
        assertThat(tail.requests()).extracting(RequestLogLine::route).containsExactly("/b", "/c");
        long offset = tail.nodes().getFirst().offset();

        write(line("2026-12-02T05:00:03Z", "/d", 200, 1, "A-r1"), "{\"time\":\"2026-12-02T05:00:04Z\",\"rou");
        DeploymentRequests.Page next = requests.read("A", 2, Map.of("node-1", offset), RequestFilter.ANY);
        assertThat(next.requests()).as("the torn last line waits").extracting(RequestLogLine::route).containsExactly("/d");

        DeploymentRequests.Page errors = requests.read("A", 10, Map.of(), new RequestFilter("5xx", "", 0));
        assertThat(errors.requests()).extracting(RequestLogLine::route).containsExactly("/b");
    }

    @Test
    void aNodeThatDoesNotAnswerIsAnErrorOnItsPartOnly() throws Exception {
        write(line("2026-12-02T05:00:00Z", "/a", 200, 1, "A-r1"));
        DeploymentRequests requests = new DeploymentRequests(() -> List.of(LOCAL, GONE), "node-1", RequestLogs.under(logDir));
        DeploymentRequests.Page page = requests.read("A", 10, Map.of(), RequestFilter.ANY);
        assertThat(page.requests()).hasSize(1);
        assertThat(page.nodes()).filteredOn(p -> p.node().equals("node-3")).singleElement()
                .satisfies(p -> assertThat(p.error()).contains("cannot read the request log of A on node-3"));
        assertThat(page.nodes()).filteredOn(p -> p.node().equals("node-1")).singleElement()
                .satisfies(p -> assertThat(p.error()).isNull());
    }

    @Test
    void aDeploymentWithoutALogHasNoRequestsAndANameThatIsAPathIsRefused() throws Exception {
        DeploymentRequests requests = new DeploymentRequests(() -> List.of(LOCAL), "node-1", RequestLogs.under(logDir));
        assertThat(requests.read("Nothing", 10, Map.of(), RequestFilter.ANY).requests()).isEmpty();
        assertThat(requests.read("../../etc/passwd", 10, Map.of(), RequestFilter.ANY).nodes().getFirst().error())
                .contains("not a deployment name");
    }
}
