package io.modelserve.agent.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.JsonNode;
import io.modelserve.agent.runtime.JsonRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** How an HTTP body, content type and query string become the params a plugin sees, or a 400. */
class RequestDecoderTest {

    @Test
    void jsonObjectBodyBecomesParams() {
        JsonRequest request = ok("{\"text\":\"hi\",\"topN\":3}", "application/json; charset=utf-8", Map.of());

        assertThat(request.params().path("text").asText()).isEqualTo("hi");
        assertThat(request.params().path("topN").asInt()).isEqualTo(3);
        assertThat(request.contentType()).isEqualTo("application/json; charset=utf-8");
    }

    @Test
    void curlsDefaultFormContentTypeWithAJsonBodyIsReadAsJson() {
        // `curl -d '{"text":"hi"}'` sends application/x-www-form-urlencoded: the user meant JSON.
        JsonRequest request = ok("  {\"text\":\"hi\"}", "application/x-www-form-urlencoded", Map.of());

        assertThat(request.params().path("text").asText()).isEqualTo("hi");
    }

    @Test
    void plainTextWithAJsonBodyIsReadAsJson() {
        assertThat(ok("{\"text\":\"hi\"}", "text/plain", Map.of()).params().path("text").asText()).isEqualTo("hi");
    }

    @Test
    void noContentTypeIsReadAsJson() {
        assertThat(ok("{\"text\":\"hi\"}", null, Map.of()).params().path("text").asText()).isEqualTo("hi");
    }

    @Test
    void realFormBodyBecomesParams() {
        JsonRequest request = ok("text=hello+world&lang=en&empty=&flag&enc=%C3%A9t%C3%A9", "application/x-www-form-urlencoded", Map.of());

        assertThat(request.params().path("text").asText()).isEqualTo("hello world");
        assertThat(request.params().path("lang").asText()).isEqualTo("en");
        assertThat(request.params().path("empty").asText()).isEmpty();
        assertThat(request.params().path("flag").asText()).isEmpty();
        assertThat(request.params().path("enc").asText()).isEqualTo("été");
    }

    @Test
    void queryParamsAreMergedButNeverOverrideTheBody() {
        JsonRequest request = ok("{\"text\":\"from body\"}", "application/json",
                Map.of("text", List.of("from query"), "lang", List.of("en", "fr")));

        assertThat(request.params().path("text").asText()).isEqualTo("from body");
        assertThat(request.params().path("lang").asText()).isEqualTo("en");
    }

    @Test
    void queryParamsAloneForABodylessGet() {
        JsonRequest request = ok("", null, Map.of("text", List.of("hi")));

        assertThat(request.params().path("text").asText()).isEqualTo("hi");
        assertThat(request.body()).isEmpty();
        assertThat(request.contentType()).isEmpty();
    }

    @Test
    void formFieldsAreNotOverriddenByTheQuery() {
        JsonRequest request = ok("text=body", "application/x-www-form-urlencoded", Map.of("text", List.of("query")));

        assertThat(request.params().path("text").asText()).isEqualTo("body");
    }

    @Test
    void malformedJsonIsRefusedWithAClearMessage() {
        String message = malformed("{\"text\": \"hi\"", "application/json");

        assertThat(message).startsWith("malformed JSON body: ").doesNotContain("\n");
    }

    @Test
    void duplicateKeysAreRefused() {
        // Which of two "text" values a plugin would see is undefined; say so instead of guessing.
        assertThat(malformed("{\"text\":\"a\",\"text\":\"b\"}", "application/json")).contains("Duplicate field 'text'");
    }

    @Test
    void trailingGarbageAfterTheObjectIsRefused() {
        assertThat(malformed("{\"text\":\"hi\"} {\"text\":\"again\"}", "application/json")).startsWith("malformed JSON body: ");
        assertThat(malformed("{\"text\":\"hi\"}}", "application/x-www-form-urlencoded")).startsWith("malformed JSON body: ");
    }

    @Test
    void jsonThatIsNotAnObjectIsRefusedWithAnExample() {
        assertThat(malformed("[1,2,3]", "application/json"))
                .isEqualTo("the JSON body must be an object, e.g. {\"text\": \"hi\"}; got array");
        assertThat(malformed("42", "application/json")).endsWith("got number");
        assertThat(malformed("\"hi\"", null)).endsWith("got string");
        assertThat(malformed("null", "application/json")).endsWith("got null");
    }

