package io.modelserve.agent.plugin;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/**
 * A plugin's own classloader: its jars first, then the JDK; only the packages the platform shares
 * (the SDK, the model kit, Jackson, SLF4J, Micrometer, DJL and ONNX Runtime) come from the platform's loader.
 *
 * <p>Why not parent-first: two plugins bundling different versions of one library must each see
 * their own. Why share DJL and ONNX Runtime: a native library can be loaded only once per JVM, so
 * a second copy in a plugin would fail with "already loaded in another classloader". Everything
 * else of the platform (Hazelcast, Javalin, Jetty, ...) stays invisible, so a plugin cannot come to
 * depend on it by accident.
 */
public final class PluginClassLoader extends URLClassLoader {
    /** Package prefixes resolved from the platform, never from a plugin's jars. */
    public static final List<String> SHARED_PACKAGES = List.of(
            "io.modelserve.sdk.",
            "io.modelserve.modelkit.",
            "com.fasterxml.jackson.",
            "org.slf4j.",
            "io.micrometer.",
            "ai.djl.",
            "ai.onnxruntime.");

    static {
        ClassLoader.registerAsParallelCapable();
    }

    private final ClassLoader platform;

    public PluginClassLoader(String name, List<URL> jars, ClassLoader platform) {
        super(name, jars.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
        this.platform = platform;
    }

    public static boolean isShared(String className) {
        for (String prefix : SHARED_PACKAGES) {
            if (className.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (isShared(name)) {
            return platform.loadClass(name);
        }
        synchronized (getClassLoadingLock(name)) {
            Class<?> loaded = findLoadedClass(name);
            if (loaded == null) {
                try {
                    // JDK classes first: a plugin must not replace java.* (and cannot, by the JVM's rules).
                    loaded = ClassLoader.getPlatformClassLoader().loadClass(name);
                } catch (ClassNotFoundException notJdk) {
                    loaded = findClass(name);
                }
            }
            if (resolve) {
                resolveClass(loaded);
            }
            return loaded;
        }
    }

    /**
     * Resources: the plugin's own first, then the platform's. Unlike classes, resources fall back to
     * the platform because shared libraries look up their own files through the thread's context
     * classloader (DJL finds its native library descriptors and engines that way, and the worker
     * thread's context loader is this one). A resource cannot link a plugin to a platform class.
     */
    @Override
    public URL getResource(String name) {
        if (isSharedResource(name)) {
            return platform.getResource(name);
        }
        URL own = findResource(name);
        return own != null ? own : platform.getResource(name);
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
        if (isSharedResource(name)) {
            return platform.getResources(name);
        }
        List<URL> urls = new ArrayList<>(Collections.list(findResources(name)));
        urls.addAll(Collections.list(platform.getResources(name)));
        return Collections.enumeration(urls);
    }

    private static boolean isSharedResource(String resource) {
        return isShared(resource.replace('/', '.'));
    }
}
