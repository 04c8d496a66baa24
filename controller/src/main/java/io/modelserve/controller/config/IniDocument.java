package io.modelserve.controller.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * conf.ini as sections of keys, each with the line it came from. Duplicates are already reported
 * and dropped (the first occurrence wins), so a key appears at most once per section.
 */
record IniDocument(List<Section> sections) {

    IniDocument {
        sections = List.copyOf(sections);
    }

    record Entry(String key, String value, int line) {}

    record Section(String name, int line, Map<String, Entry> entries) {
        Section {
            entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
        }

        Optional<Entry> entry(String key) {
            return Optional.ofNullable(entries.get(key));
        }
    }

    Optional<Section> section(String name) {
        return sections.stream().filter(s -> s.name().equals(name)).findFirst();
    }
}
