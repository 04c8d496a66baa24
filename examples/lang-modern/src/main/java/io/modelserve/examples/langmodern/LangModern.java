package io.modelserve.examples.langmodern;

import com.fasterxml.jackson.databind.JsonNode;
import io.modelserve.sdk.AlgoBackend;
import io.modelserve.sdk.BackendContext;
import io.modelserve.sdk.Request;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.jar.JarFile;
import org.apache.commons.lang3.StringUtils;
import org.apache.commons.lang3.Strings;

/**
 * Bundles commons-lang3 3.18.0 in its plugin folder and reports which copy of the library it runs
 * with; deployed beside {@code LangLegacy} (3.12.0) it shows that each plugin has its own classloader.
 * It also calls {@link Strings}, which 3.12.0 lacks, so it fails loudly if handed the older copy.
 */
public class LangModern implements AlgoBackend {

    private String version = "";
    private String jar = "";

    @Override
    public void init(BackendContext context) throws IOException, URISyntaxException {
        Path location = Path.of(StringUtils.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        jar = location.getFileName().toString();
        version = StringUtils.class.getPackage().getImplementationVersion();
        if (version == null) {
            try (JarFile file = new JarFile(location.toFile())) {
                version = file.getManifest().getMainAttributes().getValue("Implementation-Version");
            }
        }
    }

    @Override
    public Object inference(Request request) {
        JsonNode text = request.params().path("text");
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("library", "commons-lang3");
        result.put("version", version);
        result.put("jar", jar);
        result.put("result", StringUtils.abbreviate(StringUtils.capitalize(text.asText("")), 20));
        result.put("greeting", Strings.CI.startsWithAny(text.asText(""), "hello", "hi"));
        return result;
    }
}
