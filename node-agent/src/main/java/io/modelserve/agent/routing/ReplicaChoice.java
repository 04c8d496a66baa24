package io.modelserve.agent.routing;

import io.modelserve.agent.runtime.Replica;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Which replica a request goes to next, as pure choices over what the router knows: a local one
 * by the power of two choices, else the least loaded remote one this node may still send it to.
 */
final class ReplicaChoice {
    private ReplicaChoice() {}

    /**
     * For a request naming {@code model} (a multiplexed section): among the local replicas that have
     * it loaded, if any is left, else among all, as {@link #local(List, Set)} picks. Preferring the
     * holders is what keeps loads bounded: a model is loaded again only where no replica has it.
     */
    static Replica local(List<Replica> running, Set<String> skipped, String model) {
        if (model.isEmpty()) {
            return local(running, skipped);
        }
        List<Replica> holders = new ArrayList<>();
        for (Replica r : running) {
            if (!skipped.contains(r.id()) && r.loadedModels().contains(model)) {
                holders.add(r);
            }
        }
        return local(holders.isEmpty() ? running : holders, skipped);
    }

    /** The remote replicas that have {@code model} loaded, when a request names one and some do; else all. */
    static List<RemoteReplica> holders(List<RemoteReplica> remote, String model) {
        if (model.isEmpty()) {
            return remote;
        }
        List<RemoteReplica> holders = remote.stream().filter(r -> r.models().contains(model)).toList();
        return holders.isEmpty() ? remote : holders;
    }

    /** The less loaded of two random local replicas not yet skipped by this request; null when none. */
    static Replica local(List<Replica> running, Set<String> skipped) {
        List<Replica> candidates = running;
        if (!skipped.isEmpty()) {
            candidates = new ArrayList<>(running.size());
            for (Replica r : running) {
                if (!skipped.contains(r.id())) {
                    candidates.add(r);
                }
            }
        }
        int n = candidates.size();
        if (n == 0) {
            return null;
        }
        if (n == 1) {
            return candidates.getFirst();
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        Replica a = candidates.get(random.nextInt(n));
        Replica b = candidates.get(random.nextInt(n - 1));
        if (b == a) {
            b = candidates.get(n - 1);
        }
        return a.ongoing() <= b.ongoing() ? a : b;
    }

    /**
     * The least loaded remote replica as seen from this node; ties broken at random. Never one that
     * was skipped, one on a node this peer-liveness owner does not call live, or one on a node where
     * this request may already have run: a rerun goes to another node even once that node answers
     * probes again (it may be running the first attempt still).
     */
    static RemoteReplica remote(List<RemoteReplica> remote, Set<String> skipped, Set<String> mayHaveRunOn,
            java.util.function.Predicate<String> live, java.util.function.ToIntFunction<String> load,
            java.util.random.RandomGenerator random) {
        RemoteReplica best = null;
        int bestLoad = Integer.MAX_VALUE;
        int ties = 0;
        for (RemoteReplica candidate : remote) {
            if (skipped.contains(candidate.replicaId()) || mayHaveRunOn.contains(candidate.node())
                    || !live.test(candidate.node())) {
                continue;
            }
            int candidateLoad = load.applyAsInt(candidate.replicaId());
            if (candidateLoad < bestLoad) {
                best = candidate;
                bestLoad = candidateLoad;
                ties = 1;
            } else if (candidateLoad == bestLoad && random.nextInt(++ties) == 0) {
                best = candidate;
            }
        }
        return best;
    }
}
