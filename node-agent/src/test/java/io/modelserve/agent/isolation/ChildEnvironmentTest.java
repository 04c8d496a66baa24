package io.modelserve.agent.isolation;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelserve.sdk.Device;
import org.junit.jupiter.api.Test;

class ChildEnvironmentTest {

    @Test
    void aGpuReplicaSeesItsDeviceOnly() {
        ProcessBuilder builder = ChildEnvironment.forReplica(Device.gpu(1, 0.5)).applyTo(new ProcessBuilder("true"));

        assertThat(builder.environment()).containsEntry("CUDA_VISIBLE_DEVICES", "1").containsEntry("DJL_OFFLINE", "true");
    }

    @Test
    void aCpuReplicaSeesNoGpuWhateverTheNodeHad() {
        ProcessBuilder builder = new ProcessBuilder("true");
        builder.environment().put("CUDA_VISIBLE_DEVICES", "0,1");

        ChildEnvironment.forReplica(Device.CPU).applyTo(builder);

        assertThat(builder.environment()).containsEntry("CUDA_VISIBLE_DEVICES", "");
    }
}
