package io.modelserve.examples.langlegacy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LangLegacyTest {

    @Test
    void reportsTheBundledCommonsLang3() throws Exception {
        LangLegacy backend = new LangLegacy();
        backend.init(new TestContext("r-1", List.of(), Map.of()));

        Object result = backend.inference(TestRequest.of("{\"text\":\"hello from the legacy plugin\"}"));

        assertThat(result).isEqualTo(Map.of(
                "library", "commons-lang3",
                "version", "3.12.0",
                "jar", "commons-lang3-3.12.0.jar",
                "result", "Hello from the le..."));
    }
}
