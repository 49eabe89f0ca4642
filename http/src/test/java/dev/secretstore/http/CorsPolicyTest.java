package dev.secretstore.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.secretstore.http.CorsPolicy.Decision;
import org.junit.jupiter.api.Test;

/** http-api.md §10.1: Parity's CORS rules. */
class CorsPolicyTest {
    @Test
    void noOriginAndSameOriginAreNotCrossOrigin() {
        for (CorsPolicy p : new CorsPolicy[] {CorsPolicy.none(), CorsPolicy.anyOrigin(), CorsPolicy.parse("https://a.example")}) {
            assertThat(p.decide(null, "127.0.0.1:8082")).isInstanceOf(Decision.NotCrossOrigin.class);
            assertThat(p.decide("http://127.0.0.1:8082", "127.0.0.1:8082")).isInstanceOf(Decision.NotCrossOrigin.class);
        }
    }

    @Test
    void noneRejectsEveryForeignOrigin() {
        assertThat(CorsPolicy.parse("none").decide("https://a.example", "127.0.0.1:8082")).isInstanceOf(Decision.Rejected.class);
        assertThat(CorsPolicy.parse(null).decide("null", "127.0.0.1:8082")).isInstanceOf(Decision.Rejected.class);
    }

    @Test
    void anyOriginEchoesNormalizedOriginAndTreatsNullAsNotCrossOrigin() {
        for (String any : new String[] {"*", "all", "any"}) {
            CorsPolicy p = CorsPolicy.parse(any);
            assertThat(p.decide("HTTPS://A.Example:8443", "h")).isEqualTo(new Decision.Allowed("https://a.example:8443"));
            assertThat(p.decide("null", "h")).isInstanceOf(Decision.NotCrossOrigin.class);
        }
    }

    @Test
    void listModeMatchesExactGlobStarAndListedNull() {
        CorsPolicy p = CorsPolicy.parse("https://a.example, https://*.b.example, null");
        assertThat(p.decide("https://a.example", "h")).isEqualTo(new Decision.Allowed("https://a.example"));
        assertThat(p.decide("https://x.b.example", "h")).isEqualTo(new Decision.Allowed("https://x.b.example"));
        assertThat(p.decide("https://b.example", "h")).isInstanceOf(Decision.Rejected.class);
        assertThat(p.decide("https://a.example.evil", "h")).isInstanceOf(Decision.Rejected.class);
        assertThat(p.decide("null", "h")).isEqualTo(new Decision.Allowed("null"));
        assertThat(CorsPolicy.parse("https://a.example").decide("null", "h")).isInstanceOf(Decision.Rejected.class);
        assertThat(CorsPolicy.parse("https://a.example,*").decide("https://z.example", "h")).isEqualTo(new Decision.Allowed("https://z.example"));
        assertThat(p.decide("not an origin", "h")).isInstanceOf(Decision.Rejected.class);
    }
}
