package io.modelserve.agent.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class BodyReaderTest {
    private final AtomicLong limit = new AtomicLong(10_000);
    private final InflightBudget budget = new InflightBudget(limit::get);

    @Test
    void aDeclaredBodyIsChargedBeforeItIsRead() {
        CountingStream in = new CountingStream(new byte[4_000]);
        try (InflightBudget.Reservation reservation = budget.open()) {
            BodyReader.Result result = BodyReader.read(in, 4_000, 8_000, reservation, budget);

            assertThat(result).isInstanceOf(BodyReader.Read.class);
            assertThat(((BodyReader.Read) result).bytes()).hasSize(4_000);
            assertThat(reservation.held()).isEqualTo(4_000);
        }
        assertThat(budget.used()).isZero();
    }

    @Test
    void aDeclaredLengthOverTheLimitIsRefusedUnread() {
        CountingStream in = new CountingStream(new byte[9_000]);
        try (InflightBudget.Reservation reservation = budget.open()) {
            BodyReader.Result result = BodyReader.read(in, 9_000, 8_000, reservation, budget);

            assertThat(result).isInstanceOf(BodyReader.TooLarge.class);
            assertThat(((BodyReader.Refusal) result).status()).isEqualTo(413);
            assertThat(((BodyReader.Refusal) result).message()).contains("the limit is 8000 bytes");
        }
        assertThat(in.read).isZero();
    }

    @Test
    void aBodyTheBudgetCannotTakeIsRefusedUnread() {
        InflightBudget.Reservation holder = budget.open();
        holder.grow(7_000);
        CountingStream in = new CountingStream(new byte[4_000]);
        try (InflightBudget.Reservation reservation = budget.open()) {
            BodyReader.Result result = BodyReader.read(in, 4_000, 8_000, reservation, budget);

            assertThat(result).isInstanceOf(BodyReader.Busy.class);
            assertThat(((BodyReader.Refusal) result).status()).isEqualTo(503);
            assertThat(((BodyReader.Refusal) result).retryAfterSeconds()).isPositive();
            assertThat(((BodyReader.Refusal) result).message()).contains("max_inflight_bytes");
        }
        assertThat(in.read).isZero();
        assertThat(budget.used()).isEqualTo(7_000);
    }

    @Test
    void aShortBodyIsBroken() {
        try (InflightBudget.Reservation reservation = budget.open()) {
            BodyReader.Result result = BodyReader.read(new ByteArrayInputStream(new byte[10]), 100, 8_000, reservation, budget);

            assertThat(result).isInstanceOf(BodyReader.Broken.class);
            assertThat(((BodyReader.Refusal) result).message()).contains("after 10 of its 100 bytes");
        }
        assertThat(budget.used()).isZero();
    }

    @Test
    void aChunkedBodyIsChargedAsItArrivesAndEndsChargedOnce() {
        limit.set(1_000_000);
        byte[] body = new byte[BodyReader.CHUNK * 3 + 17];
        body[body.length - 1] = 42;
        try (InflightBudget.Reservation reservation = budget.open()) {
            BodyReader.Result result = BodyReader.read(new ByteArrayInputStream(body), -1, 500_000, reservation, budget);

            assertThat(((BodyReader.Read) result).bytes()).isEqualTo(body);
            assertThat(reservation.held()).isEqualTo(body.length);
        }
        assertThat(budget.used()).isZero();
    }

    @Test
    void aChunkedBodyOverTheLimitStopsOneByteAfterIt() {
        limit.set(1_000_000);
        CountingStream in = new CountingStream(new byte[300_000]);
        try (InflightBudget.Reservation reservation = budget.open()) {
            BodyReader.Result result = BodyReader.read(in, -1, 100_000, reservation, budget);

            assertThat(result).isInstanceOf(BodyReader.TooLarge.class);
        }
        assertThat(in.read).isEqualTo(100_001);
        assertThat(budget.used()).isZero();
    }

    @Test
    void aChunkedBodyBeyondTheBudgetIsRefusedWhereTheBudgetEnds() {
        limit.set(BodyReader.CHUNK * 32L);
        CountingStream in = new CountingStream(new byte[BodyReader.CHUNK * 40]);
        try (InflightBudget.Reservation reservation = budget.open()) {
            BodyReader.Result result = BodyReader.read(in, -1, 10_000_000, reservation, budget);

            assertThat(result).isInstanceOf(BodyReader.Busy.class);
            assertThat(reservation.held()).isEqualTo(BodyReader.CHUNK * 30L);
        }
        // A large body may fill fifteen sixteenths of the budget, and reads no further.
        assertThat(in.read).isEqualTo(BodyReader.CHUNK * 30L);
        assertThat(budget.used()).isZero();
    }

    @Test
    void anExactlyFullBodyFits() {
        try (InflightBudget.Reservation reservation = budget.open()) {
            assertThat(BodyReader.read(new ByteArrayInputStream(new byte[8_000]), 8_000, 8_000, reservation, budget))
                    .isInstanceOf(BodyReader.Read.class);
        }
    }

    /** Counts the bytes a reader took from it. */
    private static final class CountingStream extends InputStream {
        private final ByteArrayInputStream in;
        long read;

        CountingStream(byte[] bytes) {
            this.in = new ByteArrayInputStream(bytes);
        }

        @Override
        public int read() {
            int b = in.read();
            if (b >= 0) {
                read++;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = in.read(buffer, offset, length);
            if (n > 0) {
                read += n;
            }
            return n;
        }
    }
}
