package io.modelserve.controller.config;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.ini4j.Config;
import org.ini4j.spi.IniHandler;
import org.ini4j.spi.IniParser;

/**
 * Reads conf.ini with ini4j as the parser of record and pins each section and key ini4j reports to
 * its line in {@link IniLines}. ini4j emits exactly one event per significant line of the cleaned
 * text, in order, so the n-th event belongs to the n-th significant line; a mismatch means the two
 * disagree about a line, and that line is reported rather than guessed at.
 */
final class IniReader {
    /** ini4j trims section names (NUL included), so no real section can be called this. */
    private static final String GLOBAL = "\u0000global";
    private static final Pattern INI4J_LINE = Pattern.compile("at line: (\\d+)");

    private IniReader() {}

    static IniDocument read(String text, ConfigErrors errors) {
        IniLines lines = IniLines.index(text, errors);
        List<Event> events = new ArrayList<>();
        try {
            IniParser.newInstance(ini4jConfig()).parse(new StringReader(lines.cleanedText()), new EventRecorder(events));
        } catch (IOException | RuntimeException e) {
            // Only reachable if ini4j rejects a line IniLines let through; report it where ini4j says.
            errors.add(ini4jLine(e), null, null, "cannot read this line: " + e.getMessage());
        }
        return assemble(lines, events, errors);
    }

    /**
     * Escapes off (a backslash in a Windows path or a regex stays as written); line continuation off;
     * multi options and sections on, so that repeated keys reach us as separate events and are
     * reported instead of silently merged; variable substitution only happens in ini4j's Profile
     * fetch API, which we never use, so {@code ${VAR}} arrives verbatim.
     */
    private static Config ini4jConfig() {
        Config config = new Config();
        config.setEscape(false);
        config.setEscapeNewline(false);
        config.setMultiOption(true);
        config.setMultiSection(true);
        config.setEmptyOption(true);
        config.setEmptySection(true);
        config.setGlobalSection(true);
        config.setGlobalSectionName(GLOBAL);
        config.setInclude(false);
        config.setTree(false);
        config.setLowerCaseOption(false);
        config.setLowerCaseSection(false);
        config.setComment(false);
        return config;
    }

    private static int ini4jLine(Exception e) {
        Matcher matcher = INI4J_LINE.matcher(String.valueOf(e.getMessage()));
        return matcher.find() ? Integer.parseInt(matcher.group(1)) : 1;
    }

    private static IniDocument assemble(IniLines lines, List<Event> events, ConfigErrors errors) {
        List<IniDocument.Section> sections = new ArrayList<>();
        Map<String, Integer> sectionLines = new HashMap<>();
        Iterator<IniLines.Line> next = lines.significant().iterator();
        String name = null;
        int sectionLine = 0;
        boolean duplicateSection = false;
        Map<String, IniDocument.Entry> entries = new LinkedHashMap<>();
        for (Event event : events) {
            if (!next.hasNext()) {
                break;
            }
            IniLines.Line line = next.next();
            boolean agrees = line.kind() == (event.section() ? IniLines.Kind.SECTION : IniLines.Kind.ENTRY)
                    && line.name().equals(event.name());
            if (!agrees) {
                errors.add(line.number(), name, null, "cannot read this line");
                break;
            }
            if (event.section()) {
                if (name != null && !duplicateSection) {
                    sections.add(new IniDocument.Section(name, sectionLine, entries));
                }
                name = event.name();
                sectionLine = line.number();
                entries = new LinkedHashMap<>();
                Integer first = sectionLines.putIfAbsent(name, sectionLine);
                duplicateSection = first != null;
                if (duplicateSection) {
                    errors.add(sectionLine, name, null, "section given twice (first at line " + first + ")");
                }
            } else if (name == null) {
                errors.add(line.number(), null, event.name(), "key outside any section; put it under a [section]");
            } else if (!duplicateSection) {
                IniDocument.Entry first = entries.get(event.name());
                if (first != null) {
                    errors.add(line.number(), name, event.name(), "key given twice in this section (first at line "
                            + first.line() + ")");
                } else {
                    String value = event.value() == null ? "" : event.value().trim();
                    entries.put(event.name(), new IniDocument.Entry(event.name(), value, line.number()));
                }
            }
        }
        if (name != null && !duplicateSection) {
            sections.add(new IniDocument.Section(name, sectionLine, entries));
        }
        return new IniDocument(sections);
    }

    private record Event(boolean section, String name, String value) {}

    private static final class EventRecorder implements IniHandler {
        private final List<Event> events;

        EventRecorder(List<Event> events) {
            this.events = events;
        }

        @Override
        public void startIni() {}

        @Override
        public void endIni() {}

        @Override
        public void handleComment(String comment) {}

        @Override
        public void startSection(String sectionName) {
            if (GLOBAL.equals(sectionName)) {
                return; // keys before the first header: IniLines knows they are not in a section
            }
            events.add(new Event(true, sectionName == null ? "" : sectionName.trim(), null));
        }

        @Override
        public void endSection() {}

        @Override
        public void handleOption(String optionName, String optionValue) {
            events.add(new Event(false, optionName == null ? "" : optionName.trim(), optionValue));
        }
    }
}
