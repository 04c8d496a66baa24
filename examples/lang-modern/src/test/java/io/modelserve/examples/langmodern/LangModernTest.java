package io.modelserve.examples.langmodern;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LangModernTest {

    @Test
    void reportsTheBundledCommonsLang3() throws Exception {
        LangModern backend = new LangModern();
        backend.init(new TestContext("r-1", List.of(), Map.of()));

        Object result = backend.inference(TestRequest.of("{\"text\":\"hello from the modern plugin\"}"));

        assertThat(result).isEqualTo(Map.of(
                "library", "commons-lang3",
                "version", "3.18.0",
                "jar", "commons-lang3-3.18.0.jar",
                "result", "Hello from the mo...",
                "greeting", true));
    }
}
