package io.modelserve.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "init", description = "Create a Maven project for a new plugin: a working backend, its test, a conf.ini section, a README.")
final class InitCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", description = "the plugin's name, e.g. Greeter: the jar, the class and [algopkg.NAME]")
    String name;

    @Option(names = "--dir", description = "where to create it (default: ./NAME); must not exist or be empty")
    Path dir;

    @Option(names = "--package", description = "the Java package of the backend class (default: com.example.<name>)")
    String javaPackage;

    @Override
    public Integer call() {
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
        System.out.println("  check the jar:   modelserve check " + target.resolve("target/" + name + ".jar") + " --model " + target.resolve("src/main/model/" + scaffold.modelFile()));
        System.out.println("  deploy:          copy target/" + name + ".jar to algopkg/, the model to Model_ZOO/, paste conf.ini.section into conf.ini, modelserve apply conf.ini");
        System.out.println("  call it:         curl -X POST localhost:8000/" + scaffold.route() + " -d '{\"text\":\"hello model world\"}'");
        return 0;
    }
}
