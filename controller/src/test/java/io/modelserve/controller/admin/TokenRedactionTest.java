package io.modelserve.controller.admin;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TokenRedactionTest {
    static final String CONF = "[MODEL SERVE]\nport = 8000\nadmin_token = s3cret-value   ; who may apply\n\n[algopkg.A]\nroute = a\n";

    @Test
    void aLiteralTokenIsHiddenAndAReferenceIsNot() {
        String shown = TokenRedaction.redact(CONF);
        assertThat(shown).doesNotContain("s3cret-value").contains("admin_token = <hidden>   ; who may apply", "route = a");
        assertThat(TokenRedaction.redact("admin_token = ${MODELSERVE_TOKEN}\n")).contains("${MODELSERVE_TOKEN}");
        assertThat(TokenRedaction.redact("admin_token =\nport = 1\n")).isEqualTo("admin_token =\nport = 1\n");
    }

    /** ';' and '#' inside the value belong to the token (conf.ini reads them so): none of it may show. */
    @ParameterizedTest
    @ValueSource(strings = {"Qk1#Zx2", "Qk1;Zx2", "Qk1#;Zx2#Wv3;", "Qk1#Wv3 Zx2;Pp4", "Qk1#Zx2   ", "Qk1;Zx2 ; comment",
            "Qk1#Zx2 # comment"})
    void theWholeValueIsHiddenEvenWithCommentCharactersInIt(String value) {
        String shown = TokenRedaction.redact("[MODEL SERVE]\nadmin_token = " + value + "\nport = 1\n");
        assertThat(shown).contains("admin_token = <hidden>").contains("port = 1")
                .doesNotContain("Qk1").doesNotContain("Zx2").doesNotContain("Wv3").doesNotContain("Pp4");
    }

    @Test
    void aCommentAfterWhitespaceIsKeptAndAValueThatIsOnlyACommentIsEmpty() {
        assertThat(TokenRedaction.redact("admin_token = a#b # who\n")).isEqualTo("admin_token = <hidden> # who\n");
        assertThat(TokenRedaction.redact("admin_token = # none\n")).isEqualTo("admin_token = # none\n");
        assertThat(TokenRedaction.redact("admin_token: x;y\r\n")).isEqualTo("admin_token: <hidden>\r\n");
    }
}
