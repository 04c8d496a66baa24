package io.modelserve.agent.routing;

import io.modelserve.agent.runtime.Replica;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link ReplicaDirectory} whose answers the test sets. It returns its lists as given, without
 * filtering by phase: a real directory's view can lag behind a replica that just stopped, and the
 * router must cope with that.
 */
final class ScriptedDirectory implements ReplicaDirectory {
    private final Map<String, List<List<Replica>>> answers = new ConcurrentHashMap<>();
    private final Map<String, Boolean> starting = new ConcurrentHashMap<>();

    /** The next calls of {@code running(deployment)} return these lists in turn; the last one repeats. */
    @SafeVarargs
    final ScriptedDirectory answer(String deployment, List<Replica> first, List<Replica>... then) {
        List<List<Replica>> lists = new ArrayList<>();
        lists.add(first);
        lists.addAll(List.of(then));
        answers.put(deployment, lists);
        return this;
    }

    ScriptedDirectory starting(String deployment, boolean value) {
        starting.put(deployment, value);
        return this;
    }

    @Override
    public synchronized List<Replica> running(String deployment) {
        List<List<Replica>> lists = answers.get(deployment);
        if (lists == null) {
            return List.of();
        }
        return lists.size() > 1 ? lists.removeFirst() : lists.getFirst();
    }

    @Override
    public boolean starting(String deployment) {
        return starting.getOrDefault(deployment, false);
    }
}
