package dev.secretstore.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
}
