package dev.secretstore.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * SEC-06, grep level: the ECDH/ECIES/document layers never move a secret onto the variable-time public
 * path (no {@code reveal()}, {@code mulPublic} or {@code PointSum}), and ECDSA reveals exactly one value,
 * the signature's {@code s}. Surefire runs in the module directory, so sources are read relative to it.
 */
class SecretPathsSourceTest {
    private static final Path SRC = Path.of("src/main/java/dev/secretstore/crypto");

    @Test
    void secretOnlyLayersStayOnConstantTimePaths() throws IOException {
        for (String file : new String[] {"Ecdh.java", "Ecies.java", "DocumentCipher.java", "Aes128Ctr.java"}) {
            String code = Files.readString(SRC.resolve(file));
            assertThat(code).as(file).doesNotContain(".reveal()").doesNotContain("mulPublic").doesNotContain("PointSum");
        }
    }

    @Test
    void ecdsaRevealsOnlyTheSignatureS() throws IOException {
        String code = Files.readString(SRC.resolve("Ecdsa.java"));
        Matcher m = Pattern.compile("\\.reveal\\(\\)").matcher(code);
        int count = 0;
        while (m.find()) count++;
        assertThat(count).isEqualTo(1);
        assertThat(code).contains("Scalar s = sSecret.reveal();").doesNotContain("mulPublic");
    }

    /**
     * The constant-time multipliers ({@link ConstantTimeGlv} and {@link ConstantTimeComb} on {@link Fp52}): every branch in these files
     * is on a public value and listed here, so a new {@code if}, {@code while}, {@code switch} or
     * ternary fails this test until someone has reviewed it for SEC-06. No variable-time BouncyCastle
     * routine ({@code …Var}, {@code ECAlgorithms}, {@code ECPoint.multiply}), no {@code PointSum} or
     * {@code mulPublic}, and no {@code BigInteger} at all (secrets stay in limb arrays, SEC-07).
     */
    @Test
    void constantTimeMultiplierBranchesOnlyOnPublicValues() throws IOException {
        Map<String, List<String>> allowed = Map.of(
                "Fp52.java", List.of(), // no branch at all
                "ConstantTimeGlv.java", List.of(
                        "if (sh > 32 - GROUP_SIZE && w < 7)", // bit position of the digit
                        "if (group == GROUPS - 1)", // loop position
                        "if (r.inf != 0)"), // the result is infinity iff k = 0: a public failure
                "ConstantTimeComb.java", List.of(
                        "if (r.inf != 0)")); // the result is infinity iff k = 0: a public failure
        Pattern branch = Pattern.compile("\\b(if|while|switch)\\s*\\(|\\s\\?\\s");
        for (Map.Entry<String, List<String>> e : allowed.entrySet()) {
            String code = Files.readString(SRC.resolve(e.getKey()));
            List<String> unreviewed = new ArrayList<>();
            for (String line : codeLines(code)) {
                if (branch.matcher(line).find() && e.getValue().stream().noneMatch(line::contains)) {
                    unreviewed.add(line.trim());
                }
            }
            assertThat(unreviewed).as("branches in %s not reviewed for SEC-06", e.getKey()).isEmpty();
            String all = String.join("\n", codeLines(code));
            assertThat(all).as(e.getKey()).doesNotContain("Var(").doesNotContain("ECAlgorithms").doesNotContain("mulPublic")
                    .doesNotContain("PointSum").doesNotContain("ECPoint.multiply").doesNotContain("BigInteger");
        }
    }

