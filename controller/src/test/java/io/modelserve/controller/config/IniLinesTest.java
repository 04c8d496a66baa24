package io.modelserve.controller.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class IniLinesTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "'; whole line'                | ''",
        "'   # indented'               | ''",
        "'port = 8000 ; REST port'     | 'port = 8000'",
        "'port = 8000\t# tab'          | 'port = 8000'",
        "'color = #fff'                | 'color ='",
        "'list = a;b'                  | 'list = a;b'",
        "'hash = a#b;c'                | 'hash = a#b;c'",
        "'  [MODEL SERVE]   ; fixed'   | '[MODEL SERVE]'",
        "'path = C:\\dir\\x'            | 'path = C:\\dir\\x'",
    })
    void stripsCommentsAsSpecDefinesThem(String line, String expected) {
        assertThat(IniLines.stripComment(unquote(line))).isEqualTo(unquote(expected));
    }

    @Test
    void cleanedTextKeepsLineNumbers() {
        ConfigErrors errors = new ConfigErrors("conf.ini");
        IniLines lines = IniLines.index("; c\n[s]\r\n\nk = v ; c\rbad line\n", errors);

        assertThat(lines.cleanedText()).isEqualTo("\n[s]\n\nk = v\n\n\n");
        assertThat(lines.significant()).containsExactly(
                new IniLines.Line(2, IniLines.Kind.SECTION, "s"), new IniLines.Line(4, IniLines.Kind.ENTRY, "k"));
        assertThat(errors.sortedByLine()).extracting(ConfigError::line).isEqualTo(List.of(5));
    }

    @Test
    void readerKeepsValuesVerbatimApartFromTrimming() {
        ConfigErrors errors = new ConfigErrors("conf.ini");
        IniDocument document = IniReader.read("[s]\na = \\n\\t\\u0041 \nb = ${HOME}\nc = x = y\nd =\n", errors);

        assertThat(errors.isEmpty()).isTrue();
        IniDocument.Section section = document.sections().get(0);
        assertThat(section.entries().values()).extracting(IniDocument.Entry::value)
                .containsExactly("\\n\\t\\u0041", "${HOME}", "x = y", "");
        assertThat(section.entries().values()).extracting(IniDocument.Entry::line).containsExactly(2, 3, 4, 5);
    }

    private static String unquote(String text) {
        return text.substring(1, text.length() - 1).replace("\\t", "\t");
    }
}
