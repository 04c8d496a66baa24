package io.modelserve.controller.admin;

import java.util.Map;

/**
 * The model repository of multiplexed sections as the admin API serves it ({@code /api/models}):
 * the head's own node answers, asking other nodes where their replicas hold the model.
 */
public interface ModelControl {
    /** An answer to relay as is. */
    record Answer(int status, Map<String, Object> body) {}

    /** Every model of {@code deployment} and where it is loaded. */
    Answer list(String deployment);

    /** Loads ({@code load}) or unloads {@code model} of {@code deployment}. */
    Answer change(String deployment, String model, boolean load);
}