    @Test
    void secretMultiplicationRoutesThroughTheConstantTimePaths() throws IOException {
        String code = Files.readString(SRC.resolve("Secp256k1.java"));
        assertThat(code).contains("return point == G ? mulSecretG(k) : mulSecretGlv(point, k);")
                .contains("long[][] xy = point == G ? ConstantTimeComb.FOR_G.multiplyAffine(k) : ConstantTimeGlv.multiplyAffine(point, k);");
        // the old BouncyCastle comb stays only as the tests' and benchmarks' reference: no production caller
        String noComments = String.join("\n", codeLines(code));
        assertThat(noComments.split("mulSecretComb\\(", -1)).as("mentions of mulSecretComb(").hasSize(2); // its definition
        try (var files = Files.walk(SRC)) {
            for (Path f : files.filter(x -> x.toString().endsWith(".java")).toList()) {
                if (!f.getFileName().toString().equals("Secp256k1.java")) {
                    assertThat(String.join("\n", codeLines(Files.readString(f)))).as(f.toString())
                            .doesNotContain("mulSecretComb").doesNotContain("FixedPointCombMultiplier");
                }
            }
        }
        // SecretScalar goes through the active backend; the Java backend takes the constant-time multipliers, and the
        // native one libsecp256k1's constant-time ecmult_gen for k·G and the Java backend for every other secret k·P
        assertThat(Files.readString(SRC.resolve("SecretScalar.java")))
                .contains("return CurveBackends.active().mulG(this);").contains("return CurveBackends.active().mul(this, p);");
        assertThat(Files.readString(SRC.resolve("JavaCurveBackend.java")))
                .contains("Secp256k1.mulSecretG(k.live())").contains("Secp256k1.mulSecret(p.ecPoint(), k.live())")
                .contains("Secp256k1.mulSecretFixedBase(table, k.live())");
        String nativeCode = String.join("\n", codeLines(Files.readString(SRC.resolve("NativeCurveBackend.java"))));
        assertThat(nativeCode).contains("return JavaCurveBackend.INSTANCE.mul(k, p);")
                .contains("out = lib.pubkeyCreate(kb);").contains("Arrays.fill(kb, (byte) 0);"); // the JNI copy of k is wiped
        // no secret reaches the variable-time tweak_mul: its only call takes a public Scalar
        assertThat(nativeCode.split("pubKeyTweakMul\\(", -1)).hasSize(2);
        assertThat(nativeCode).contains("lib.pubKeyTweakMul(p.toUncompressed(), a.toBytes())").doesNotContain("reveal()")
                .doesNotContain(".live()");
        assertThat(code).contains("return toEcPoint(table.multiplyAffine(k));"); // a fixed base goes through the comb only
        assertThat(Files.readString(SRC.resolve("Ecdh.java"))).contains("Secp256k1.mulSecretX(p.ecPoint(), d.live())");
    }

    /**
     * The variable-time multiplier ({@link VarTimeStrauss}) is reached from exactly one place,
     * {@code Secp256k1.sumOfProductsPublic}, which takes public {@code BigInteger}s (behind
     * {@code mulPublic}, {@code PublicPoint.mul(Scalar)} and {@code PointSum}); the only other use is
     * {@code ConstantTimeGlv}'s call that builds the table of the (public) input point. No other
     * source file names it, and the constant-time paths of {@code Secp256k1} do not call the public ones.
     */
    @Test
    void variableTimeMultiplierIsOnlyReachedFromThePublicEntryPoint() throws IOException {
        try (var files = Files.walk(SRC)) {
            for (Path f : files.filter(x -> x.toString().endsWith(".java")).toList()) {
                String name = f.getFileName().toString();
                if (name.equals("VarTimeStrauss.java") || name.equals("Secp256k1.java")) {
                    continue;
                }
                String code = String.join("\n", codeLines(Files.readString(f)));
                if (name.equals("ConstantTimeGlv.java")) { // the table of the public point, and nothing else
                    code = code.replace("VarTimeStrauss.oddMultiplesGlobalZ(ax, ay, preX, preY, globalZ);", "");
                }
                assertThat(code).as(name).doesNotContain("VarTimeStrauss");
            }
        }
        String secp = String.join("\n", codeLines(Files.readString(SRC.resolve("Secp256k1.java"))));
        assertThat(secp.split("VarTimeStrauss\\.", -1)).as("calls into VarTimeStrauss").hasSize(2);
        int entry = secp.indexOf("static ECPoint sumOfProductsPublic(BigInteger[] ks, ECPoint[] points)");
        assertThat(entry).isPositive();
        assertThat(secp.indexOf("VarTimeStrauss.")).isGreaterThan(entry);
        String secretPaths = secp.substring(secp.indexOf("static ECPoint mulSecret("), secp.indexOf("static ECPoint mulPublic("));
        assertThat(secretPaths).doesNotContain("mulPublic").doesNotContain("sumOf").doesNotContain("point.multiply(");
    }

    /** Source lines without comments (line comments stripped, Javadoc and block-comment lines dropped). */
    private static List<String> codeLines(String source) {
        List<String> out = new ArrayList<>();
        boolean inBlock = false;
        for (String raw : source.split("\n")) {
            String line = raw.trim();
            if (inBlock) {
                if (line.contains("*/")) {
                    inBlock = false;
                }
                continue;
            }
            if (line.startsWith("/*")) {
                inBlock = !line.contains("*/");
                continue;
            }
            int comment = line.indexOf("//");
            out.add(comment >= 0 ? line.substring(0, comment) : line);
        }
        return out;
    }
}
