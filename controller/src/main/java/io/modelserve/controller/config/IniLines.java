package io.modelserve.controller.config;

import java.util.ArrayList;
import java.util.List;

/**
 * The line index that ini4j lacks. ini4j keeps inline comments inside values ({@code port = 8000 ; REST
 * port} reads as {@code 8000 ; REST port}) and records no line numbers, so this class strips comments
 * as SPEC §2 defines them, remembers what each line is, and rejects lines ini4j would either choke on
 * (stopping at the first one) or read differently than an operator would expect. The cleaned text it
 * hands to ini4j keeps one line per input line, so line N of ini4j's input is line N of the file.
 */
final class IniLines {

    enum Kind { BLANK, SECTION, ENTRY }

    /**
     * @param name for a section its name without brackets, for an entry its key; both trimmed
     */
    record Line(int number, Kind kind, String name) {}

    private final List<Line> significant;
    private final String cleanedText;

    private IniLines(List<Line> significant, String cleanedText) {
        this.significant = List.copyOf(significant);
        this.cleanedText = cleanedText;
    }

    /** Malformed lines become errors and are blanked, so ini4j sees only lines it reads one to one. */
    static IniLines index(String text, ConfigErrors errors) {
        String body = text.startsWith("\uFEFF") ? text.substring(1) : text;
        // The same line breaks as the BufferedReader inside ini4j: \r\n, \r or \n.
        String[] raw = body.split("\r\n|\r|\n", -1);
        List<Line> significant = new ArrayList<>();
        StringBuilder cleaned = new StringBuilder(body.length());
        for (int i = 0; i < raw.length; i++) {
            int number = i + 1;
            String content = stripComment(raw[i]);
            Line line = classify(number, content, errors);
            if (line.kind() != Kind.BLANK) {
                significant.add(line);
                cleaned.append(content);
            }
            cleaned.append('\n');
        }
        return new IniLines(significant, cleaned.toString());
    }

    /** Section and entry lines, in file order. */
    List<Line> significant() {
        return significant;
    }

    /** The file with comments and malformed lines blanked, line numbers unchanged. */
    String cleanedText() {
        return cleanedText;
    }

    /**
     * A line whose first visible character is ';' or '#' is a comment; elsewhere ';' or '#' starts a
     * comment only after whitespace, so values like {@code #fff} or {@code a;b} survive.
     * trim() matches ini4j's notion of surrounding whitespace (every char up to ' ').
     */
    static String stripComment(String line) {
        String trimmed = line.trim();
        if (trimmed.isEmpty() || trimmed.charAt(0) == ';' || trimmed.charAt(0) == '#') {
            return "";
        }
        for (int i = 1; i < trimmed.length(); i++) {
            char c = trimmed.charAt(i);
            if ((c == ';' || c == '#') && isBlank(trimmed.charAt(i - 1))) {
                return trimmed.substring(0, i).trim();
            }
        }
        return trimmed;
    }

    private static boolean isBlank(char c) {
        return c <= ' ';
    }

    private static Line classify(int number, String content, ConfigErrors errors) {
        if (content.isEmpty()) {
            return new Line(number, Kind.BLANK, "");
        }
        if (content.charAt(0) == '[') {
            String name = content.length() >= 2 && content.endsWith("]")
                    ? content.substring(1, content.length() - 1).trim() : "";
            if (name.isEmpty()) {
                errors.add(number, null, null, "malformed section header " + ConfigErrors.quote(content)
                        + ", expected '[section name]'");
                return new Line(number, Kind.BLANK, "");
            }
            return new Line(number, Kind.SECTION, name);
        }
        int equals = content.indexOf('=');
        String key = equals < 0 ? "" : content.substring(0, equals).trim();
        // ini4j also splits at ':' ("a:b = c" would be key "a", value "b = c") and, even with escapes
        // off, skips an operator after '\'; no valid key holds either, so such lines are malformed.
        if (key.isEmpty() || key.indexOf(':') >= 0 || key.indexOf('\\') >= 0) {
            errors.add(number, null, null, "malformed line " + ConfigErrors.quote(content)
                    + ", expected 'key = value' or '[section]'");
            return new Line(number, Kind.BLANK, "");
        }
        return new Line(number, Kind.ENTRY, key);
    }
}
