package io.modelserve.cli;

import io.modelserve.controller.config.ConfigParser;
import io.modelserve.controller.config.ConfigResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "check", mixinStandardHelpOptions = true, description = {"Check a plugin on this machine, without a cluster: its backend class, the libraries it bundles,",
        "init on the given models, one request. Exit 0 when it would serve, 1 when problems were found."})
final class CheckCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "JAR_OR_DIR", description = "the plugin: target/<Name>.jar, a folder of jars like algopkg/<Name>/, or a Python package folder (backend.py)")
    Path plugin;

    @Option(names = "--backend", paramLabel = "CLASS", description = "the backend class (default: the one class in the plugin implementing AlgoBackend)")
    String backend;

    @Option(names = "--model", paramLabel = "FILE", arity = "1..*", description = "model files for init, as conf.ini's `model =` lists them")
    List<Path> models = new ArrayList<>();

    @Option(names = "--params", paramLabel = "JSON", defaultValue = "{}", description = "the JSON body of the test request (default: ${DEFAULT-VALUE})")
    String params;

    @Option(names = "--config", paramLabel = "KEY=VALUE", description = "config.* values for init, prefix left out, e.g. --config greeting=hi")
    Map<String, String> config = new LinkedHashMap<>();

    @Option(names = "--python", paramLabel = "PATH", description = {"the interpreter of a Python package, as conf.ini's `python =` (default: the python of the package's",
            "section or [MODEL SERVE] in ./conf.ini, else python3 on PATH)"})
    String python;

    @Option(names = "--timeout", defaultValue = "120", description = "seconds init and the request may take each (default: ${DEFAULT-VALUE})")
    int timeoutSeconds;

    /** Where check keeps environments between runs, each named by its content as on a node. */
    static final Path RUNTIME_ROOT = Path.of(System.getProperty("java.io.tmpdir"), "modelserve-check-python");

    /**
     * The {@code python =} a replica of the package would get from {@code conf} (its section's, else
     * [MODEL SERVE]'s), when conf names the package and parses; otherwise empty, and check uses python3.
     */
    static Optional<String> confIniPython(Path conf, Path pkg) {
        if (!Files.isRegularFile(conf)) {
            return Optional.empty();
        }
        String name = pkg.toAbsolutePath().normalize().getFileName().toString();
        if (!(new ConfigParser(BuiltinSchemas.standard(), System::getenv).parse(conf) instanceof ConfigResult.Valid valid)) {
            return Optional.empty();
        }
        return valid.deployments().stream()
                .filter(spec -> spec.pluginJars().stream().anyMatch(a -> a.name().startsWith(name + "/")))
                .map(spec -> spec.isolation().interpreter()).filter(python -> !python.isBlank()).findFirst();
    }

    @Override
    public Integer call() throws Exception {
        // The plugin's own log lines are worth seeing on the console; the log files belong elsewhere than here.
        if (System.getProperty("modelserve.logDir") == null) {
            System.setProperty("modelserve.logDir", Files.createTempDirectory("modelserve-check").toString());
        }
        AtomicInteger problems = new AtomicInteger();
        AtomicInteger warnings = new AtomicInteger();
        System.out.println("checking " + plugin);
        java.util.function.Consumer<PluginCheck.Finding> report = finding -> {
            switch (finding.level()) {
                case OK -> System.out.println("  ok       " + finding.text());
                case WARN -> {
                    warnings.incrementAndGet();
                    System.out.println("  warning  " + finding.text());
                }
                case PROBLEM -> {
                    problems.incrementAndGet();
                    System.out.println("  PROBLEM  " + finding.text());
                }
            }
        };
        if (PythonCheck.isPackage(plugin)) {
            new PythonCheck(plugin, backend, List.copyOf(models), params, Map.copyOf(config),
                    python != null ? python : confIniPython(Path.of("conf.ini"), plugin).orElse(null),
                    Duration.ofSeconds(timeoutSeconds), RUNTIME_ROOT).run(report);
        } else {
            new PluginCheck(plugin, backend, List.copyOf(models), params, Map.copyOf(config), Duration.ofSeconds(timeoutSeconds)).run(report);
        }
        if (problems.get() > 0) {
            System.out.println(problems.get() + (problems.get() == 1 ? " problem" : " problems") + " found: " + plugin + " would not serve as it is");
            return 1;
        }
        System.out.println("ok: " + plugin + " loads, initialises and answers" + (warnings.get() > 0 ? " (" + warnings.get() + " warnings)" : ""));
        return 0;
    }
}
