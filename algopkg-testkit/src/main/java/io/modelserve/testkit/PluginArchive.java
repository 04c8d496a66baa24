package io.modelserve.testkit;

import io.modelserve.agent.plugin.PluginClassLoader;
import io.modelserve.sdk.AlgoBackend;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A plugin as it lies in {@code algopkg/}: one jar, or a folder of jars, read without loading any
 * of its classes. Says which classes implement {@link AlgoBackend}, which libraries it bundles, and
 * which of its classes could stop the whole node.
 */
public final class PluginArchive {
    /** Readable names of the libraries the platform shares, by the package prefix the loader uses. */
    private static final Map<String, String> SHARED_NAMES = Map.of(
            "io.modelserve.sdk.", "algopkg-sdk",
            "com.fasterxml.jackson.", "Jackson",
            "org.slf4j.", "SLF4J",
            "io.micrometer.", "Micrometer",
            "ai.djl.", "DJL",
            "ai.onnxruntime.", "ONNX Runtime");

    private final List<Path> jars;
    private final Map<String, ClassFile> classes;
    private final Map<String, Path> origin;
    private final List<String> libraries;

    private PluginArchive(List<Path> jars, Map<String, ClassFile> classes, Map<String, Path> origin, List<String> libraries) {
        this.jars = jars;
        this.classes = classes;
        this.origin = origin;
        this.libraries = libraries;
    }

    /**
     * Library bundled by the plugin that the platform provides itself: the plugin's copy is never
     * loaded, the platform's version is used instead.
     *
     * @param library the library's name, e.g. {@code Jackson}
     * @param jar     the plugin jar that holds the copy
     * @param classes how many of its classes the jar holds
     */
    public record SharedCopy(String library, Path jar, int classes) {}

    /**
     * A class whose code calls a method that ends the JVM, and with it every replica of the node.
     *
     * @param className the calling class
     * @param method    e.g. {@code java.lang.System.exit}
     */
    public record ExitCall(String className, String method) {}

    /**
     * Reads {@code path}: a jar, or a folder whose {@code *.jar} files make up the plugin (as
     * {@code algopkg/<Name>/}).
     *
     * @param path the jar or the folder
     * @return the archive, all its class files parsed
     * @throws IOException with a message that names the file and what is wrong with it
     */
    public static PluginArchive open(Path path) throws IOException {
        List<Path> jars = jarsOf(path);
        Map<String, ClassFile> classes = new LinkedHashMap<>();
        Map<String, Path> origin = new HashMap<>();
        Set<String> libraries = new LinkedHashSet<>();
        for (Path jar : jars) {
            if (jars.size() > 1) {
                libraries.add(jar.getFileName().toString());
            }
            try (ZipFile zip = new ZipFile(jar.toFile())) {
                Enumeration<? extends ZipEntry> entries = zip.entries();
                while (entries.hasMoreElements()) {
                    ZipEntry entry = entries.nextElement();
                    String name = entry.getName();
                    if (name.endsWith(".class") && !name.endsWith("module-info.class") && !name.startsWith("META-INF/")) {
                        ClassFile file = parse(zip, entry, jar);
                        // Like the classloader: the first jar that has a class wins.
                        if (classes.putIfAbsent(file.name(), file) == null) {
                            origin.put(file.name(), jar);
                        }
                    } else if (jars.size() == 1 && name.startsWith("META-INF/maven/") && name.endsWith("/pom.properties")) {
                        libraries.add(coordinates(zip, entry));
                    }
                }
            } catch (java.util.zip.ZipException e) {
                throw new IOException(jar + " is not a readable jar (" + e.getMessage() + "); rebuild it with `mvn package`", e);
            }
        }
        return new PluginArchive(List.copyOf(jars), classes, origin, List.copyOf(libraries));
    }

    private static List<Path> jarsOf(Path path) throws IOException {
        if (Files.isRegularFile(path)) {
            if (!path.getFileName().toString().endsWith(".jar")) {
                throw new IOException(path + " is not a jar; give the plugin's jar (target/<Name>.jar) or a folder of jars");
            }
            return List.of(path);
        }
        if (!Files.isDirectory(path)) {
            throw new IOException(path + " does not exist; give the plugin's jar (target/<Name>.jar) or a folder of jars");
        }
        List<Path> jars = new ArrayList<>();
        try (DirectoryStream<Path> listing = Files.newDirectoryStream(path, "*.jar")) {
            listing.forEach(jars::add);
        }
        if (jars.isEmpty()) {
            throw new IOException("folder " + path + "/ holds no *.jar files; a folder plugin is the plugin's jar plus the jars of its libraries");
        }
        // The runtime puts a folder's jars on the classpath in this order.
        jars.sort(Comparator.comparing(jar -> jar.getFileName().toString()));
        return jars;
    }

