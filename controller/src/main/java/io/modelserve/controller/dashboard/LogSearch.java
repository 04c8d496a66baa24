package io.modelserve.controller.dashboard;

import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A search over replica log lines as logback writes them ({@code 2026-12-02 00:52:29,123 INFO  [thread]
 * Logger - message}): text (case-insensitive), lowest level, and a time range. A line without a
 * timestamp (a stack trace's) belongs to the entry above it and is kept or dropped with it.
 *
 * @param text      a substring to look for, or empty for any
 * @param minLevel  the lowest level kept (TRACE, DEBUG, INFO, WARN, ERROR), or empty for any
 * @param sinceMillis entries at or after this time only (0: no lower bound)
 * @param untilMillis entries before this time only (0: no upper bound)
 */
public record LogSearch(String text, String minLevel, long sinceMillis, long untilMillis) {
    public static final LogSearch ANY = new LogSearch("", "", 0, 0);
    private static final List<String> LEVELS = List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss,SSS");

    public LogSearch {
        text = text == null ? "" : text;
        minLevel = minLevel == null ? "" : minLevel.strip().toUpperCase(Locale.ROOT);
        if (!minLevel.isEmpty() && !LEVELS.contains(minLevel)) {
            throw new IllegalArgumentException("level must be one of " + LEVELS + ", got " + minLevel);
        }
    }

    public boolean isAny() {
        return text.isEmpty() && minLevel.isEmpty() && sinceMillis == 0 && untilMillis == 0;
    }

    /** The lines of the entries that match, in their order; {@code zone} is the one the log was written in. */
    public List<String> filter(List<String> lines, ZoneId zone) {
        if (isAny()) {
            return lines;
        }
        String needle = text.toLowerCase(Locale.ROOT);
        List<String> kept = new ArrayList<>();
        List<String> entry = new ArrayList<>();
        Header header = null;
        for (String line : lines) {
            Header next = Header.of(line, zone);
            if (next != null) {
                keep(entry, header, needle, kept);
                entry.clear();
                header = next;
            }
            entry.add(line);
        }
        keep(entry, header, needle, kept);
        return kept;
    }

    private void keep(List<String> entry, Header header, String needle, List<String> kept) {
        if (entry.isEmpty()) {
            return;
        }
        if (!minLevel.isEmpty() && (header == null || LEVELS.indexOf(header.level) < LEVELS.indexOf(minLevel))) {
            return;
        }
        if ((sinceMillis > 0 || untilMillis > 0) && header == null) {
            return;
        }
        if (sinceMillis > 0 && header.atMillis < sinceMillis || untilMillis > 0 && header.atMillis >= untilMillis) {
            return;
        }
        if (!needle.isEmpty() && entry.stream().noneMatch(l -> l.toLowerCase(Locale.ROOT).contains(needle))) {
            return;
        }
        kept.addAll(entry);
    }

    /** The time and level that open an entry. */
    private record Header(long atMillis, String level) {
        static Header of(String line, ZoneId zone) {
            if (line.length() < 25 || line.charAt(4) != '-' || line.charAt(10) != ' ' || line.charAt(19) != ',') {
                return null;
            }
            try {
                long at = LocalDateTime.parse(line.substring(0, 23), STAMP).atZone(zone).toInstant().toEpochMilli();
                int end = line.indexOf(' ', 24);
                String level = (end < 0 ? line.substring(24) : line.substring(24, end)).strip();
                return LEVELS.contains(level) ? new Header(at, level) : null;
            } catch (DateTimeParseException e) {
                return null;
            }
        }
    }
}
