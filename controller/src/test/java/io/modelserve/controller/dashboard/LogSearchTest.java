package io.modelserve.controller.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class LogSearchTest {
    private static final ZoneId UTC = ZoneOffset.UTC;
    private static final List<String> LOG = List.of(
            "2026-12-02 00:50:00,000 INFO  [replica-a] Faulty - loading weights",
            "2026-12-02 00:50:01,000 ERROR [replica-a] Replica - init failed: weights file is corrupt",
            "java.lang.IllegalStateException: weights file is corrupt",
            "\tat io.modelserve.examples.Faulty.init(Faulty.java:12)",
            "2026-12-02 00:50:02,000 WARN  [replica-a] Replica - restarting in 1 s",
            "2026-12-02 00:50:03,000 DEBUG [replica-a] Replica - backoff 1000 ms");

    private static long at(String time) {
        return LocalDateTime.parse("2026-12-02T" + time).toInstant(ZoneOffset.UTC).toEpochMilli();
    }

    @Test
    void textMatchesAnyLineOfAnEntryAndKeepsTheWholeEntry() {
        assertThat(new LogSearch("illegalstate", "", 0, 0).filter(LOG, UTC)).containsExactly(LOG.get(1), LOG.get(2), LOG.get(3));
    }

    @Test
    void levelKeepsThatLevelAndAbove() {
        assertThat(new LogSearch("", "warn", 0, 0).filter(LOG, UTC)).containsExactly(LOG.get(1), LOG.get(2), LOG.get(3), LOG.get(4));
        assertThatThrownBy(() -> new LogSearch("", "LOUD", 0, 0)).hasMessageContaining("level must be one of");
    }

    @Test
    void theTimeRangeIsFromInclusiveUntilExclusive() {
        assertThat(new LogSearch("", "", at("00:50:01"), at("00:50:03")).filter(LOG, UTC))
                .containsExactly(LOG.get(1), LOG.get(2), LOG.get(3), LOG.get(4));
    }

    @Test
    void noCriteriaKeepsEverything() {
        assertThat(LogSearch.ANY.filter(LOG, UTC)).isEqualTo(LOG);
    }
}
