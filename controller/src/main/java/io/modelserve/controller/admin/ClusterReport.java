package io.modelserve.controller.admin;

import io.modelserve.cluster.DeploymentSpec;
import io.modelserve.cluster.NodeStatus;
import io.modelserve.cluster.ReplicaAssignment;
import io.modelserve.cluster.ReplicaState;
import io.modelserve.cluster.ReplicaStatus;
import io.modelserve.cluster.Resources;
import io.modelserve.controller.reconcile.ControllerStore;
import io.modelserve.controller.reconcile.Rollout;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What {@code modelserve status} and the dashboard show: nodes, deployments, one line per replica,
 * and whether the cluster has converged to the applied conf.ini — and if not, why.
 *
 * @param problems why the cluster has not converged yet (work in progress)
 * @param failures problems that will not fix themselves soon: FAILED replicas, replicas that fit nowhere
 */
public record ClusterReport(String leader, long generation, boolean converged, List<String> problems,
        List<String> failures, List<NodeLine> nodes, List<DeploymentLine> deployments, List<ReplicaLine> replicas,
        List<AutoscaleLine> autoscaling) {

    /** An autoscaled deployment: its range, the replicas decided and why. */
    public record AutoscaleLine(String deployment, int min, int max, double targetOngoing, int replicas, String reason,
            long decidedAtMillis) {}

    /**
     * @param cpuUsed reserved by its replicas; {@code usage} is what its process actually used (null if it does not say)
     * @param devices its GPUs: what each is, what its replicas reserve there, what it was doing
     */
    public record NodeLine(String id, String address, String ingress, String cpu, String cpuUsed, int gpus,
            String gpuUsed, boolean head, io.modelserve.cluster.NodeUsage usage, List<GpuLine> devices) {}

    /**
     * One GPU of a node.
     *
     * @param reserved    the shares its replicas hold, e.g. "0.5"
     * @param utilization 0..1 at the node's last announcement, -1 unknown
     * @param memoryUsedBytes device memory in use (all processes), -1 unknown
     */
    public record GpuLine(int index, String name, boolean simulated, String reserved, double utilization,
            long memoryUsedBytes, long memoryTotalBytes) {}

    /**
     * @param traffic percent of the route's unpinned requests, where the route has canaries; null otherwise
     * @param health  its state and why (see {@link DeploymentHealth}); the dashboard shows it as it is
     * @param plugin  the jar or folder of algopkg_dir it runs ({@link DeploymentSpec#plugin()}); several may share one
     */
    public record DeploymentLine(String name, String route, List<String> methods, int desired, int ready,
            String version, String backend, String plugin, Integer traffic, DeploymentHealth health) {}

    /** @param models a multiplexed section's models loaded on the replica, sorted; empty otherwise */
    public record ReplicaLine(String deployment, String id, String node, String device, ReplicaState state,
            String reason, String version, int restarts, long sinceMillis, long startedAtMillis, int ongoing,
            List<String> models) {
        public ReplicaLine {
            models = models == null ? List.of() : List.copyOf(models);
        }

        public ReplicaLine(String deployment, String id, String node, String device, ReplicaState state,
                String reason, String version, int restarts, long sinceMillis, long startedAtMillis, int ongoing) {
            this(deployment, id, node, device, state, reason, version, restarts, sinceMillis, startedAtMillis, ongoing, List.of());
        }
    }

    /** Recent answers of a deployment, for its health: none known here. */
    public static final java.util.function.Function<String, DeploymentHealth.RecentTraffic> NO_TRAFFIC =
            name -> DeploymentHealth.RecentTraffic.NONE;

    public static ClusterReport of(ControllerStore store, String leader, long generation) {
        return of(store, leader, generation, NO_TRAFFIC);
    }

    /** @param recentTraffic a deployment's answers in the last {@link DeploymentHealth#WINDOW_MS} (the dashboard samples them) */
    public static ClusterReport of(ControllerStore store, String leader, long generation,
            java.util.function.Function<String, DeploymentHealth.RecentTraffic> recentTraffic) {
        List<DeploymentSpec> desired = new ArrayList<>(store.desired());
        desired.sort(Comparator.comparing(DeploymentSpec::name));
        Map<String, DeploymentSpec> byName = new HashMap<>();
        desired.forEach(spec -> byName.put(spec.name(), spec));
        Map<String, ReplicaStatus> statuses = new HashMap<>();
        store.statuses().forEach(s -> statuses.put(s.replicaId(), s));
        Set<String> liveNodes = new HashSet<>();
        store.liveNodes().forEach(node -> liveNodes.add(node.nodeId()));
        List<ReplicaAssignment> assignments = new ArrayList<>(store.assignments());
        assignments.sort(Comparator.comparing(ReplicaAssignment::deployment).thenComparing(ReplicaAssignment::createdAtMillis)
                .thenComparing(ReplicaAssignment::replicaId));

        List<String> problems = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        List<ReplicaLine> lines = new ArrayList<>();
        Set<String> assigned = new HashSet<>();
        Map<String, Integer> readyCounts = new HashMap<>();
        for (ReplicaAssignment a : assignments) {
            assigned.add(a.replicaId());
            DeploymentSpec spec = byName.get(a.deployment());
            ReplicaStatus status = statuses.get(a.replicaId());
            ReplicaLine line = line(a, status, spec);
            lines.add(line);
            boolean current = spec != null && spec.version().equals(a.version());
            if (spec == null) {
                problems.add(a.replicaId() + ": deployment removed, stopping");
            } else if (!current) {
                problems.add(a.replicaId() + ": previous version " + a.version() + ", being replaced");
            } else if (a.isPlaced() && !liveNodes.contains(a.node())) {
                // Its status may still say RUNNING: the lost node is not there to change it.
                problems.add(a.replicaId() + ": node " + a.node() + " lost, being replaced");
            } else if (line.state() == ReplicaState.RUNNING) {
                readyCounts.merge(a.deployment(), 1, Integer::sum);
                if (!spec.configDigest().equals(status.configDigest())) {
                    problems.add(a.replicaId() + ": applying new config");
                }
            } else {
                String what = a.replicaId() + " on " + (a.node() == null ? "no node" : a.node()) + ": " + line.state()
                        + (line.reason() == null ? "" : " - " + line.reason());
                if (line.state() == ReplicaState.FAILED || !a.isPlaced() && !"waiting for placement".equals(a.pendingReason())) {
                    failures.add(what);
                }
                problems.add(what);
            }
        }
        List<ReplicaStatus> unassigned = new ArrayList<>();
        for (ReplicaStatus status : statuses.values()) {
            // A lost node's statuses outlive it with nobody to remove them: nothing is draining there.
            if (!assigned.contains(status.replicaId()) && liveNodes.contains(status.node())) {
                unassigned.add(status);
            }
        }
        unassigned.sort(Comparator.comparing(ReplicaStatus::deployment).thenComparing(ReplicaStatus::replicaId));
        for (ReplicaStatus status : unassigned) {
            lines.add(new ReplicaLine(status.deployment(), status.replicaId(), status.node(), status.device().toString(),
                    ReplicaState.DRAINING, "no longer assigned, finishing queued requests", status.version(),
                    status.restarts(), status.sinceMillis(), status.startedAtMillis(), status.ongoing()));
            problems.add(status.replicaId() + ": draining");
        }
        // Stable: within a deployment, assigned replicas oldest first, then the draining ones by id.
        lines.sort(Comparator.comparing(ReplicaLine::deployment));
        // Grouped once: scanning every assignment and line per deployment made a report of 1,000
        // deployments a million steps, and `apply` polls it until converged.
        Map<String, List<ReplicaAssignment>> assignmentsOf = new HashMap<>();
        assignments.forEach(a -> assignmentsOf.computeIfAbsent(a.deployment(), d -> new ArrayList<>()).add(a));
        Map<String, List<ReplicaLine>> linesOf = new HashMap<>();
        lines.forEach(l -> linesOf.computeIfAbsent(l.deployment(), d -> new ArrayList<>()).add(l));
        Map<String, List<DeploymentSpec>> canariesOf = new HashMap<>();
        desired.stream().filter(DeploymentSpec::isCanary)
                .forEach(c -> canariesOf.computeIfAbsent(c.mainName(), m -> new ArrayList<>()).add(c));
        List<DeploymentLine> deploymentLines = new ArrayList<>();
        for (DeploymentSpec spec : desired) {
            int ready = readyCounts.getOrDefault(spec.name(), 0);
            List<ReplicaAssignment> its = assignmentsOf.getOrDefault(spec.name(), List.of());
            long current = its.stream().filter(a -> a.version().equals(spec.version())).count();
            if (current != spec.replicas()) {
                problems.add(spec.name() + ": " + current + " of " + spec.replicas() + " replicas assigned");
            }
            long old = its.stream().filter(a -> a.isPlaced() && !a.version().equals(spec.version())).count();
            if (Rollout.inPlace(spec, (int) current, (int) old)) {
                problems.add(spec.name() + ": " + Rollout.IN_PLACE);
            }
            List<ReplicaLine> mine = linesOf.getOrDefault(spec.name(), List.of());
            deploymentLines.add(new DeploymentLine(spec.name(), "/" + spec.route(), spec.methods(), spec.replicas(), ready,
                    spec.version(), spec.backend(), spec.plugin(), traffic(spec, canariesOf.getOrDefault(spec.name(), List.of())),
                    DeploymentHealth.judge(spec.replicas(), ready, spec.version(), mine, recentTraffic.apply(spec.name()))));
        }
        List<AutoscaleLine> autoscaling = new ArrayList<>();
        var decisions = store.autoscaleDecisions();
        for (DeploymentSpec spec : desired) {
            if (spec.isAutoscaled()) {
                var decision = decisions.get(spec.name());
                autoscaling.add(new AutoscaleLine(spec.name(), spec.autoscaling().min(), spec.autoscaling().max(),
                        spec.autoscaling().targetOngoing(), spec.replicas(),
                        decision == null ? "starting at the minimum" : decision.reason(),
                        decision == null ? 0 : decision.decidedAtMillis()));
            }
        }
        return new ClusterReport(leader, generation, problems.isEmpty(), List.copyOf(problems), List.copyOf(failures),
                nodeLines(store, assignments), deploymentLines, lines, List.copyOf(autoscaling));
    }

    /** A canary's share, or what a main deployment's canaries leave it; null for a route without canaries. */
    /** @param canaries the canaries of {@code spec} when it is a main deployment */
    private static Integer traffic(DeploymentSpec spec, List<DeploymentSpec> canaries) {
        if (spec.isCanary()) {
            return spec.traffic();
        }
        return canaries.isEmpty() ? null : Math.max(0, 100 - canaries.stream().mapToInt(DeploymentSpec::traffic).sum());
    }

    private static ReplicaLine line(ReplicaAssignment a, ReplicaStatus status, DeploymentSpec spec) {
        if (!a.isPlaced()) {
            return new ReplicaLine(a.deployment(), a.replicaId(), "-", "-", ReplicaState.PENDING, a.pendingReason(),
                    a.version(), 0, a.createdAtMillis(), 0, 0);
        }
        if (status == null) {
            return new ReplicaLine(a.deployment(), a.replicaId(), a.node(), a.device().toString(), ReplicaState.PENDING,
                    "waiting for " + a.node() + " to start it", a.version(), 0, a.createdAtMillis(), 0, 0);
        }
        String reason = switch (status.state()) {
            case FAILED -> status.lastError() + (status.restarts() > 0 ? " (restarted " + status.restarts() + "x, retrying with backoff)" : " (retrying with backoff)");
            case RUNNING -> status.lastError();
            case DRAINING -> "finishing queued requests";
            case STARTING -> status.restarts() > 0 ? "restart " + status.restarts() + " after: " + status.lastError() : "loading";
            case PENDING -> null;
        };
        boolean old = spec != null && !spec.version().equals(a.version());
        if (old && status.state() == ReplicaState.RUNNING) {
            reason = "previous version, replaced once a new replica is ready";
        }
        return new ReplicaLine(a.deployment(), a.replicaId(), a.node(), a.device().toString(), status.state(), reason,
                a.version(), status.restarts(), status.sinceMillis(), status.startedAtMillis(), status.ongoing(), status.models());
    }

    private static List<NodeLine> nodeLines(ControllerStore store, List<ReplicaAssignment> assignments) {
        List<NodeLine> nodes = new ArrayList<>();
        for (NodeStatus node : store.liveNodes()) {
            long cpuUsed = 0;
            long gpuUsed = 0;
            java.util.Map<Integer, Long> byDevice = new java.util.HashMap<>();
            for (ReplicaAssignment a : assignments) {
                if (node.nodeId().equals(a.node())) {
                    cpuUsed += a.spec().cost().cpuMilli();
                    if (a.device().isGpu()) {
                        // The share placed, which for gpu_memory is what the scheduler made of it on this device.
                        long milli = Math.round(a.device().fraction() * 1000);
                        gpuUsed += milli;
                        byDevice.merge(a.device().index(), milli, Long::sum);
                    }
                }
            }
            nodes.add(new NodeLine(node.nodeId(), node.address(), node.ingressUrl(), Resources.formatMilli(node.cpuMilli()),
                    Resources.formatMilli(cpuUsed), node.gpus(), Resources.formatMilli(gpuUsed), node.headEligible(),
                    node.usage(), gpuLines(node, byDevice)));
        }
        nodes.sort(Comparator.comparing(NodeLine::id));
        return nodes;
    }

    private static List<GpuLine> gpuLines(NodeStatus node, java.util.Map<Integer, Long> reserved) {
        List<GpuLine> lines = new ArrayList<>();
        List<io.modelserve.cluster.GpuUsage> usage = node.usage() == null ? List.of() : node.usage().gpus();
        for (io.modelserve.cluster.GpuDevice device : node.devices()) {
            io.modelserve.cluster.GpuUsage seen = usage.stream().filter(u -> u.index() == device.index()).findFirst()
                    .orElse(new io.modelserve.cluster.GpuUsage(device.index(), -1, -1, device.memoryTotalBytes()));
            lines.add(new GpuLine(device.index(), device.name(), device.simulated(),
                    Resources.formatMilli(reserved.getOrDefault(device.index(), 0L)), seen.utilization(),
                    seen.memoryUsedBytes(), device.memoryTotalBytes()));
        }
        return lines;
    }
}
