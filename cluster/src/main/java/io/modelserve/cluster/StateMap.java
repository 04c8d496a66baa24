package io.modelserve.cluster;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** A Hazelcast map of records, typed, with values stored as JSON text (see {@link ClusterJson}). */
public final class StateMap<V> {
    private final IMap<String, String> map;
    private final Class<V> type;

    StateMap(IMap<String, String> map, Class<V> type) {
        this.map = map;
        this.type = type;
    }

    public Optional<V> get(String key) {
        String json = map.get(key);
        return json == null ? Optional.empty() : Optional.of(ClusterJson.read(json, type));
    }

    public void put(String key, V value) {
        map.set(key, ClusterJson.write(value));
    }

    /** Atomically replaces {@code expected} with {@code value}; false if someone changed it meanwhile. */
    public boolean replace(String key, V expected, V value) {
        return map.replace(key, ClusterJson.write(expected), ClusterJson.write(value));
    }

    /** Puts {@code value} only if the key is absent; returns the value already there, if any. */
    public Optional<V> putIfAbsent(String key, V value) {
        String previous = map.putIfAbsent(key, ClusterJson.write(value));
        return previous == null ? Optional.empty() : Optional.of(ClusterJson.read(previous, type));
    }

    public void remove(String key) {
        map.delete(key);
    }

    public List<V> values() {
        List<V> values = new ArrayList<>();
        for (String json : map.values()) {
            values.add(ClusterJson.read(json, type));
        }
        return values;
    }

    /** Calls {@code onChange} with the key of every added, updated or removed entry. */
    public UUID onChange(java.util.function.Consumer<String> onChange) {
        return map.addEntryListener(new ChangeListener(onChange), false);
    }

    public void removeListener(UUID registration) {
        map.removeEntryListener(registration);
    }

    private record ChangeListener(java.util.function.Consumer<String> onChange)
            implements EntryAddedListener<String, String>, EntryUpdatedListener<String, String>,
            EntryRemovedListener<String, String> {
        @Override
        public void entryAdded(EntryEvent<String, String> event) {
            onChange.accept(event.getKey());
        }

        @Override
        public void entryUpdated(EntryEvent<String, String> event) {
            onChange.accept(event.getKey());
        }

        @Override
        public void entryRemoved(EntryEvent<String, String> event) {
            onChange.accept(event.getKey());
        }
    }
}
