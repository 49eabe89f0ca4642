package dev.secretstore.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Keccak-256 (crypto.md §3) and the constants of test-vectors.md A.8. Parameter types of the service
 * contract functions are those of Parity's service-contract ABI; the selectors in the vector table
 * pin them down.
 */
class KeccakConstantsTest {

    @Test
    void vectorA8_keccakSanity() {
        assertThat(Hex.encode(Keccak256.hash())).isEqualTo("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
        assertThat(Hex.encode(Keccak256.hash(new byte[0]))).isEqualTo("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
        assertThat(Hex.encode(Keccak256.selector("checkPermissions(address,bytes32)"))).isEqualTo("b36a9a7c");
        // Not FIPS-202 SHA3-256 (different padding): keccak256("") differs from sha3_256("").
        assertThat(Hex.encode(Keccak256.hash())).isNotEqualTo("a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a");
    }

    @Test
    void vectorA8_functionSelectors() {
        Map<String, String> selectors = new LinkedHashMap<>();
        selectors.put("checkPermissions(address,bytes32)", "b36a9a7c");
        selectors.put("getAddress(bytes32,string)", "6795dbcd");
        selectors.put("serverKeyGenerated(bytes32,bytes)", "ebbcc2e1");
        selectors.put("serverKeyGenerationError(bytes32)", "3fbd7ecd");
        selectors.put("serverKeyGenerationRequestsCount()", "195a40f2");
        selectors.put("getServerKeyGenerationRequest(uint256)", "64124c86");
        selectors.put("isServerKeyGenerationResponseRequired(bytes32,address)", "ec6b0360");
        selectors.put("serverKeyRetrieved(bytes32,bytes,uint8)", "a45362f6");
        selectors.put("serverKeyRetrievalError(bytes32)", "15eb5309");
        selectors.put("serverKeyRetrievalRequestsCount()", "1b544bb0");
        selectors.put("getServerKeyRetrievalRequest(uint256)", "50f6a134");
        selectors.put("isServerKeyRetrievalResponseRequired(bytes32,address)", "3b68c427");
        selectors.put("documentKeyStored(bytes32)", "8a9a9a0f");
        selectors.put("documentKeyStoreError(bytes32)", "87f76b1a");
        selectors.put("documentKeyStoreRequestsCount()", "663c87cd");
        selectors.put("getDocumentKeyStoreRequest(uint256)", "fb2f439b");
        selectors.put("isDocumentKeyStoreResponseRequired(bytes32,address)", "8ba9e398");
        selectors.put("documentKeyCommonRetrieved(bytes32,address,bytes,uint8)", "7b97eecc");
        selectors.put("documentKeyPersonalRetrieved(bytes32,address,uint256,bytes,bytes)", "b9b36c42");
        selectors.put("documentKeyShadowRetrievalError(bytes32,address)", "e2f1d4f9");
        selectors.put("documentKeyShadowRetrievalRequestsCount()", "e3c20cf2");
        selectors.put("getDocumentKeyShadowRetrievalRequest(uint256)", "f3d33171");
        selectors.put("isDocumentKeyShadowRetrievalResponseRequired(bytes32,address,address)", "77dc782b");
        selectors.put("requireKeyServer(address)", "2b4f030a");
        Map<String, String> actual = new LinkedHashMap<>();
        selectors.keySet().forEach(signature -> actual.put(signature, Hex.encode(Keccak256.selector(signature))));
        assertThat(actual).isEqualTo(selectors); // a mismatch shows every differing entry
    }

    @Test
    void vectorA8_eventTopics() {
        Map<String, String> topics = new LinkedHashMap<>();
        topics.put("ServerKeyGenerationRequested(bytes32,address,uint8)", "7e7d18cca7d509b32b27d10d4c0f1dfed4d779294388818f23941d13450dacb1");
        topics.put("ServerKeyRetrievalRequested(bytes32)", "abca19cd1a35cd8001bfc77e38ae9f56a162e022292a67e1152f1512776d6808");
        topics.put("DocumentKeyStoreRequested(bytes32,address,bytes,bytes)", "adc87e5ceadda3a573403a1ad2d7e815d4482b89ea2034e49d188de6843ee43d");
        topics.put("DocumentKeyCommonRetrievalRequested(bytes32,address)", "cce4f642c73cab3eae4e6ef3d59cc746b5e7d035447b1c226b5aafb4c0915709");
        topics.put("DocumentKeyPersonalRetrievalRequested(bytes32,bytes)", "1b73b7e683137318af868187d364e5f3d25de1c54913fb552bfbca47d44f3321");
        Map<String, String> actual = new LinkedHashMap<>();
        topics.keySet().forEach(signature -> actual.put(signature, keccakHex(signature)));
        assertThat(actual).isEqualTo(topics);
    }

    @Test
    void vectorA8_registryKeys() {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("secretstore_acl_checker", "7942baef32fbbcea49e4e1499add5d45575185dd09e9821cb639a9cd448aaaf1");
        keys.put("secretstore_server_set", "8cb8685fcb019a3c921c91072c90b48d3e21caeebd32285b04f964fa8c4b01c3");
        keys.put("secretstore_service", "8cd73899c531fa9aa35a41626d22bb9c8935626104e0502d7cc187cbee27a62f");
        keys.put("secretstore_service_srv_gen", "30ba09792ca8c0282a606afd2effd8dd9bb95b7bf01e4ff004703a2a38d375ff");
        keys.put("secretstore_service_srv_retr", "f11542b632d1789d7057b7e08e3f9e9df1c510b7012dea2c74abf04159e2e47b");
        keys.put("secretstore_service_doc_store", "adaefe3d0370488358168bc746caf77d367350db31f08712dc1b1dc2f8f5db52");
        keys.put("secretstore_service_doc_sretr", "250510affcaaeabe89f12b46c8063d1f0850f4e456021f706fad0d5a0c42d33d");
        Map<String, String> actual = new LinkedHashMap<>();
        keys.keySet().forEach(name -> actual.put(name, keccakHex(name)));
        assertThat(actual).isEqualTo(keys);
    }

    private static String keccakHex(String ascii) {
        return H256.keccak(ascii.getBytes(StandardCharsets.US_ASCII)).toHex();
    }
}
