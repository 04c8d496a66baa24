package io.modelserve.agent.plugin;

import io.modelserve.sdk.AlgoBackend;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Instantiates a plugin's backend class inside its own {@link PluginClassLoader}. */
public final class PluginLoader {
    private final ClassLoader platform;

    public PluginLoader(ClassLoader platform) {
        this.platform = platform;
    }

    public PluginLoader() {
        this(AlgoBackend.class.getClassLoader());
    }

    /** A loaded backend and the classloader that owns it (close both when the replica stops). */
    public record LoadedBackend(AlgoBackend backend, PluginClassLoader classLoader) {}

    /**
     * Loads {@code className} from {@code jars} and creates an instance.
     *
     * @throws PluginLoadException with a message that says what is wrong and what to do
     */
    public LoadedBackend load(String name, List<Path> jars, String className) throws PluginLoadException {
        List<URL> urls = new ArrayList<>();
        for (Path jar : jars) {
            try {
                urls.add(jar.toUri().toURL());
            } catch (MalformedURLException e) {
                throw new PluginLoadException("bad plugin path " + jar + ": " + e.getMessage());
            }
        }
        PluginClassLoader loader = new PluginClassLoader("algopkg-" + name, urls, platform);
        try {
            return new LoadedBackend(instantiate(loader, className), loader);
        } catch (PluginLoadException | RuntimeException | LinkageError e) {
            closeQuietly(loader);
            if (e instanceof PluginLoadException p) {
                throw p;
            }
            if (e instanceof ExceptionInInitializerError init && init.getCause() != null) {
                // Its toString() is just the class name; the reason (often a native library) is the cause.
                throw new PluginLoadException("cannot load " + className + ": its static initialiser threw " + init.getCause());
            }
            throw new PluginLoadException("cannot load " + className + ": " + e);
        }
    }

    private static AlgoBackend instantiate(ClassLoader loader, String className) throws PluginLoadException {
        Class<?> type;
        try {
            type = Class.forName(className, false, loader);
        } catch (ClassNotFoundException e) {
            throw new PluginLoadException("class " + className + " not found in the plugin's jars; check `backend =` in conf.ini");
        }
        if (!AlgoBackend.class.isAssignableFrom(type)) {
            throw new PluginLoadException(className + " does not implement io.modelserve.sdk.AlgoBackend"
                    + (implementsForeignSdk(type) ? " from the platform (the jar bundles its own copy of algopkg-sdk; make it <scope>provided</scope>)" : ""));
        }
        if (Modifier.isAbstract(type.getModifiers())) {
            throw new PluginLoadException(className + " is abstract or an interface; name a concrete class");
        }
        try {
            Constructor<?> constructor = type.getConstructor();
            return (AlgoBackend) constructor.newInstance();
        } catch (NoSuchMethodException e) {
            throw new PluginLoadException(className + " needs a public no-argument constructor");
        } catch (InvocationTargetException e) {
            throw new PluginLoadException(className + " constructor threw " + e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new PluginLoadException("cannot instantiate " + className + ": " + e);
        }
    }

    private static boolean implementsForeignSdk(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (Class<?> i : c.getInterfaces()) {
                if (i.getName().equals(AlgoBackend.class.getName())) {
                    return true;
                }
            }
        }
        return false;
    }

    private static void closeQuietly(PluginClassLoader loader) {
        try {
            loader.close();
        } catch (java.io.IOException ignored) {
            // Nothing more to release; the load failure is what the operator needs to see.
        }
    }
}
