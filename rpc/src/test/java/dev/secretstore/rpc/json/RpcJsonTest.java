package dev.secretstore.rpc.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.secretstore.crypto.Hex;
import org.junit.jupiter.api.Test;

/** test-vectors.md A.9: Parity's JSON encodings (serialization.rs tests and the RPC types test). */
class RpcJsonTest {
    @Test
    void vectorA9_bytes() {
        assertThat(RpcJson.write(HexBytes.of(new byte[] {1, 2, 3, 4}))).isEqualTo("\"0x01020304\"");
    }

    @Test
    void vectorA9_signature() {
        String r = "afafafafafafafafafafafbcbcbcbcbcbcbcbcbcbeeeeeeeeeeeeedddddddddd";
        String s = "5a39ed1020c04d4d84539975b893a4e7c53eab6c2965db8bc3468093a31bc5ae";
        byte[] sig = Hex.decode(r + s + String.format("%02x", 42));
        String json = RpcJson.write(HexBytes.of(sig));
        assertThat(json).isEqualTo("\"0x" + r + s + "2a\"");
        assertThat(json.length() - 4).isEqualTo(130);
    }

    @Test
    void vectorA9_encryptedDocumentKeyMemberOrder() {
        byte[] one = new byte[64];
        one[63] = 1;
        byte[] two = new byte[64];
        two[63] = 2;
        String json = RpcJson.write(new EncryptedDocumentKey(HexBytes.of(one), HexBytes.of(two), HexBytes.of(new byte[] {3})));
        assertThat(json).isEqualTo("{\"common_point\":\"0x" + "0".repeat(127) + "1\",\"encrypted_point\":\"0x"
                + "0".repeat(127) + "2\",\"encrypted_key\":\"0x03\"}");
    }

    @Test
    void readingRequiresPrefixAndAcceptsBothCases() throws JsonProcessingException {
        assertThat(RpcJson.mapper().readValue("\"0xABcd\"", HexBytes.class)).isEqualTo(HexBytes.of(new byte[] {(byte) 0xab, (byte) 0xcd}));
        assertThat(RpcJson.mapper().readValue("\"0x\"", HexBytes.class).length()).isZero();
        assertThatThrownBy(() -> RpcJson.mapper().readValue("\"abcd\"", HexBytes.class)).isInstanceOf(JsonProcessingException.class);
        assertThatThrownBy(() -> RpcJson.mapper().readValue("\"0xabc\"", HexBytes.class)).isInstanceOf(JsonProcessingException.class);
        assertThatThrownBy(() -> RpcJson.mapper().readValue("\"0X0a\"", HexBytes.class)).isInstanceOf(JsonProcessingException.class);
        assertThatThrownBy(() -> RpcJson.mapper().readValue("12", HexBytes.class)).isInstanceOf(JsonProcessingException.class);
    }
}
