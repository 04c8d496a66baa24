package io.modelserve.agent.gpu;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code nvidia-smi} (from {@code PATH}) and parses its CSV. It ships with every NVIDIA driver, so
 * it is there wherever a GPU can be used; on a machine without the driver it is missing and the scan
 * says so. One run takes some tens of milliseconds, cheap at the node's 5 s announcement period.
 */
public final class NvidiaSmiProbe implements GpuProbe {
    private static final long TIMEOUT_S = 10;
    private final String command;

    public NvidiaSmiProbe() {
        this("nvidia-smi");
    }

    /** @param command the executable, e.g. a path to a test's script */
    public NvidiaSmiProbe(String command) {
        this.command = command;
    }

    @Override
    public GpuScan scan() {
        List<String> argv = new ArrayList<>(List.of(command));
        argv.addAll(NvidiaSmiOutput.ARGUMENTS);
        Process process;
        try {
            process = new ProcessBuilder(argv).redirectErrorStream(true).start();
        } catch (IOException e) {
            return new GpuScan.Unavailable(command + " not found (no NVIDIA driver on this machine)");
        }
        try {
            // Read first: a full pipe would otherwise stall the process until the timeout.
            byte[] out = process.getInputStream().readNBytes(1 << 20);
            if (!process.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new GpuScan.Unavailable(command + " did not answer within " + TIMEOUT_S + " s");
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                String first = text.lines().findFirst().orElse("").strip();
                return new GpuScan.Unavailable(command + " exited with " + process.exitValue()
                        + (first.isEmpty() ? "" : ": " + first));
            }
            return new GpuScan.Found(NvidiaSmiOutput.parse(text));
        } catch (IOException e) {
            process.destroyForcibly();
            return new GpuScan.Unavailable(command + ": " + e.getMessage());
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            return new GpuScan.Unavailable(command + " interrupted");
        }
    }
}