    @Test
    void absurdlyDeepJsonIsRefusedNotAStackOverflow() {
        String deep = "{\"a\":".repeat(5000) + "1" + "}".repeat(5000);

        assertThat(malformed(deep, "application/json")).startsWith("malformed JSON body: ");
    }

    @Test
    void whitespaceOnlyJsonBodyIsAnEmptyObject() {
        assertThat(ok("  \n ", "application/json", Map.of()).params().isEmpty()).isTrue();
    }

    @Test
    void binaryBodyIsKeptRawAndParamsComeFromTheQueryOnly() {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, '{'};

        RequestDecoder.Decoded decoded = RequestDecoder.decode(png, "image/png", Map.of("topN", List.of("5")));

        assertThat(decoded).isInstanceOfSatisfying(RequestDecoder.Ok.class, ok -> {
            assertThat(ok.request().body()).isEqualTo(png);
            assertThat(ok.request().contentType()).isEqualTo("image/png");
            assertThat(ok.request().params().properties()).extracting(Map.Entry::getKey).containsExactly("topN");
            assertThat(ok.request().params().path("topN").asText()).isEqualTo("5");
        });
    }

    @Test
    void octetStreamThatLooksLikeJsonIsStillRaw() {
        JsonRequest request = ok("{\"text\":\"hi\"}", "application/octet-stream", Map.of());

        assertThat(request.params().isEmpty()).isTrue();
        assertThat(new String(request.body(), StandardCharsets.UTF_8)).isEqualTo("{\"text\":\"hi\"}");
    }

    @Test
    void garbageNeverThrows() {
        // Whatever a client sends, the answer is Ok or Malformed (a 400), never an exception (a 500).
        Random random = new Random(20240601);
        String[] types = {null, "", "application/json", "application/x-www-form-urlencoded", "text/plain",
                "image/png", "APPLICATION/JSON; charset=latin1", ";;;", "application/vnd.api+json", "multipart/form-data; boundary=x"};
        String alphabet = "{}[]\":,=&%+ \t\n\\0123456789abcdefnulltrue-.eE\u00e9\u20ac";
        for (int i = 0; i < 5000; i++) {
            byte[] body;
            if (random.nextBoolean()) {
                body = new byte[random.nextInt(64)];
                random.nextBytes(body);
            } else {
                StringBuilder text = new StringBuilder();
                int length = random.nextInt(64);
                for (int j = 0; j < length; j++) {
                    text.append(alphabet.charAt(random.nextInt(alphabet.length())));
                }
                body = text.toString().getBytes(StandardCharsets.UTF_8);
            }
            String type = types[random.nextInt(types.length)];
            Map<String, List<String>> query = random.nextBoolean() ? Map.of() : Map.of("q", List.of("%zz"), "", List.of());
            byte[] input = body;
            assertThatCode(() -> {
                RequestDecoder.Decoded decoded = RequestDecoder.decode(input, type, query);
                if (decoded instanceof RequestDecoder.Ok ok) {
                    JsonNode params = ok.request().params();
                    assertThat(params.isObject()).isTrue();
                } else {
                    assertThat(((RequestDecoder.Malformed) decoded).message()).isNotBlank();
                }
            }).as("content type %s, body %s", type, java.util.Arrays.toString(input)).doesNotThrowAnyException();
        }
    }

    private static JsonRequest ok(String body, String contentType, Map<String, List<String>> query) {
        RequestDecoder.Decoded decoded = RequestDecoder.decode(body.getBytes(StandardCharsets.UTF_8), contentType, query);
        assertThat(decoded).isInstanceOf(RequestDecoder.Ok.class);
        return ((RequestDecoder.Ok) decoded).request();
    }

    private static String malformed(String body, String contentType) {
        RequestDecoder.Decoded decoded = RequestDecoder.decode(body.getBytes(StandardCharsets.UTF_8), contentType, Map.of());
        assertThat(decoded).isInstanceOf(RequestDecoder.Malformed.class);
        return ((RequestDecoder.Malformed) decoded).message();
    }
}
