package io.modelserve.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.ComposeContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The docker/ topology (head, standby, two agents) built and run by Docker Compose. Needs a Docker
 * engine; without one (as on this project's development machines) JUnit reports it as skipped and
 * {@link ClusterTest} covers the same behaviour with separate JVMs on loopback.
 */
@Testcontainers(disabledWithoutDocker = true)
class DockerComposeTest {
    @Container
    static final ComposeContainer CLUSTER = new ComposeContainer(Cli.ROOT.resolve("docker/compose.yaml").toFile())
            .withBuild(true)
            .withExposedService("head", 8000, Wait.forHttp("/-/healthz").forStatusCode(200)
                    .withStartupTimeout(Duration.ofMinutes(15)));

    @Test
    void theComposedClusterServesTheShippedDeployments() throws Exception {
        String host = CLUSTER.getServiceHost("head", 8000);
        int port = CLUSTER.getServicePort("head", 8000);
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://" + host + ":" + port + "/embed")).POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"hello\"}"))
                .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"embedding\"");
    }

}
