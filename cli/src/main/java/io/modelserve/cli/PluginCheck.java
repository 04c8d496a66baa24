package io.modelserve.cli;

import io.modelserve.agent.plugin.PluginLoadException;
import io.modelserve.agent.runtime.BackendFailure;
import io.modelserve.testkit.PluginArchive;
import io.modelserve.testkit.PluginUnderTest;
import io.modelserve.testkit.Requests;
import io.modelserve.testkit.RouteAnswer;
import io.modelserve.testkit.TestReplica;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Checks a plugin on this machine before it goes to a cluster: what it holds, whether it loads in
 * its own classloader, {@code init} on the given models, one request. Every problem says what to do.
 *
 * @param plugin  the plugin's jar or folder of jars
 * @param backend the backend class, or null to find the one class implementing AlgoBackend
 * @param models  the model files {@code init} gets
 * @param params  the JSON body of the one request
 * @param config  the {@code config.*} values
 * @param timeout how long {@code init} and the request may take each
 */
record PluginCheck(Path plugin, String backend, List<Path> models, String params, Map<String, String> config, Duration timeout) {
    private static final String SDK = "io.modelserve.sdk.AlgoBackend";
    private static final int SHOWN_BODY_CHARS = 600;

    /** One thing found. */
    record Finding(Level level, String text) {
        enum Level { OK, WARN, PROBLEM }

        static Finding ok(String text) {
            return new Finding(Level.OK, text);
        }

        static Finding warn(String text) {
            return new Finding(Level.WARN, text);
        }

        static Finding problem(String text) {
            return new Finding(Level.PROBLEM, text);
        }
    }

    /** Runs the checks in order, reporting each finding as it is made; stops at the first that makes the rest moot. */
    void run(Consumer<Finding> out) {
        PluginArchive archive;
        try {
            archive = PluginArchive.open(plugin);
        } catch (IOException e) {
            out.accept(Finding.problem(e.getMessage()));
            return;
        }
        out.accept(Finding.ok("plugin " + plugin + ": " + archive.jars().size() + (archive.jars().size() == 1 ? " jar, " : " jars, ")
                + archive.classCount() + (archive.classCount() == 1 ? " class" : " classes")));
        String className = backendClass(archive, out);
        reportLibraries(archive, out);
        for (PluginArchive.ExitCall call : archive.exitCalls()) {
            out.accept(Finding.warn(call.className() + " calls " + call.method() + ": on a node that ends the whole JVM, every replica of"
                    + " every deployment on it; throw an exception instead (a failing init marks only this replica FAILED)"));
        }
        if (className == null || !inputsUsable(out)) {
            return;
        }
        String name = plugin.toAbsolutePath().normalize().getFileName().toString().replaceFirst("\\.jar$", "");
        PluginUnderTest underTest = new PluginUnderTest(name, archive.jars(), className, List.of(), config)
                .withModel(models.toArray(Path[]::new));
        TestReplica replica;
        try {
            replica = underTest.load();
        } catch (PluginLoadException e) {
            out.accept(Finding.problem(e.getMessage() + advice(e.getMessage(), archive)));
            return;
        } catch (RuntimeException | Error e) {
            out.accept(Finding.problem("cannot load " + className + ": " + e + "; the jar may be built for a newer Java or be damaged"));
            return;
        }
        out.accept(Finding.ok("backend " + className + " implements " + SDK + " and has a public no-argument constructor"));
        try {
            if (init(replica, out)) {
                inference(replica, out);
            }
        } finally {
            close(replica, out);
        }
    }

    private String backendClass(PluginArchive archive, Consumer<Finding> out) {
        List<String> candidates = archive.backendClasses();
        if (backend != null) {
            return backend;
        }
        if (candidates.isEmpty()) {
            out.accept(Finding.problem("no public concrete class in " + plugin + " implements " + SDK + "; a plugin needs one, with a"
                    + " public no-argument constructor (`modelserve init NAME` writes an example); if the class is there, check"
                    + " that it is public and not abstract"));
            return null;
        }
        if (candidates.size() > 1) {
            out.accept(Finding.problem("several classes implement " + SDK + ": " + candidates + "; pass --backend with the one that"
                    + " conf.ini's `backend =` will name"));
            return null;
        }
        out.accept(Finding.ok("found backend class " + candidates.getFirst() + " (conf.ini: backend = " + candidates.getFirst() + ")"));
        return candidates.getFirst();
    }

