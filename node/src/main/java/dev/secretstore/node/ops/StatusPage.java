package dev.secretstore.node.ops;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The operators' status page (issue #16): {@code /status.json} is what the node knows about its cluster now and in the
 * last minutes, {@code /status} a self-contained page that renders it. Read-only; no key data, signatures or secrets
 * (SEC-07): node ids, operation names, status codes, counts, times and latencies, and this node's last audit lines
 * with the key ids and requester addresses they name (public identifiers, as in the audit file), rendered as text.
 * The page loads nothing from elsewhere: its one script and one style sheet are inline and allowed by their hashes in
 * {@link #CONTENT_SECURITY_POLICY}, which allows no other script, style, frame, form, plugin or image, and connections
 * to the page's own origin only (for {@code status.json}).
 */
public final class StatusPage {
    /** The page: HTML with its script and style inline. */
    public static final String HTML = resource("status.html");

    public static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src " + hash(inner(HTML, "script"))
            + "; style-src " + hash(inner(HTML, "style")) + "; connect-src 'self'; img-src 'self'; base-uri 'none'; "
            + "form-action 'none'; frame-ancestors 'none'";

    private StatusPage() {
    }

    /**
     * The status as JSON: the health status and gauges, the members with whether a link to each is up, the keys by
     * replication state, the request series of {@link StatusHistory}, the members blamed, the last requests and this
     * node's last audit lines ({@code recent_audit}, newest first).
     *
     * @param health    the status {@code /health} reports for {@code g}
     * @param clusterId {@code 0x}… or null
     */
    public static String json(NodeMetrics.Gauges g, String health, NodeMetrics metrics, String version, String clusterId,
                              long nowMillis) {
        NodeMetrics.Cluster cluster = metrics.cluster();
        StringBuilder sb = new StringBuilder(8192);
        sb.append("{\"status\":").append(str(health)).append(",\"version\":").append(str(version));
        if (clusterId != null) sb.append(",\"cluster_id\":").append(str(clusterId));
        sb.append(",\"time\":").append(nowMillis);
        sb.append(",\"self\":").append(cluster == null ? "null" : str(cluster.self()));
        sb.append(",\"members_configured\":").append(g.membersConfigured());
        sb.append(",\"serving_threshold\":").append(g.servingThreshold());
        sb.append(",\"sessions_active\":").append(g.sessionsActive());
        sb.append(",\"loop_responsive\":").append(g.loopResponsive());
        sb.append(",\"storage\":").append(str(g.storage()));
        List<String> members = cluster == null ? g.connected() : cluster.members();
        sb.append(",\"members\":[");
        for (int i = 0; i < members.size(); i++) {
            String id = members.get(i);
            sb.append(i == 0 ? "" : ",").append("{\"id\":").append(str(id))
                    .append(",\"self\":").append(cluster != null && id.equals(cluster.self()))
                    .append(",\"connected\":").append(g.connected().contains(id)).append('}');
        }
        var a = g.availability();
        sb.append("],\"keys\":{\"held\":").append(keysHeld(cluster))
                .append(",\"missing_here\":").append(a.keysMissingHere())
                .append(",\"under_replicated\":").append(a.underReplicated())
                .append(",\"repairs_done\":").append(a.repairsDone())
                .append(",\"repairs_failed\":").append(a.repairsFailed())
                .append(",\"refreshed\":").append(a.refreshedKeys())
                .append(",\"refreshes_failed\":").append(a.refreshesFailed())
                .append(",\"repair_sweeps\":").append(a.sweepsCompleted()).append('}');
        StatusHistory history = metrics.history();
        StatusHistory.Series s = history.series();
        sb.append(",\"requests\":{\"bucket_seconds\":").append(s.bucketSeconds()).append(",\"start\":").append(s.startMillis())
                .append(",\"count\":").append(array(s.requests()))
                .append(",\"client_errors\":").append(array(s.clientErrors()))
                .append(",\"server_errors\":").append(array(s.serverErrors()))
                .append(",\"mean_ms\":").append(array(s.meanMillis()))
                .append(",\"max_ms\":").append(array(s.maxMillis())).append('}');
        sb.append(",\"blamed\":[");
        List<StatusHistory.Blame> blamed = history.blamed();
        for (int i = 0; i < blamed.size(); i++) {
            StatusHistory.Blame b = blamed.get(i);
            sb.append(i == 0 ? "" : ",").append("{\"id\":").append(str(b.node())).append(",\"count\":").append(b.count())
                    .append(",\"last\":").append(b.lastMillis()).append(",\"session\":").append(str(b.lastType())).append('}');
        }
        sb.append("],\"recent_requests\":[");
        List<StatusHistory.Request> recent = history.recent();
        for (int i = 0; i < recent.size(); i++) {
            StatusHistory.Request r = recent.get(i);
            sb.append(i == 0 ? "" : ",").append("{\"time\":").append(r.timeMillis()).append(",\"op\":").append(str(r.op()))
                    .append(",\"status\":").append(r.status()).append(",\"ms\":").append(millis(r.nanos() / 1e6)).append('}');
        }
        sb.append("],\"recent_audit\":[");
        List<dev.secretstore.node.audit.AuditTrail.Event> events = history.auditEvents();
        for (int i = 0; i < events.size(); i++) {
            var e = events.get(i);
            sb.append(i == 0 ? "" : ",").append("{\"seq\":").append(e.seq()).append(",\"time\":").append(strOrNull(e.time()))
                    .append(",\"request\":").append(strOrNull(e.request())).append(",\"operation\":").append(strOrNull(e.operation()))
                    .append(",\"key\":").append(strOrNull(e.keyId())).append(",\"requester\":").append(strOrNull(e.requester()))
                    .append(",\"role\":").append(strOrNull(e.role())).append(",\"outcome\":").append(strOrNull(e.outcome())).append('}');
        }
        return sb.append("]}").toString();
    }

    /** Keys in this node's store, or -1 when it cannot be read now (storage failing) or is not known. */
    private static long keysHeld(NodeMetrics.Cluster cluster) {
        if (cluster == null) return -1;
        try {
            return cluster.keysHeld().getAsLong();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private static String array(long[] values) {
        StringBuilder sb = new StringBuilder(values.length * 3 + 2).append('[');
        for (int i = 0; i < values.length; i++) sb.append(i == 0 ? "" : ",").append(values[i]);
        return sb.append(']').toString();
    }

    private static String array(double[] values) {
        StringBuilder sb = new StringBuilder(values.length * 6 + 2).append('[');
        for (int i = 0; i < values.length; i++) sb.append(i == 0 ? "" : ",").append(millis(values[i]));
        return sb.append(']').toString();
    }

    private static String millis(double ms) {
        return String.format(Locale.ROOT, "%.3f", ms);
    }

    private static String strOrNull(String value) {
        return value == null ? "null" : str(value);
    }

    /** A JSON string; control characters, quotes and backslashes escaped, and {@code <} so no value can close a tag. */
    static String str(String value) {
        StringBuilder sb = new StringBuilder(value.length() + 2).append('"');
        for (char c : value.toCharArray()) {
            if (c == '"' || c == '\\') sb.append('\\').append(c);
            else if (c < 0x20 || c == '<' || c == '>' || c == '&') sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            else sb.append(c);
        }
        return sb.append('"').toString();
    }

    private static String resource(String name) {
        try (InputStream in = StatusPage.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("missing resource " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The text between the page's one {@code <tag>} and {@code </tag>}. */
    static String inner(String html, String tag) {
        Matcher m = Pattern.compile("<" + tag + ">(.*?)</" + tag + ">", Pattern.DOTALL).matcher(html);
        if (!m.find()) throw new IllegalStateException("no <" + tag + "> in the status page");
        String text = m.group(1);
        if (m.find()) throw new IllegalStateException("more than one <" + tag + "> in the status page");
        return text;
    }

    private static String hash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return "'sha256-" + Base64.getEncoder().encodeToString(digest) + "'";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
