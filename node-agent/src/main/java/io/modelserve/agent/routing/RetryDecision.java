package io.modelserve.agent.routing;

import io.modelserve.agent.transport.Delivery;
import io.modelserve.agent.transport.Refusal;

/**
 * What to do after one try of a request: take the answer, try another replica, or fail with a
 * status. One pure function of the try's {@link Delivery}, the request's {@link History} so far and
 * the deployment's {@code retry}; the router only carries it out. The rules:
 * <ul>
 *   <li>An answer is the answer, whatever its status (a callee's 503 inside a composed call included).</li>
 *   <li>A request that was refused or never sent did not run: another replica may take it.</li>
 *   <li>A request that may have run runs again only if the deployment says {@code retry = true}
 *       (the operator's word that it is idempotent), and then once at most; with {@code retry = false}
 *       never: 502.</li>
 *   <li>Past the request's deadline nothing is tried any more: 504. A send whose own wait ran out
 *       ({@link Delivery.TimedOut}) is past it whatever the caller's clock says.</li>
 * </ul>
 */
public final class RetryDecision {
    private RetryDecision() {}

    public sealed interface Decision {}

    /** Use this answer. */
    public record Accept() implements Decision {}

    /** Try another replica (this one is skipped). */
    public record TryAnother() implements Decision {}

    /** Answer the client with this status and message. */
    public record Fail(int status, String message) implements Decision {}

    /**
     * What happened to a request so far.
     *
     * @param rerunsAfterLoss how often it was sent again after a try that may have run
     * @param sawFull         whether a replica refused it for a full queue (for the final 503's message)
     * @param deadlinePassed  whether its {@code timeout_ms} is spent
     */
    public record History(String deployment, long timeoutMs, int rerunsAfterLoss, boolean sawFull, boolean deadlinePassed) {
        public static History start(String deployment, long timeoutMs) {
            return new History(deployment, timeoutMs, 0, false, false);
        }

        /** The history once {@code result} happened and {@code decision} was taken on it. */
        public History after(Delivery result, Decision decision) {
            boolean full = sawFull || result instanceof Delivery.Refused refused && refused.reason() == Refusal.QUEUE_FULL;
            int reruns = rerunsAfterLoss + (result instanceof Delivery.MayHaveRun && decision instanceof TryAnother ? 1 : 0);
            return new History(deployment, timeoutMs, reruns, full, deadlinePassed);
        }

        /** The same request sent on to another deployment (a canary's main one): its reruns still count. */
        public History forDeployment(String name, long timeout) {
            return new History(name, timeout, rerunsAfterLoss, false, deadlinePassed);
        }

        public History withDeadlinePassed(boolean passed) {
            return new History(deployment, timeoutMs, rerunsAfterLoss, sawFull, passed);
        }
    }

    public static Decision decide(Delivery result, History history, boolean retry) {
        if (result instanceof Delivery.Answered) {
            return new Accept();
        }
        if (history.deadlinePassed()) {
            return timedOut(history);
        }
        return switch (result) {
            case Delivery.Refused refused -> new TryAnother();
            case Delivery.NotSent notSent -> new TryAnother();
            case Delivery.MayHaveRun lost when !retry -> new Fail(502, "the node running " + history.deployment()
                    + " was lost while answering (" + lost.cause() + "); not retried (retry = false)");
            case Delivery.MayHaveRun lost when history.rerunsAfterLoss() >= 1 -> new Fail(502, "the node running "
                    + history.deployment() + " was lost while answering (" + lost.cause() + "); retried once");
            case Delivery.MayHaveRun lost -> new TryAnother();
            case Delivery.Answered answered -> new Accept();
            case Delivery.TimedOut late -> timedOut(history);
        };
    }

    private static Fail timedOut(History history) {
        return new Fail(504, history.deployment() + " did not answer within timeout_ms = " + history.timeoutMs());
    }
}
