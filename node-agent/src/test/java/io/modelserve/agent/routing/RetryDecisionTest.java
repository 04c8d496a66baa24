package io.modelserve.agent.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.modelserve.agent.routing.RetryDecision.Accept;
import io.modelserve.agent.routing.RetryDecision.Decision;
import io.modelserve.agent.routing.RetryDecision.Fail;
import io.modelserve.agent.routing.RetryDecision.History;
import io.modelserve.agent.routing.RetryDecision.TryAnother;
import io.modelserve.agent.transport.Delivery;
import io.modelserve.agent.transport.Refusal;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The retry rules as a table: (what happened, the request's history, retry) -> what to do. */
class RetryDecisionTest {
    private static final History FRESH = History.start("echo", 1_000);
    private static final History RERUN_ONCE = new History("echo", 1_000, 1, false, false);
    private static final History LATE = FRESH.withDeadlinePassed(true);

    private static Delivery.Answered answered(int status) {
        return new Delivery.Answered(status, JsonNodeFactory.instance.objectNode().put("status", status == 200 ? 1 : 0), null);
    }

    private static final Delivery MAY_HAVE_RUN = new Delivery.MayHaveRun("connection reset");
    private static final Delivery NOT_SENT = new Delivery.NotSent("connection refused");
    private static final Delivery TIMED_OUT = new Delivery.TimedOut("no answer from n2 in time");

    static Stream<Arguments> table() {
        return Stream.of(
                // result, history, retry, expected decision
                Arguments.of(answered(200), FRESH, true, "accept"),
                Arguments.of(answered(500), FRESH, true, "accept"),
                // A callee's 503 inside a composed call is the caller's answer, never a reason to run it again.
                Arguments.of(answered(503), FRESH, true, "accept"),
                Arguments.of(answered(503), FRESH, false, "accept"),
                Arguments.of(answered(200), LATE, true, "accept"),
                Arguments.of(new Delivery.Refused(Refusal.QUEUE_FULL, "full"), FRESH, false, "another"),
                Arguments.of(new Delivery.Refused(Refusal.NOT_READY, "draining"), FRESH, false, "another"),
                Arguments.of(new Delivery.Refused(Refusal.REPLICA_GONE, "gone"), RERUN_ONCE, true, "another"),
                Arguments.of(NOT_SENT, FRESH, false, "another"),
                Arguments.of(NOT_SENT, RERUN_ONCE, true, "another"),
                Arguments.of(MAY_HAVE_RUN, FRESH, true, "another"),
                Arguments.of(MAY_HAVE_RUN, FRESH, false, "502"),
                Arguments.of(MAY_HAVE_RUN, RERUN_ONCE, true, "502"),
                Arguments.of(MAY_HAVE_RUN, LATE, true, "504"),
                // A send whose own wait ran out is past the deadline even where the router's clock is a hair behind.
                Arguments.of(TIMED_OUT, FRESH, true, "504"),
                Arguments.of(TIMED_OUT, FRESH, false, "504"),
                Arguments.of(NOT_SENT, LATE, true, "504"),
                Arguments.of(new Delivery.Refused(Refusal.QUEUE_FULL, "full"), LATE, true, "504"));
    }

    @ParameterizedTest(name = "{0} after {1}, retry = {2} -> {3}")
    @MethodSource("table")
    void decides(Delivery result, History history, boolean retry, String expected) {
        Decision decision = RetryDecision.decide(result, history, retry);

        String actual = switch (decision) {
            case Accept accept -> "accept";
            case TryAnother another -> "another";
            case Fail fail -> String.valueOf(fail.status());
        };
        assertThat(actual).isEqualTo(expected);
    }

    @Test
    void aFailureSaysWhyAndWhetherItWasRetried() {
        assertThat(((Fail) RetryDecision.decide(MAY_HAVE_RUN, FRESH, false)).message())
                .contains("echo", "connection reset", "not retried (retry = false)");
        assertThat(((Fail) RetryDecision.decide(MAY_HAVE_RUN, RERUN_ONCE, true)).message()).contains("retried once");
        assertThat(((Fail) RetryDecision.decide(NOT_SENT, LATE, true)).message()).contains("timeout_ms = 1000");
    }

    @Test
    void theHistoryCountsOnlyRerunsOfWhatMayHaveRunAndRemembersAFullQueue() {
        History afterLoss = FRESH.after(MAY_HAVE_RUN, new TryAnother());
        History afterRefusal = afterLoss.after(new Delivery.Refused(Refusal.QUEUE_FULL, "full"), new TryAnother());
        History afterNotSent = afterRefusal.after(NOT_SENT, new TryAnother());

        assertThat(afterLoss.rerunsAfterLoss()).isEqualTo(1);
        assertThat(afterLoss.sawFull()).isFalse();
        assertThat(afterNotSent.rerunsAfterLoss()).isEqualTo(1);
        assertThat(afterNotSent.sawFull()).isTrue();
        assertThat(FRESH.after(MAY_HAVE_RUN, new Fail(502, "lost")).rerunsAfterLoss()).isZero();
        // A canary's request that falls back to the main deployment keeps its reruns, not its full queues.
        assertThat(afterNotSent.forDeployment("main", 2_000)).isEqualTo(new History("main", 2_000, 1, false, false));
    }
}
