package io.modelserve.agent.builtin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.modelserve.cluster.Artifact;
import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.cluster.Resources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Metadata of a built-in deployment from its model file, as a node without a ready replica answers it. */
class ModelFileMetadataTest {
    @TempDir
    Path cache;

    private static DeploymentSpec spec(String backend, Artifact model) {
        return DeploymentSpec.of("Cls", "cls", List.of("POST"), backend, List.of(), List.of(model), 1,
                new Resources(100, 0), 1, 5, 100, 30_000, Map.of());
    }

    @Test
    void aHeadReadsTheSignatureFromTheFileApplyRead() throws Exception {
        Path model = ModelZoo.require(ModelZoo.CLS);
        String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(model)));
        Artifact artifact = new Artifact(model.getFileName().toString(), digest, Files.size(model), model.toString());
        ModelFileMetadata files = new ModelFileMetadata(cache, List.of(model.getParent()));

        JsonNode metadata = TestRequests.JSON.valueToTree(files.of(spec("builtin:onnx", artifact)).orElseThrow());
        assertThat(metadata.at("/inputs/0").toString()).isEqualTo("{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[-1,3,-1,-1]}");

        // Outside the directories it may read, or changed since apply: not used.
        assertThat(new ModelFileMetadata(cache, List.of(cache)).of(spec("builtin:onnx", artifact))).isEmpty();
        Artifact changed = new Artifact(artifact.name(), "0".repeat(64), artifact.size(), artifact.sourcePath());
        assertThat(files.of(spec("builtin:onnx", changed))).isEmpty();
    }
}
