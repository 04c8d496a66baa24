package io.modelserve.controller.config;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The concrete classes of a plugin's jars that implement a backend interface of the SDK directly,
 * read from their class files' headers (the head loads no plugin code): what a misspelt
 * {@code backend =} is told to choose from.
 */
final class BackendClasses {
    private static final Set<String> BACKENDS = Set.of("io/modelserve/sdk/AlgoBackend", "io/modelserve/sdk/StreamingBackend",
            "io/modelserve/sdk/TensorModel", "io/modelserve/sdk/TextEmbedder");
    private static final int ACC_INTERFACE = 0x0200;
    private static final int ACC_ABSTRACT = 0x0400;
    /** A plugin with more classes than this is listed no further: the message stays readable. */
    private static final int MAX_SHOWN = 20;

    private BackendClasses() {}

    /** Class names, sorted; unreadable jars and class files are skipped (their problems are reported elsewhere). */
    static List<String> in(List<Path> jars) {
        Set<String> found = new TreeSet<>();
        for (Path jar : jars) {
            try (ZipFile zip = new ZipFile(jar.toFile())) {
                Enumeration<? extends ZipEntry> entries = zip.entries();
                while (entries.hasMoreElements() && found.size() < MAX_SHOWN) {
                    ZipEntry entry = entries.nextElement();
                    if (entry.getName().endsWith(".class") && !entry.getName().startsWith("META-INF/")) {
                        try (InputStream in = zip.getInputStream(entry)) {
                            String name = backendName(new DataInputStream(in));
                            if (name != null) {
                                found.add(name.replace('/', '.'));
                            }
                        } catch (IOException | RuntimeException e) {
                            // Not a class file we can read: not a candidate.
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                // Reported by checkClass.
            }
        }
        return new ArrayList<>(found);
    }

    /** The class's name when it is concrete and implements a backend interface directly, else null. */
    private static String backendName(DataInputStream in) throws IOException {
        if (in.readInt() != 0xCAFEBABE) {
            return null;
        }
        in.readUnsignedShort();
        in.readUnsignedShort();
        int count = in.readUnsignedShort();
        String[] utf8 = new String[count];
        int[] classNameIndex = new int[count];
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> utf8[i] = in.readUTF();
                case 7 -> classNameIndex[i] = in.readUnsignedShort();
                case 8, 16, 19, 20 -> in.readUnsignedShort();
                case 15 -> in.skipNBytes(3);
                case 3, 4, 9, 10, 11, 12, 17, 18 -> in.skipNBytes(4);
                case 5, 6 -> {
                    in.skipNBytes(8);
                    i++;
                }
                default -> {
                    return null;
                }
            }
        }
        int access = in.readUnsignedShort();
        int thisClass = in.readUnsignedShort();
        in.readUnsignedShort();
        int interfaces = in.readUnsignedShort();
        boolean backend = false;
        for (int i = 0; i < interfaces; i++) {
            backend |= BACKENDS.contains(utf8[classNameIndex[in.readUnsignedShort()]]);
        }
        return backend && (access & (ACC_INTERFACE | ACC_ABSTRACT)) == 0 ? utf8[classNameIndex[thisClass]] : null;
    }
}
