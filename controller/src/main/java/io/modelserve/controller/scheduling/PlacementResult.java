package io.modelserve.controller.scheduling;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The plan for one scheduling pass, for the controller to apply.
 *
 * @param placed  placements in request order
 * @param pending replicaId -> why no node has room, in request order
 */
public record PlacementResult(List<Placement> placed, Map<String, String> pending) {

    public PlacementResult {
        placed = List.copyOf(placed);
        // Map.copyOf would lose the request order, which makes status output and tests stable.
        pending = Collections.unmodifiableMap(new LinkedHashMap<>(pending));
    }
}
