package io.modelserve.controller.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TokenRedactionTest {
    static final String CONF = "[MODEL SERVE]\nport = 8000\nadmin_token = s3cret-value   ; who may apply\n\n[algopkg.A]\nroute = a\n";

    @Test
    void aLiteralTokenIsHiddenAndAReferenceIsNot() {
        String shown = TokenRedaction.redact(CONF);
        assertThat(shown).doesNotContain("s3cret-value").contains("admin_token = <hidden>   ; who may apply", "route = a");
        assertThat(TokenRedaction.redact("admin_token = ${MODELSERVE_TOKEN}\n")).contains("${MODELSERVE_TOKEN}");
        assertThat(TokenRedaction.redact("admin_token =\nport = 1\n")).isEqualTo("admin_token =\nport = 1\n");
    }

    @Test
    void thePlaceholderSentBackMeansTheTokenInForce() {
        String edited = TokenRedaction.redact(CONF).replace("route = a", "route = b");
        assertThat(TokenRedaction.restore(edited, CONF)).isEqualTo(CONF.replace("route = a", "route = b"));
        String changed = edited.replace("<hidden>", "new-token");
        assertThat(TokenRedaction.restore(changed, CONF)).contains("admin_token = new-token").doesNotContain("s3cret-value");
        assertThat(TokenRedaction.restore("port = 1\n", CONF)).isEqualTo("port = 1\n");
    }
}
