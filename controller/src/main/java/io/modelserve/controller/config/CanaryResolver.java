package io.modelserve.controller.config;

import io.modelserve.cluster.DeploymentSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Ties each canary section {@code [algopkg.<Main>@<label>]} to its main section: the canary takes the
 * main's route and methods (it may repeat them, not change them), and the canaries of one main
 * deployment take at most 100 percent of its traffic together.
 */
final class CanaryResolver {
    private final Set<String> mainSections;
    private final ConfigErrors errors;

    /** @param mainSections names of every main section in the file, valid or not */
    CanaryResolver(Set<String> mainSections, ConfigErrors errors) {
        this.mainSections = Set.copyOf(mainSections);
        this.errors = errors;
    }

    /**
     * Replaces each canary in {@code deployments} by one serving its main's route; reports what does not fit.
     *
     * @param canaries canary name -> its section, in file order
     */
    void resolve(List<DeploymentSpec> deployments, Map<String, IniDocument.Section> canaries) {
        Map<String, DeploymentSpec> mains = new HashMap<>();
        deployments.stream().filter(spec -> !spec.isCanary()).forEach(spec -> mains.put(spec.name(), spec));
        Map<String, Integer> shares = new HashMap<>();
        for (int i = 0; i < deployments.size(); i++) {
            DeploymentSpec canary = deployments.get(i);
            IniDocument.Section section = canaries.get(canary.name());
            if (section == null) {
                continue;
            }
            DeploymentSpec main = mains.get(canary.mainName());
            if (main == null) {
                if (!mainSections.contains(canary.mainName())) {
                    errors.add(section.line(), section.name(), null, "canary of an unknown deployment: no section ["
                            + DeploymentSectionValidator.PREFIX + canary.mainName() + "] in this file");
                }
                // else the main section is invalid and already reported
                continue;
            }
            if (!canary.route().isEmpty() && !canary.route().equals(main.route())) {
                errors.add(lineOf(section, "route"), section.name(), "route", "a canary serves the route of ["
                        + DeploymentSectionValidator.PREFIX + main.name() + "] (/" + main.route()
                        + "); remove route here or set it to /" + main.route() + ", got /" + canary.route());
            }
            if (section.entry("method").isPresent() && !canary.methods().equals(main.methods())) {
                errors.add(lineOf(section, "method"), section.name(), "method", "a canary serves the methods of ["
                        + DeploymentSectionValidator.PREFIX + main.name() + "] (" + String.join(",", main.methods())
                        + "); remove method here or repeat them");
            }
            int total = shares.merge(main.name(), canary.traffic(), Integer::sum);
            if (total > 100) {
                errors.add(lineOf(section, "traffic"), section.name(), "traffic", "the canaries of " + main.name()
                        + " take " + total + "% of its traffic together; at most 100% is possible");
            }
            deployments.set(i, canary.withRouteOf(main));
        }
    }

    private static int lineOf(IniDocument.Section section, String key) {
        return section.entry(key).map(IniDocument.Entry::line).orElse(section.line());
    }
}
