package io.modelserve.controller.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelserve.cluster.ClusterEvent;
import io.modelserve.cluster.ClusterEvent.Kind;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.modelserve.controller.events.EventLog;
import io.modelserve.controller.reconcile.FakeClock;
import io.modelserve.controller.reconcile.FakeControllerStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventFeedTest {
    private static final List<ClusterEvent> EVENTS = List.of(
            new ClusterEvent(3, 30, Kind.REPLICA_FAILED, List.of("b"), "b-1", "b-1 failed"),
            new ClusterEvent(1, 10, Kind.LEADER, List.of(), "head", "head leads"),
            new ClusterEvent(2, 20, Kind.APPLY, List.of("a", "b"), "generation 1", "generation 1 applied"),
            new ClusterEvent(4, 40, Kind.REPLICA_STARTED, List.of("a"), "a-1", "a-1 running"));

    @Test
    void oldestFirstAfterTheCursor() {
        assertThat(EventFeed.select(EVENTS, 0, null, 500)).extracting(ClusterEvent::seq).containsExactly(1L, 2L, 3L, 4L);
        assertThat(EventFeed.select(EVENTS, 2, null, 500)).extracting(ClusterEvent::seq).containsExactly(3L, 4L);
        assertThat(EventFeed.select(EVENTS, 4, null, 500)).isEmpty();
    }

    @Test
    void aDeploymentSeesTheAppliesThatChangedItAndItsReplicas() {
        assertThat(EventFeed.select(EVENTS, 0, "b", 500)).extracting(ClusterEvent::seq).containsExactly(2L, 3L);
    }

    @Test
    void theLimitKeepsTheNewest() {
        assertThat(EventFeed.select(EVENTS, 0, null, 2)).extracting(ClusterEvent::seq).containsExactly(3L, 4L);
    }

    @Test
    void overHttpAFollowerPassesTheLastNextAndSeesEachEventOnce() throws Exception {
        FakeControllerStore store = new FakeControllerStore();
        EventLog log = new EventLog(store, new FakeClock(5_000), "head-1");
        log.record(Kind.APPLY, List.of("a"), "generation 1", "generation 1 applied");
        Javalin app = Javalin.create(config -> config.showJavalinBanner = false);
        new EventFeed(store::events).mount(app);
        app.start("127.0.0.1", 0);
        try {
            HttpClient http = HttpClient.newHttpClient();
            ObjectMapper json = new ObjectMapper();
            String base = "http://127.0.0.1:" + app.port() + "/api/events";
            JsonNode first = json.readTree(http.send(HttpRequest.newBuilder(URI.create(base)).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            assertThat(first.path("events")).extracting(e -> e.path("kind").asText()).containsExactly("LEADER", "APPLY");
            assertThat(first.path("events").get(1).path("atMillis").asLong()).isEqualTo(5_000);

            log.record(Kind.AUTOSCALE, List.of("a"), "a", "a: 1 -> 2 replicas");
            JsonNode next = json.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "?since="
                    + first.path("next").asLong() + "&deployment=a")).build(), HttpResponse.BodyHandlers.ofString()).body());
            assertThat(next.path("events")).extracting(e -> e.path("message").asText()).containsExactly("a: 1 -> 2 replicas");
            assertThat(next.path("next").asLong()).isEqualTo(3);

            HttpResponse<String> bad = http.send(HttpRequest.newBuilder(URI.create(base + "?since=yesterday")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(json.readTree(bad.body()).path("error").asText()).contains("whole numbers");
        } finally {
            app.stop();
        }
    }
}
