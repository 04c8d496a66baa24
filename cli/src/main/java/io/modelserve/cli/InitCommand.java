package io.modelserve.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "init", mixinStandardHelpOptions = true, description = {"Create a Maven project for a new plugin: a working backend, its test, a conf.ini section, a README.",
        "With --python: a Python package in the original model server's format (backend.py, its test, requirements.txt)."})
final class InitCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", description = "the plugin's name, e.g. Greeter: the jar, the class and [algopkg.NAME]")
    String name;

    @Option(names = "--dir", description = "where to create it (default: ./NAME); must not exist or be empty")
    Path dir;

    @Option(names = "--package", description = "the Java package of the backend class (default: com.example.<name>)")
    String javaPackage;

    @Option(names = "--python", description = "scaffold a Python package instead (default dir: algopkg/NAME when ./algopkg exists, else ./NAME)")
    boolean python;

    @Override
    public Integer call() {
        int port = ServePort.of(Path.of("conf.ini"));
        if (python) {
            return python(port);
        }
        String pkg = javaPackage == null ? Scaffold.defaultPackage(name) : javaPackage;
        String problem = Scaffold.problem(name, pkg);
        if (problem != null) {
            System.err.println(problem);
            return 1;
        }
        Path target = (dir == null ? Path.of(name) : dir).toAbsolutePath().normalize();
        Scaffold scaffold = new Scaffold(name, pkg, Scaffold.platformRoot());
        try {
            for (Path file : scaffold.writeTo(target)) {
                System.out.println("created " + file);
            }
        } catch (IOException e) {
            System.err.println("cannot create the project: " + e.getMessage());
            return 1;
        }
        System.out.println();
        System.out.println("next: cd " + target + " and read README.md; in short:");
        System.out.println("  build and test:  " + (scaffold.platform() == null ? "mvn" : scaffold.platform() + "/bin/mvn -f " + target.resolve("pom.xml")) + " -o package");
        System.out.println("  check the jar:   modelserve check " + target.resolve("target/" + name + ".jar") + " --model "
                + target.resolve("src/main/model/" + scaffold.modelFile()) + " --params '" + SAMPLE + "'");
        System.out.println("  deploy:          copy target/" + name + ".jar to algopkg/, the model to Model_ZOO/, paste conf.ini.section into conf.ini, modelserve apply conf.ini");
        System.out.println("  call it:         curl -X POST localhost:" + port + "/" + scaffold.route() + " -d '" + SAMPLE + "'");
        return 0;
    }

    private static final String SAMPLE = "{\"text\":\"hello model world\"}";

    private Integer python(int port) {
        if (!name.matches("[A-Za-z][A-Za-z0-9_]*")) {
            System.err.println("'" + name + "' cannot name a package: use letters, digits and '_', starting with a letter (e.g. Greeter);"
                    + " it becomes the folder algopkg/" + name + "/ and the section [algopkg." + name + "]");
            return 1;
        }
        Path target = (dir != null ? dir : java.nio.file.Files.isDirectory(Path.of("algopkg")) ? Path.of("algopkg", name) : Path.of(name))
                .toAbsolutePath().normalize();
        PythonScaffold scaffold = new PythonScaffold(name);
        try {
            for (Path file : scaffold.writeTo(target)) {
                System.out.println("created " + file);
            }
        } catch (IOException e) {
            System.err.println("cannot create the package: " + e.getMessage());
            return 1;
        }
        Path shown = target.startsWith(Path.of("").toAbsolutePath()) ? Path.of("").toAbsolutePath().relativize(target) : target;
        System.out.println();
        System.out.println("next:");
        System.out.println("  test it:   python3 " + shown.resolve("test_backend.py"));
        System.out.println("  check it:  modelserve check " + shown + " --params '" + SAMPLE + "'");
        System.out.println("  deploy:    " + (shown.startsWith("algopkg") ? "" : "move it to algopkg/" + name + "/, ")
                + "paste " + shown.resolve("conf.ini.section") + " into conf.ini, modelserve apply conf.ini");
        System.out.println("  call it:   curl -X POST localhost:" + port + "/" + scaffold.route() + " -d '" + SAMPLE + "'");
        return 0;
    }
}