    private void reportLibraries(PluginArchive archive, Consumer<Finding> out) {
        List<String> libraries = archive.libraries();
        out.accept(Finding.ok(libraries.isEmpty() ? "bundles no libraries (no Maven metadata in the jar)"
                : "bundles " + String.join(", ", libraries)));
        for (PluginArchive.SharedCopy copy : archive.sharedCopies()) {
            out.accept(Finding.warn("bundles its own " + copy.library() + " (" + copy.classes() + " classes in " + copy.jar().getFileName()
                    + "); the platform shares its " + copy.library() + " with every plugin, so this copy is ignored and the"
                    + " platform's version is used: make the dependency <scope>provided</scope> (or exclude it) to drop it"));
        }
    }

    private boolean inputsUsable(Consumer<Finding> out) {
        boolean usable = true;
        for (Path model : models) {
            if (!Files.isRegularFile(model)) {
                out.accept(Finding.problem("model file " + model + " does not exist or is not a file; pass with --model the files"
                        + " that conf.ini's `model =` names under Model_ZOO"));
                usable = false;
            }
        }
        if (paramsProblem(params) != null) {
            out.accept(Finding.problem("--params: " + paramsProblem(params) + "; pass a JSON object, e.g. --params '{\"text\":\"hi\"}'"));
            usable = false;
        }
        return usable;
    }

    private boolean init(TestReplica replica, Consumer<Finding> out) {
        long started = System.nanoTime();
        try {
            timed(() -> {
                replica.init();
                return null;
            });
        } catch (TimeoutException e) {
            out.accept(Finding.problem("init did not finish within " + timeout.toSeconds() + " s; a node would keep the replica"
                    + " STARTING; make init faster or pass a longer --timeout"));
            return false;
        } catch (Throwable t) {
            out.accept(Finding.problem("init failed after " + millis(started) + " ms: " + BackendFailure.describe(t)
                    + "; on a node the replica would be FAILED with this message. Check the model files (given: " + names(models)
                    + ") and the config (given: " + config + "); pass them with --model and --config as the conf.ini section will"));
            return false;
        }
        out.accept(Finding.ok("init succeeded in " + millis(started) + " ms with models " + names(models) + " and config " + config));
        return true;
    }

    private void inference(TestReplica replica, Consumer<Finding> out) {
        long started = System.nanoTime();
        RouteAnswer answer;
        try {
            answer = timed(() -> replica.route(params));
        } catch (TimeoutException e) {
            out.accept(Finding.problem("the request " + params + " got no answer within " + timeout.toSeconds()
                    + " s; a node would answer 504 after timeout_ms"));
            return;
        } catch (Throwable t) {
            out.accept(Finding.problem("the request failed: " + BackendFailure.describe(t)));
            return;
        }
        String body = !answer.isJson() ? answer.bytes().length + " bytes of " + answer.contentType()
                : answer.body().length() > SHOWN_BODY_CHARS ? answer.body().substring(0, SHOWN_BODY_CHARS) + "..." : answer.body();
        if (!answer.headers().isEmpty()) {
            body += " with headers " + answer.headers();
        }
        if (answer.ok()) {
            out.accept(Finding.ok("inference answered in " + millis(started) + " ms (a first call, warm-up included): "
                    + answer.httpStatus() + " " + body));
        } else {
            out.accept(Finding.problem("inference of " + params + " answered " + answer.httpStatus() + " " + body + " after "
                    + millis(started) + " ms; the route would answer the same. Fix the plugin, or pass with --params a request it expects"));
        }
    }

    private static void close(TestReplica replica, Consumer<Finding> out) {
        try {
            replica.close();
        } catch (Throwable t) {
            out.accept(Finding.warn("close() threw " + BackendFailure.describe(t) + "; a node logs it and goes on, but models"
                    + " and native memory may not be released when replicas are replaced"));
        }
    }

    private static String advice(String message, PluginArchive archive) {
        if (message.contains("does not implement")) {
            List<String> others = archive.backendClasses();
            return "; make it `implements " + SDK + "`" + (others.isEmpty() ? "" : ", or pass --backend with a class that does: " + others);
        }
        if (message.contains("not found")) {
            List<String> others = archive.backendClasses();
            return others.isEmpty() ? "" : " (classes implementing AlgoBackend here: " + others + ")";
        }
        return "";
    }

    /** Runs {@code call} on a daemon thread and waits at most {@link #timeout}: a plugin that hangs must not hang the check. */
    private <T> T timed(Callable<T> call) throws Throwable {
        FutureTask<T> task = new FutureTask<>(call);
        Thread.ofPlatform().daemon(true).name("check").start(task);
        try {
            return task.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause();
        }
    }

    private static long millis(long startedNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
    }

    private static List<String> names(List<Path> files) {
        return files.stream().map(file -> file.getFileName().toString()).toList();
    }

    /** Why --params is not what a route accepts (by the ingress's own decoder), or null. */
    private static String paramsProblem(String json) {
        try {
            Requests.json(json);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }
}
