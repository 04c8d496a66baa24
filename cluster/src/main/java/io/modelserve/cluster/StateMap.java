package io.modelserve.cluster;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A Hazelcast map of records, typed, with values stored as sealed JSON text (see {@link ClusterJson},
 * {@link EntrySeal}). This is the one way modelserve reads and writes shared state: every value is
 * sealed on write and verified on read, and an entry that does not verify is absent here, whoever
 * wrote it, and logged once as tampering.
 */
public final class StateMap<V> {
    private final IMap<String, String> map;
    private final Class<V> type;
    private final EntrySeal seal;

    StateMap(IMap<String, String> map, Class<V> type, EntrySeal seal) {
        this.map = map;
        this.type = type;
        this.seal = seal;
    }

    public Optional<V> get(String key) {
        return decode(key, map.get(key));
    }

    public void put(String key, V value) {
        map.set(key, sealed(key, value));
    }

    /** Puts {@code value}, removed by Hazelcast after {@code ttl}. */
    public void put(String key, V value, long ttl, TimeUnit unit) {
        map.set(key, sealed(key, value), ttl, unit);
    }

    /** Atomically replaces {@code expected} with {@code value}; false if someone changed it meanwhile. */
    public boolean replace(String key, V expected, V value) {
        return map.replace(key, sealed(key, expected), sealed(key, value));
    }

    /**
     * Puts {@code value} only if the key is absent; returns the value already there, if any. An entry
     * that does not verify counts as absent here as everywhere: it is replaced, so a forged leader
     * lease cannot keep every head from taking the real one.
     */
    public Optional<V> putIfAbsent(String key, V value) {
        String mine = sealed(key, value);
        String previous = map.putIfAbsent(key, mine);
        if (previous == null) {
            return Optional.empty();
        }
        Optional<V> existing = decode(key, previous);
        if (existing.isPresent()) {
            return existing;
        }
        return map.replace(key, previous, mine) ? Optional.empty() : get(key);
    }

    public void remove(String key) {
        map.delete(key);
    }

    public List<V> values() {
        return new ArrayList<>(entries().values());
    }

    /** Every entry that verifies, by key. */
    public Map<String, V> entries() {
        Map<String, V> entries = new LinkedHashMap<>();
        for (Map.Entry<String, String> entry : map.entrySet()) {
            decode(entry.getKey(), entry.getValue()).ifPresent(value -> entries.put(entry.getKey(), value));
        }
        return entries;
    }

    private String sealed(String key, V value) {
        return seal.seal(map.getName(), key, ClusterJson.write(value));
    }

    private Optional<V> decode(String key, String stored) {
        if (stored == null) {
            return Optional.empty();
        }
        return seal.open(map.getName(), key, stored).map(json -> ClusterJson.read(json, type));
    }

    /** Calls {@code onChange} with the key of every added, updated or removed entry. */
    public UUID onChange(java.util.function.Consumer<String> onChange) {
        return map.addEntryListener(new ChangeListener(onChange), false);
    }

    /**
     * Calls {@code onEntry} with the key and the new value of every added or updated entry (empty for
     * a removed one, or one that does not verify), so a reader can keep its own copy of the entries it
     * cares about instead of reading the whole map on every change.
     */
    public UUID onEntry(java.util.function.BiConsumer<String, Optional<V>> onEntry) {
        return map.addEntryListener(new EntryListener<>(this, onEntry), true);
    }

    public void removeListener(UUID registration) {
        map.removeEntryListener(registration);
    }

    private record EntryListener<V>(StateMap<V> owner, java.util.function.BiConsumer<String, Optional<V>> onEntry)
            implements EntryAddedListener<String, String>, EntryUpdatedListener<String, String>,
            EntryRemovedListener<String, String> {
        @Override
        public void entryAdded(EntryEvent<String, String> event) {
            onEntry.accept(event.getKey(), owner.decode(event.getKey(), event.getValue()));
        }

        @Override
        public void entryUpdated(EntryEvent<String, String> event) {
            onEntry.accept(event.getKey(), owner.decode(event.getKey(), event.getValue()));
        }

        @Override
        public void entryRemoved(EntryEvent<String, String> event) {
            onEntry.accept(event.getKey(), Optional.empty());
        }
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
