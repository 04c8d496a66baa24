package io.modelserve.controller.config;

import io.modelserve.cluster.DeploymentSpec;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads conf.ini (SPEC §2) into typed, immutable specs, or into every error it has: an apply either
 * takes the whole file or changes nothing. {@link #parse} never throws; whatever the input, the answer
 * is a {@link ConfigResult}. Safe to share: one instance keeps its {@link FileDigests} across applies.
 */
public final class ConfigParser {
    /** conf.ini is hand-written; anything this big is the wrong file, and reading it could exhaust the heap. */
    static final long MAX_FILE_BYTES = 4L * 1024 * 1024;
    private static final Pattern PACKAGE_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_-]*");
    /** A canary's label, after '@': {@code [algopkg.TextEmbedding@v2]}. */
    private static final Pattern CANARY_LABEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    private final Map<String, BuiltinSchema> builtins;
    private final Function<String, String> env;
    private final FileDigests digests;

    /**
     * @param knownBuiltins names usable as {@code backend = builtin:<name>}
     * @param env           looks up {@code ${VAR}} in admin_token, e.g. {@code System::getenv}
     */
    public ConfigParser(Set<String> knownBuiltins, Function<String, String> env) {
        this(knownBuiltins, env, new FileDigests());
    }

    public ConfigParser(Set<String> knownBuiltins, Function<String, String> env, FileDigests digests) {
        this(knownBuiltins.stream().map(BuiltinSchema::withoutOptions).toList(), env, digests);
    }

    /**
     * @param builtins the built-in backends usable as {@code backend = builtin:<name>}, with their keys
     */
    public ConfigParser(List<BuiltinSchema> builtins, Function<String, String> env) {
        this(builtins, env, new FileDigests());
    }

    public ConfigParser(List<BuiltinSchema> builtins, Function<String, String> env, FileDigests digests) {
        Map<String, BuiltinSchema> byName = new HashMap<>();
        builtins.forEach(builtin -> byName.put(builtin.name(), builtin));
        this.builtins = Map.copyOf(byName);
        this.env = Objects.requireNonNull(env, "env");
        this.digests = Objects.requireNonNull(digests, "digests");
    }

    /** Reads {@code file} as UTF-8; a file that cannot be read is one error. */
    public ConfigResult parse(Path file) {
        String shown = shownName(file);
        String text;
        try {
            if (Files.isDirectory(file)) {
                return failure(shown, "is a directory, not a conf.ini file: " + file.toAbsolutePath());
            }
            if (Files.size(file) > MAX_FILE_BYTES) {
                return failure(shown, "is larger than " + MAX_FILE_BYTES + " bytes; is this really conf.ini?");
            }
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            return failure(shown, "is not UTF-8 text");
        } catch (IOException | RuntimeException e) {
            return failure(shown, "cannot read " + file.toAbsolutePath() + ": " + e);
        }
        return parse(file, text);
    }

    /**
     * @param file names the file in errors; its directory is where relative paths start
     * @param text the content of conf.ini
     */
    public ConfigResult parse(Path file, String text) {
        String shown = shownName(file);
        try {
            return validate(file, text, new ConfigErrors(shown));
        } catch (RuntimeException | StackOverflowError e) {
            // A bug here must reject the file, not take down the controller that is applying it.
            return failure(shown, "internal error while validating: " + e);
        }
    }

    private ConfigResult validate(Path file, String text, ConfigErrors errors) {
        IniDocument document = IniReader.read(text, errors);
        Path baseDir = Optional.ofNullable(file.toAbsolutePath().normalize().getParent())
                .orElse(file.toAbsolutePath());
        Optional<IniDocument.Section> serveSection = document.section(ServeSectionValidator.SECTION);
        ServeSectionValidator.Result serve = null;
        if (serveSection.isPresent()) {
            serve = new ServeSectionValidator(baseDir, env).validate(serveSection.get(), errors);
        } else {
            errors.add(1, null, null, "missing required section [" + ServeSectionValidator.SECTION + "]");
        }
        Optional<RootDirectory> algopkg = serve == null ? Optional.empty() : serve.algopkg();
        Optional<RootDirectory> modelZoo = serve == null ? Optional.empty() : serve.modelZoo();
        String defaultPython = serveSection.flatMap(section -> section.entry("python")).map(e -> e.value().strip()).orElse("");
        DeploymentSectionValidator deploymentValidator = new DeploymentSectionValidator(builtins, digests, defaultPython);
        List<DeploymentSpec> deployments = new ArrayList<>();
        Map<String, String> routeOwners = new HashMap<>();
        Set<String> mainSections = new java.util.HashSet<>();
        Map<String, IniDocument.Section> canaries = new java.util.LinkedHashMap<>();
        Map<String, Boolean> accessLogs = new HashMap<>();
        for (IniDocument.Section section : document.sections()) {
            String name = section.name();
            if (name.equals(ServeSectionValidator.SECTION)) {
                continue;
            }
            if (!name.startsWith(DeploymentSectionValidator.PREFIX)) {
                errors.add(section.line(), name, null, "unknown section; expected [" + ServeSectionValidator.SECTION
                        + "] or [" + DeploymentSectionValidator.PREFIX + "<Name>]");
                continue;
            }
            String packageName = name.substring(DeploymentSectionValidator.PREFIX.length());
            int mark = packageName.indexOf(DeploymentSpec.CANARY_MARK);
            String mainName = mark < 0 ? packageName : packageName.substring(0, mark);
            if (!PACKAGE_NAME.matcher(mainName).matches()) {
                errors.add(section.line(), name, null, "package name " + ConfigErrors.quote(mainName)
                        + " must match [A-Za-z][A-Za-z0-9_-]*");
                continue;
            }
            if (mark >= 0) {
                String label = packageName.substring(mark + 1);
                if (!CANARY_LABEL.matcher(label).matches() || label.equals(DeploymentSpec.MAIN_LABEL)) {
                    errors.add(section.line(), name, null, "canary label " + ConfigErrors.quote(label)
                            + " must match [A-Za-z0-9][A-Za-z0-9_.-]* (at most 64 characters) and not be '"
                            + DeploymentSpec.MAIN_LABEL + "'");
                    continue;
                }
            } else {
                mainSections.add(mainName);
            }
            Optional<DeploymentSpec> spec = deploymentValidator.validate(section, packageName, algopkg, modelZoo,
                    errors);
            spec.ifPresent(deployments::add);
            DeploymentSectionValidator.accessLog(section, errors).ifPresent(logged -> accessLogs.put(packageName, logged));
            if (mark >= 0) {
                spec.ifPresent(s -> canaries.put(s.name(), section));
            } else {
                spec.ifPresent(s -> checkRouteUnique(s, section, routeOwners, errors));
            }
        }
        new CanaryResolver(mainSections, errors).resolve(deployments, canaries);
        if (!errors.isEmpty()) {
            return new ConfigResult.Invalid(errors.sortedByLine());
        }
        return new ConfigResult.Valid(serve.settings().withTelemetry(serve.settings().telemetry().withOverrides(accessLogs)),
                deployments);
    }

    private static void checkRouteUnique(DeploymentSpec spec, IniDocument.Section section,
            Map<String, String> routeOwners, ConfigErrors errors) {
        String owner = routeOwners.putIfAbsent(spec.route(), section.name());
        if (owner != null) {
            int line = section.entry("route").map(IniDocument.Entry::line).orElse(section.line());
            errors.add(line, section.name(), "route", "route '/" + spec.route() + "' is already served by ["
                    + owner + "]");
            return;
        }
        if (!spec.route().endsWith(WILDCARD)) {
            return;
        }
        // Nested wildcards would split one path space between two deployments by prefix length, which
        // nobody reads off a conf.ini: refused. (Exact routes under a wildcard are fine: exact wins.)
        String prefix = spec.route().substring(0, spec.route().length() - WILDCARD.length());
        for (Map.Entry<String, String> other : routeOwners.entrySet()) {
            String route = other.getKey();
            if (route.equals(spec.route()) || !route.endsWith(WILDCARD)) {
                continue;
            }
            String otherPrefix = route.substring(0, route.length() - WILDCARD.length());
            if (prefix.startsWith(otherPrefix + "/") || otherPrefix.startsWith(prefix + "/")) {
                int line = section.entry("route").map(IniDocument.Entry::line).orElse(section.line());
                errors.add(line, section.name(), "route", "wildcard route '/" + spec.route() + "' overlaps '/" + route
                        + "' of [" + other.getValue() + "]; wildcard routes must not nest (an exact route under one may)");
            }
        }
    }

    private static final String WILDCARD = "/*";

    private static ConfigResult failure(String shown, String message) {
        return new ConfigResult.Invalid(List.of(new ConfigError(shown, 1, null, null, message)));
    }

    private static String shownName(Path file) {
        Path name = file.getFileName();
        return name == null ? file.toString() : name.toString();
    }
}
