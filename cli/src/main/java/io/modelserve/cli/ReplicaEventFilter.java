package io.modelserve.cli;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * Lets through only events logged on a replica's worker thread (MDC key {@code replica}), so the
 * per-replica files of logback.xml hold the replica's output and nothing of the node's own.
 */
public final class ReplicaEventFilter extends Filter<ILoggingEvent> {
    @Override
    public FilterReply decide(ILoggingEvent event) {
        String replica = event.getMDCPropertyMap().get("replica");
        return replica == null || replica.isEmpty() ? FilterReply.DENY : FilterReply.NEUTRAL;
    }
}