    private static ClassFile parse(ZipFile zip, ZipEntry entry, Path jar) throws IOException {
        try (InputStream in = zip.getInputStream(entry)) {
            return ClassFile.parse(in.readAllBytes());
        } catch (IOException e) {
            throw new IOException(jar + "!/" + entry.getName() + ": " + e.getMessage(), e);
        }
    }

    private static String coordinates(ZipFile zip, ZipEntry entry) throws IOException {
        Properties pom = new Properties();
        try (InputStream in = zip.getInputStream(entry)) {
            pom.load(in);
        }
        return pom.getProperty("groupId", "?") + ":" + pom.getProperty("artifactId", "?") + ":" + pom.getProperty("version", "?");
    }

    /** @return the jars, in the order the plugin's classloader searches them */
    public List<Path> jars() {
        return jars;
    }

    /** @return how many classes the plugin holds, bundled libraries included */
    public int classCount() {
        return classes.size();
    }

    /**
     * The libraries the plugin ships: for a folder, its jars; for a single (shaded) jar, the Maven
     * coordinates recorded in it (the plugin's own included).
     *
     * @return one line each, e.g. {@code org.apache.commons:commons-lang3:3.12.0} or a jar's file name
     */
    public List<String> libraries() {
        return libraries;
    }

    /**
     * The public concrete classes that implement {@link AlgoBackend}, directly or through super
     * classes and interfaces of the plugin. Those that would be loaded from the platform's shared
     * packages (a bundled SDK, say) are left out: the plugin's copy never runs.
     *
     * @return class names, sorted
     */
    public List<String> backendClasses() {
        List<String> found = new ArrayList<>();
        for (ClassFile file : classes.values()) {
            if (file.isConcrete() && !PluginClassLoader.isShared(file.name()) && implementsBackend(file.name(), new LinkedHashSet<>())) {
                found.add(file.name());
            }
        }
        found.sort(null);
        return found;
    }

    private boolean implementsBackend(String name, Set<String> seen) {
        if (name.equals(AlgoBackend.class.getName())) {
            return true;
        }
        ClassFile file = classes.get(name);
        if (file == null || !seen.add(name)) {
            return false;
        }
        if (file.superName() != null && implementsBackend(file.superName(), seen)) {
            return true;
        }
        for (String parent : file.interfaces()) {
            if (implementsBackend(parent, seen)) {
                return true;
            }
        }
        return false;
    }

    /** @return the libraries the platform shares that the plugin also bundles: its copies are ignored */
    public List<SharedCopy> sharedCopies() {
        Map<String, Map<Path, Integer>> counts = new TreeMap<>();
        for (ClassFile file : classes.values()) {
            for (Map.Entry<String, String> shared : SHARED_NAMES.entrySet()) {
                if (file.name().startsWith(shared.getKey())) {
                    counts.computeIfAbsent(shared.getValue(), k -> new TreeMap<>()).merge(origin.get(file.name()), 1, Integer::sum);
                }
            }
        }
        List<SharedCopy> copies = new ArrayList<>();
        counts.forEach((library, perJar) -> perJar.forEach((jar, n) -> copies.add(new SharedCopy(library, jar, n))));
        return copies;
    }

    /** @return the calls to {@code System.exit}, {@code Runtime.exit} and {@code Runtime.halt} in the plugin's classes */
    public List<ExitCall> exitCalls() {
        List<ExitCall> calls = new ArrayList<>();
        for (ClassFile file : classes.values()) {
            if (file.calls("java.lang.System", "exit")) {
                calls.add(new ExitCall(file.name(), "java.lang.System.exit"));
            }
            if (file.calls("java.lang.Runtime", "exit")) {
                calls.add(new ExitCall(file.name(), "java.lang.Runtime.exit"));
            }
            if (file.calls("java.lang.Runtime", "halt")) {
                calls.add(new ExitCall(file.name(), "java.lang.Runtime.halt"));
            }
        }
        return calls;
    }
}
