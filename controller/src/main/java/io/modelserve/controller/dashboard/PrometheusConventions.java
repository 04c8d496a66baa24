package io.modelserve.controller.dashboard;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import java.util.Map;

/**
 * Makes a node's {@code /-/metrics} pass Prometheus' own lint ({@code promtool check metrics}):
 * every metric gets help text (meters registered without a description, e.g. a plugin's, get a
 * plain one), and the two JVM binder meters whose names the lint refuses are renamed or left out.
 * Add to a registry before any meter is registered: filters do not apply to meters already there.
 */
public final class PrometheusConventions implements MeterFilter {
    private static final Map<String, String> DESCRIPTIONS = Map.of(
            "modelserve.controller.reconciles", "Reconcile passes of the controller, by outcome",
            "modelserve.controller.reconcile.duration", "Time one reconcile pass of a deployment took");

    @Override
    public MeterFilterReply accept(Meter.Id id) {
        // Its unit is nanoseconds, exported as process_cpu_time_ns_total; process_cpu_usage says the same.
        return id.getName().equals("process.cpu.time") ? MeterFilterReply.DENY : MeterFilterReply.NEUTRAL;
    }

    @Override
    public Meter.Id map(Meter.Id id) {
        String name = id.getName().equals("system.cpu.count") ? "system.cpus" : id.getName(); // no "_count" on a gauge
        String description = id.getDescription();
        if (description == null || description.isBlank()) {
            description = DESCRIPTIONS.getOrDefault(name, name + " (registered without a description)");
        }
        if (name.equals(id.getName()) && description.equals(id.getDescription())) {
            return id;
        }
        return new Meter.Id(name, Tags.of(id.getTagsAsIterable()), id.getBaseUnit(), description, id.getType());
    }
}
