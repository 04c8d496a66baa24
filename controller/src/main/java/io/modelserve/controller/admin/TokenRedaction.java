package io.modelserve.controller.admin;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps the admin token out of conf.ini text that leaves the leader: the text in the cluster's
 * applied entry, and so {@code GET /api/config}, shows a literal {@code admin_token} as
 * {@value #HIDDEN}. The whole value is hidden: as in {@code IniLines}, ';' and '#' start a comment only
 * after whitespace, so {@code admin_token = ab#cd;ef} is one token and none of it is shown. A text
 * sent back for apply with the placeholder still in it (the dashboard's edit box) keeps the token in
 * force (see {@code ConfigApplier}). A {@code ${ENV_VAR}} reference is no secret and is shown as written.
 */
public final class TokenRedaction {
    public static final String HIDDEN = "<hidden>";
    private static final Pattern TOKEN_LINE = Pattern.compile(
            "(?m)^([ \\t]*admin_token[ \\t]*[=:][ \\t]*)((?:(?<![ \\t])[;#]|[^;#\\s])[^\\r\\n]*?)?"
                    + "((?:[ \\t]+[;#][^\\r\\n]*)?[ \\t]*)$");

    private TokenRedaction() {}

    public static String redact(String conf) {
        Matcher line = TOKEN_LINE.matcher(conf);
        StringBuilder out = new StringBuilder();
        while (line.find()) {
            String value = line.group(2) == null ? "" : line.group(2);
            boolean secret = !value.isEmpty() && !value.startsWith("${");
            line.appendReplacement(out, Matcher.quoteReplacement(line.group(1) + (secret ? HIDDEN : value) + line.group(3)));
        }
        line.appendTail(out);
        return out.toString();
    }
}
