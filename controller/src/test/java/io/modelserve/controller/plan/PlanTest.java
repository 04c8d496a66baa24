package io.modelserve.controller.plan;

import static io.modelserve.controller.reconcile.Specs.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.controller.plan.Plan.Change;
import io.modelserve.controller.plan.Plan.Kind;
import io.modelserve.controller.reconcile.Specs;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlanTest {
    private static final Specs LLM = spec("llm", 2);

    @Test
    void aNewDeploymentIsCreated() {
        Plan plan = Plan.between(Map.of(), List.of(LLM.build(), spec("ocr", 1).build()));

        assertThat(plan.changes()).extracting(Change::toString).containsExactly(
                "llm: created (2 replicas at /llm)",
                "ocr: created (1 replica at /ocr)");
        assertThat(plan.changes().getFirst().kinds()).containsExactly(Kind.CREATED);
        assertThat(plan.changesAnything()).isTrue();
    }

    @Test
    void theSameSpecIsUnchanged() {
        Plan plan = Plan.between(current(LLM.build()), List.of(LLM.build()));

        assertThat(plan.changes()).singleElement().satisfies(change -> {
            assertThat(change.kinds()).containsExactly(Kind.UNCHANGED);
            assertThat(change.detail()).isEmpty();
            assertThat(change).hasToString("llm: unchanged");
        });
        assertThat(plan.changesAnything()).isFalse();
        assertThat(Plan.same(LLM.build(), LLM.build())).isTrue();
    }

    @Test
    void aDeploymentLeftOutIsRemovedAndFreesItsRoute() {
        Plan plan = Plan.between(current(LLM.build(), spec("ocr", 1).build(), spec("asr", 1).build()),
                List.of(LLM.build()));

        assertThat(plan.changes()).extracting(Change::toString).containsExactly(
                "llm: unchanged",
                "asr: removed (route /asr freed)",
                "ocr: removed (route /ocr freed)");
        assertThat(plan.changes().get(1).kinds()).containsExactly(Kind.REMOVED);
        assertThat(plan.changesAnything()).isTrue();
    }

    @Test
    void scalingChangesOnlyTheCount() {
        Change change = only(Plan.between(current(LLM.build()), List.of(LLM.replicas(5).build())));

        assertThat(change.kinds()).containsExactly(Kind.SCALED);
        assertThat(change).hasToString("llm: scaled (replicas 2 -> 5)");
    }

    @Test
    void configChangesInPlace() {
        Change change = only(Plan.between(current(LLM.build()),
                List.of(LLM.withConfig(Map.of("greeting", "bonjour")).build())));

        assertThat(change.kinds()).containsExactly(Kind.UPDATED_IN_PLACE);
        assertThat(change).hasToString("llm: updated in place (config)");
    }

    @Test
    void routeMethodAndTimeoutChangeInPlace() {
        assertThat(only(Plan.between(current(LLM.build()), List.of(LLM.withRoute("chat").build()))))
                .hasToString("llm: updated in place (route /llm -> /chat)");
        assertThat(only(Plan.between(current(LLM.build()), List.of(LLM.withMethods("GET", "POST").build()))))
                .hasToString("llm: updated in place (method GET,POST)");
        assertThat(only(Plan.between(current(LLM.build()), List.of(LLM.withTimeout(5_000).build()))))
                .hasToString("llm: updated in place (timeout_ms 5000)");

        Change all = only(Plan.between(current(LLM.build()), List.of(LLM.withConfig(Map.of()).withRoute("chat")
                .withMethods("GET").withTimeout(1).build())));
        assertThat(all.kinds()).containsExactly(Kind.UPDATED_IN_PLACE);
        assertThat(all.detail()).isEqualTo("config, route /llm -> /chat, method GET, timeout_ms 1");
    }

    @Test
    void eachRestartFieldReplacesTheReplicasAndSaysWhy() {
        assertReplaced(LLM.withJar("jar-v2"), "plugin jar changed");
        assertReplaced(LLM.withModel("model-v2"), "model files changed");
        assertReplaced(LLM.withBackend("com.example.Other"), "backend com.example.Other");
        assertReplaced(LLM.withBatching(8, 0), "batching");
        assertReplaced(LLM.withBatching(1, 20), "batching");
        assertReplaced(LLM.withCost("2", "0.5"), "cost cpu 2, gpu 0.5");
        assertReplaced(LLM.withMaxQueued(7), "max_queued");
    }

    @Test
    void severalRestartReasonsAreListedTogether() {
        Change change = only(Plan.between(current(LLM.build()),
                List.of(LLM.withJar("jar-v2").withModel("model-v2").build())));

        assertThat(change).hasToString("llm: replaced (plugin jar changed, model files changed; replicas replaced one by one)");
    }

    @Test
    void aDeploymentCanBeReplacedUpdatedAndScaledAtOnce() {
        Change change = only(Plan.between(current(LLM.build()), List.of(LLM.withJar("jar-v2")
                .withConfig(Map.of("greeting", "hi")).replicas(3).build())));

        assertThat(change.kinds()).containsExactly(Kind.REPLACED, Kind.UPDATED_IN_PLACE, Kind.SCALED);
        assertThat(change).hasToString("llm: replaced, updated in place, scaled "
                + "(plugin jar changed; replicas replaced one by one; config; replicas 2 -> 3)");
    }

    @Test
    void aVersionChangeWithNoKnownReasonNamesTheVersions() {
        DeploymentSpec before = LLM.build();
        DeploymentSpec after = new DeploymentSpec(before.name(), before.route(), before.methods(), before.backend(),
                before.pluginJars(), before.models(), before.replicas(), before.cost(), before.maxBatchSize(),
                before.batchWaitMs(), before.maxQueued(), before.timeoutMs(), before.config(), before.retry(), before.options(), "feedbeef0000", 0, null, null, false, null);

        assertThat(only(Plan.between(current(before), List.of(after))))
                .hasToString("llm: replaced (version " + before.version() + " -> feedbeef0000; replicas replaced one by one)");
    }

    @Test
    void changesFollowTheNewFileOrderThenRemovalsByName() {
        Plan plan = Plan.between(current(spec("b", 1).build(), spec("z", 1).build(), spec("a", 1).build()),
                List.of(spec("c", 1).build(), spec("b", 2).build()));

        assertThat(plan.changes()).extracting(Change::deployment).containsExactly("c", "b", "a", "z");
        assertThat(plan.changes()).extracting(Change::kinds).containsExactly(
                List.of(Kind.CREATED), List.of(Kind.SCALED), List.of(Kind.REMOVED), List.of(Kind.REMOVED));
    }

    @Test
    void aPlanIsImmutable() {
        Plan plan = Plan.between(Map.of(), List.of(LLM.build()));

        assertThatThrownBy(() -> plan.changes().clear())
                .isInstanceOf(UnsupportedOperationException.class);
    }

    private static void assertReplaced(Specs next, String reason) {
        Change change = only(Plan.between(current(LLM.build()), List.of(next.build())));
        assertThat(change.kinds()).as(reason).containsExactly(Kind.REPLACED);
        assertThat(change).hasToString("llm: replaced (" + reason + "; replicas replaced one by one)");
    }

    private static Change only(Plan plan) {
        assertThat(plan.changes()).hasSize(1);
        return plan.changes().getFirst();
    }

    private static Map<String, DeploymentSpec> current(DeploymentSpec... specs) {
        Map<String, DeploymentSpec> byName = new HashMap<>();
        for (DeploymentSpec spec : specs) {
            byName.put(spec.name(), spec);
        }
        return byName;
    }

    @Test
    void aReplacementWithoutRoomForASurgeSaysItReplacesInPlace() {
        Change change = only(Plan.between(current(LLM.build()), List.of(LLM.withJar("jar-v2").build()), next -> false));

        assertThat(change).hasToString("llm: replaced (plugin jar changed; replaces in place: no capacity for a surge"
                + " replica, so one replica fewer serves while each new one starts)");
    }
}
