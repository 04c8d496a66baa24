package io.modelserve.controller.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {
    @Test
    void readsNamesLabelsAndValuesAndSkipsComments() {
        List<PrometheusText.Sample> samples = PrometheusText.parse("""
                # HELP modelserve_requests_seconds Requests
                # TYPE modelserve_requests_seconds histogram
                modelserve_requests_seconds_bucket{deployment="A",le="0.005",status="200"} 3
                modelserve_requests_seconds_bucket{deployment="A",le="+Inf",status="200"} 7
                process_uptime_seconds 12.5
                odd_line_without_value
                escaped{text="a \\"quoted\\" word, and more"} 1.0E-3 1700000000000
                """);
        assertThat(samples).hasSize(4);
        assertThat(samples.get(0).name()).isEqualTo("modelserve_requests_seconds_bucket");
        assertThat(samples.get(0).label("le")).isEqualTo("0.005");
        assertThat(samples.get(1).value()).isEqualTo(7);
        assertThat(samples.get(1).label("le")).isEqualTo("+Inf");
        assertThat(samples.get(2).labels()).isEmpty();
        assertThat(samples.get(2).value()).isEqualTo(12.5);
        assertThat(samples.get(3).label("text")).isEqualTo("a \"quoted\" word, and more");
        assertThat(samples.get(3).value()).isEqualTo(0.001);
    }

    @Test
    void specialValuesAreNumbers() {
        assertThat(PrometheusText.parseLine("x +Inf").value()).isInfinite();
        assertThat(PrometheusText.parseLine("x NaN").value()).isNaN();
        assertThat(PrometheusText.parseLine("x{a=\"1\"} abc")).isNull();
        assertThat(PrometheusText.parseLine("x{a=\"unterminated} 1")).isNull();
    }
}
