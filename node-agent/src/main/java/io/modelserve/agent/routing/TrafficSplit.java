package io.modelserve.agent.routing;

import io.modelserve.cluster.DeploymentSpec;
import java.util.List;
import java.util.function.Predicate;

/**
 * Which version of a deployment an unpinned request goes to: each canary takes its {@code traffic}
 * percent, the main deployment the rest. A canary with no replica ready gives its share to the main
 * one, so adding a canary (still starting) or removing one (draining) fails no request.
 */
public final class TrafficSplit {
    private TrafficSplit() {}

    /**
     * @param roll  uniform in 0..9_999 (hundredths of a percent)
     * @param ready whether a version has a replica that can take the request now
     */
    public static DeploymentSpec choose(DeploymentSpec main, List<DeploymentSpec> canaries, Predicate<DeploymentSpec> ready,
            int roll) {
        int upTo = 0;
        for (DeploymentSpec canary : canaries) {
            upTo += canary.traffic() * 100;
            if (roll < upTo) {
                return ready.test(canary) ? canary : main;
            }
        }
        return main;
    }

    /** What the canaries leave to the main deployment, in percent. */
    public static int mainShare(List<DeploymentSpec> canaries) {
        int taken = canaries.stream().mapToInt(DeploymentSpec::traffic).sum();
        return Math.max(0, 100 - taken);
    }
}
