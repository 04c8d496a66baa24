package io.modelserve.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A new plugin project, written from the templates under {@code scaffold/}: a Maven project that
 * builds {@code target/<Name>.jar} against the platform's SDK, tested with the test kit.
 *
 * @param name     the algorithm package name: the jar's name and the conf.ini section {@code [algopkg.<name>]}
 * @param javaPackage the package of the backend class
 * @param platform the modelserve checkout the project is built against (for paths in its README), or null
 */
record Scaffold(String name, String javaPackage, Path platform) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]*");
    private static final Pattern PACKAGE = Pattern.compile("[a-z_][a-z0-9_]*(\\.[a-z_][a-z0-9_]*)*");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{(\\w+)}}");

    /** Why a name or package cannot be used, or null when it can. */
    static String problem(String name, String javaPackage) {
        if (!NAME.matcher(name).matches()) {
            return "'" + name + "' cannot name a plugin: use letters, digits and '_', starting with a letter (e.g. Greeter);"
                    + " it becomes the jar's name, the Java class and the conf.ini section [algopkg." + name + "]";
        }
        if (!PACKAGE.matcher(javaPackage).matches()) {
            return "'" + javaPackage + "' is not a Java package name: lowercase words separated by dots, e.g. com.example.greeter";
        }
        return null;
    }

    static String defaultPackage(String name) {
        return "com.example." + name.toLowerCase(Locale.ROOT);
    }

    String route() {
        return name.toLowerCase(Locale.ROOT);
    }

    String modelFile() {
        return name.toLowerCase(Locale.ROOT) + "-vocabulary.txt";
    }

    /** Writes the project into {@code dir}, which must not exist or be empty; returns the files written. */
    List<Path> writeTo(Path dir) throws IOException {
        if (Files.exists(dir) && (!Files.isDirectory(dir) || hasEntries(dir))) {
            throw new IOException(dir + " already exists and is not empty; choose another --dir or remove it");
        }
        Map<String, String> values = values();
        String packagePath = javaPackage.replace('.', '/');
        Map<String, String> files = new LinkedHashMap<>();
        files.put("pom.xml", "pom.xml.tmpl");
        files.put("src/main/java/" + packagePath + "/" + name + ".java", "Backend.java.tmpl");
        files.put("src/test/java/" + packagePath + "/" + name + "Test.java", "BackendTest.java.tmpl");
        files.put("src/test/resources/logback-test.xml", "logback-test.xml.tmpl");
        files.put("src/main/model/" + modelFile(), "model.txt.tmpl");
        files.put("conf.ini.section", "conf.ini.tmpl");
        files.put("README.md", "README.md.tmpl");
        files.put(".gitignore", "gitignore.tmpl");
        List<Path> written = new ArrayList<>();
        for (Map.Entry<String, String> file : files.entrySet()) {
            Path target = dir.resolve(file.getKey());
            Files.createDirectories(target.getParent());
            Files.writeString(target, fill(template(file.getValue()), values));
            written.add(target);
        }
        return written;
    }

    private Map<String, String> values() throws IOException {
        Properties platformProperties = new Properties();
        try (InputStream in = resource("platform.properties")) {
            platformProperties.load(in);
        }
        Map<String, String> values = new LinkedHashMap<>();
        values.put("Name", name);
        values.put("package", javaPackage);
        values.put("packagePath", javaPackage.replace('.', '/'));
        values.put("groupId", javaPackage.contains(".") ? javaPackage.substring(0, javaPackage.lastIndexOf('.')) : javaPackage);
        values.put("artifactId", name.toLowerCase(Locale.ROOT).replace('_', '-'));
        values.put("route", route());
        values.put("model", modelFile());
        values.put("modelserveVersion", platformProperties.getProperty("modelserve.version"));
        values.put("junitVersion", platformProperties.getProperty("junit.version"));
        values.put("logbackVersion", platformProperties.getProperty("logback.version"));
        for (String plugin : List.of("clean", "resources", "compiler", "surefire", "jar", "install", "deploy")) {
            values.put(plugin, platformProperties.getProperty("plugin." + plugin));
        }
        String root = platform == null ? "<modelserve>" : platform.toString();
        values.put("mvn", platform == null ? "mvn" : root + "/bin/mvn -f \"$PWD/pom.xml\"");
        values.put("modelserve", root + "/bin/modelserve");
        values.put("algopkg", root + "/algopkg");
        values.put("modelZoo", root + "/Model_ZOO");
        return values;
    }

    static String fill(String template, Map<String, String> values) {
        Matcher matcher = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String value = values.get(matcher.group(1));
            if (value == null) {
                throw new IllegalStateException("scaffold template names an unknown value {{" + matcher.group(1) + "}}");
            }
            matcher.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    static String template(String file) throws IOException {
        try (InputStream in = resource(file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static InputStream resource(String file) throws IOException {
        InputStream in = Scaffold.class.getResourceAsStream("scaffold/" + file);
        if (in == null) {
            throw new IOException("the CLI lacks its scaffold template " + file + "; rebuild it with bin/mvn -DskipTests install");
        }
        return in;
    }

    private static boolean hasEntries(Path dir) throws IOException {
        try (var entries = Files.list(dir)) {
            return entries.findAny().isPresent();
        }
    }

    /** The checkout this CLI runs from ({@code <root>/cli/target/...}), or null when it cannot tell. */
    static Path platformRoot() {
        try {
            Path location = Path.of(Scaffold.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path dir = location; dir != null; dir = dir.getParent()) {
                if (Files.isRegularFile(dir.resolve("bin/modelserve")) && Files.isRegularFile(dir.resolve("bin/mvn"))) {
                    return dir;
                }
            }
        } catch (URISyntaxException | RuntimeException e) {
            // Not from a checkout (e.g. a repackaged CLI): the README names the paths generically.
        }
        return null;
    }
}
