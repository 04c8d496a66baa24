package io.modelserve.controller.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplicaLogsTest {
    @TempDir
    Path dir;

    @Test
    void tailsTheLastLinesThenFollowsFromTheOffset() throws Exception {
        ReplicaLogs logs = new ReplicaLogs(dir);
        Path file = dir.resolve("Echo-1a2b.log");
        Files.writeString(file, "one\ntwo\nthree\nfour\npart");
        ReplicaLogs.Chunk tail = logs.read("Echo-1a2b", -1, 2);
        assertThat(tail.lines()).containsExactly("three", "four");
        assertThat(tail.exists()).isTrue();

        Files.writeString(file, "ial\nfive\n", StandardOpenOption.APPEND);
        ReplicaLogs.Chunk next = logs.read("Echo-1a2b", tail.offset(), 2);
        assertThat(next.lines()).as("a follower sees each whole line once").containsExactly("partial", "five");
        assertThat(logs.read("Echo-1a2b", next.offset(), 2).lines()).isEmpty();
    }

    @Test
    void aRolledOverFileIsReadFromItsTail() throws Exception {
        ReplicaLogs logs = new ReplicaLogs(dir);
        Files.writeString(dir.resolve("r.log"), "new\n");
        assertThat(logs.read("r", 10_000, 5).lines()).containsExactly("new");
    }

    @Test
    void aMissingFileIsEmptyAndPathsOutsideTheDirectoryAreRefused() throws Exception {
        ReplicaLogs logs = new ReplicaLogs(dir);
        assertThat(logs.read("NotYet-1", -1, 5).exists()).isFalse();
        assertThat(ReplicaLogs.isReplicaId("../etc/passwd")).isFalse();
        assertThat(ReplicaLogs.isReplicaId("a..b")).isFalse();
        assertThat(ReplicaLogs.isReplicaId("AlgoExample-3f9a1c")).isTrue();
        assertThatThrownBy(() -> logs.read("../x", -1, 5)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aFollowerFarBehindSkipsAheadAndSaysSo() throws Exception {
        ReplicaLogs logs = new ReplicaLogs(dir);
        String line = "x".repeat(99) + "\n";
        Files.writeString(dir.resolve("big.log"), line.repeat(LogTail.MAX_READ_BYTES / 100 + 100));
        ReplicaLogs.Chunk chunk = logs.read("big", 0, 5);
        assertThat(chunk.skipped()).isTrue();
        assertThat(chunk.offset()).isEqualTo(Files.size(dir.resolve("big.log")));
    }
}
