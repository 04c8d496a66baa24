package io.modelserve.controller.dashboard;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps the admin token out of what reads return: {@code GET /api/config} is open, so a literal
 * {@code admin_token} in conf.ini is shown as {@value #HIDDEN}. A text sent back for apply with
 * the placeholder still in it (the dashboard's edit box) gets the token in force put back, so
 * editing another line does not change the token. A {@code ${ENV_VAR}} reference is no secret and
 * is shown as written.
 */
public final class TokenRedaction {
    public static final String HIDDEN = "<hidden>";
    private static final Pattern TOKEN_LINE = Pattern.compile(
            "(?m)^(\\s*admin_token\\s*[=:][ \\t]*)([^;#\\r\\n]*?)([ \\t]*(?:[;#][^\\r\\n]*)?)$");

    private TokenRedaction() {}

    public static String redact(String conf) {
        Matcher line = TOKEN_LINE.matcher(conf);
        StringBuilder out = new StringBuilder();
        while (line.find()) {
            String value = line.group(2);
            boolean secret = !value.isEmpty() && !value.startsWith("${");
            line.appendReplacement(out, Matcher.quoteReplacement(line.group(1) + (secret ? HIDDEN : value) + line.group(3)));
        }
        line.appendTail(out);
        return out.toString();
    }

    /** Puts the value of {@code current}'s admin_token where {@code edited} still has the placeholder. */
    public static String restore(String edited, String current) {
        Matcher inForce = TOKEN_LINE.matcher(current == null ? "" : current);
        if (!inForce.find()) {
            return edited;
        }
        String token = inForce.group(2);
        Matcher line = TOKEN_LINE.matcher(edited);
        StringBuilder out = new StringBuilder();
        while (line.find()) {
            String value = line.group(2).equals(HIDDEN) ? token : line.group(2);
            line.appendReplacement(out, Matcher.quoteReplacement(line.group(1) + value + line.group(3)));
        }
        line.appendTail(out);
        return out.toString();
    }
}
