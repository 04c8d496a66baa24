package io.modelserve.agent.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RestartPolicyTest {
    @Test
    void theBackoffDoublesUpToItsMaximum() {
        RestartPolicy policy = RestartPolicy.DEFAULT;
        assertThat(policy.backoffMillis(0)).isEqualTo(1_000);
        assertThat(policy.backoffMillis(1)).isEqualTo(2_000);
        assertThat(policy.backoffMillis(5)).isEqualTo(32_000);
        assertThat(policy.backoffMillis(6)).isEqualTo(60_000);
        assertThat(policy.backoffMillis(1_000)).isEqualTo(60_000);
    }

    @Test
    void aPolicyWhoseMaximumIsBelowItsStartIsRefused() {
        assertThatThrownBy(() -> new RestartPolicy(5_000, 1_000)).isInstanceOf(IllegalArgumentException.class);
    }
}
