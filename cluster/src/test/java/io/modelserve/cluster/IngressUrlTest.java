package io.modelserve.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IngressUrlTest {
    @Test
    void onlyThePlainUrlOfTheMembersOwnAddressPasses() {
        assertThat(IngressUrl.checked("http://127.0.0.2:8000", "127.0.0.2")).contains("http://127.0.0.2:8000");
        assertThat(IngressUrl.checked("http://127.0.0.2:8000/", "127.0.0.2")).contains("http://127.0.0.2:8000");
        for (String forged : new String[] {"http://127.0.0.9:8000", "http://evil.example:8000", "https://127.0.0.2:8000",
                "http://127.0.0.2", "http://127.0.0.2:0", "http://user@127.0.0.2:8000", "http://127.0.0.2:8000/x",
                "http://127.0.0.2:8000?q", "http://127.0.0.2:8000#f", "file:///etc/hostname", "http://127.0.0.2:8000@10.0.0.1:80",
                "not a url", ""}) {
            assertThat(IngressUrl.checked(forged, "127.0.0.2")).as(forged).isEmpty();
        }
    }
}
