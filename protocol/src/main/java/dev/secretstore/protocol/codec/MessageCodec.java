package dev.secretstore.protocol.codec;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import dev.secretstore.crypto.Address;
import dev.secretstore.crypto.CryptoException;
import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.Scalar;
import dev.secretstore.crypto.SecretScalar;
import dev.secretstore.crypto.auth.Operation;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.auth.Credential;
import dev.secretstore.protocol.session.Envelope;
import dev.secretstore.protocol.session.SessionMessage;
import dev.secretstore.protocol.session.SessionType;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The node protocol's message encoding (design decision 4): CBOR, schema-defined by the message
 * records, never Java serialization. An envelope is the CBOR array
 * {@code [version, session type, session id, master, sender, body type, body]}, where {@code body type}
 * is a name from an explicit registry (no class names cross the wire). Decoding validates every
 * point, scalar, id and length (SEC-01, SEC-02, SEC-05) and fails with {@link CodecException};
 * unknown properties, missing fields and nulls are errors.
 */
public final class MessageCodec {
    /**
     * Wire version of the envelope and bodies. 2: the key-use sessions' consensus and Feldman dealing are
     * sub-protocol families registered under each session type; consensus answers name committed versions.
     * 3: requests carry the requester's own credential and operation instead of its address (SEC-31), the
     * servers-set change init the administrator's fresh authorization (SEC-32), delegation the shadow check
     * data and exclusions (SEC-33).
     */
    public static final int VERSION = 3;

    private final ObjectMapper mapper;
    private final int maxMessageBytes;
    private final Map<String, Class<? extends SessionMessage>> byName = new HashMap<>();
    /** For names of a shared sub-protocol family: the one session type the name belongs to. */
    private final Map<String, SessionType> sessionOfName = new HashMap<>();
    private final Map<Class<?>, String> byClass = new HashMap<>();
    private final Map<Registration, String> byRegistration = new HashMap<>();

    private record Registration(SessionType session, Class<?> type) {}

    /** Thrown for any undecodable or invalid input; the message never contains secret material. */
    public static final class CodecException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public CodecException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public MessageCodec(int maxMessageBytes) {
        this.maxMessageBytes = maxMessageBytes;
        CBORFactory factory = CBORFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(32)
                        .maxStringLength(maxMessageBytes)
                        .build())
                .build();
        SimpleModule module = new SimpleModule("secretstore-crypto-types");
        module.addSerializer(PublicPoint.class, bytesSerializer(PublicPoint::toBytes));
        module.addDeserializer(PublicPoint.class, bytesDeserializer(PublicPoint::fromBytes));
        module.addSerializer(NodeId.class, bytesSerializer(NodeId::toBytes));
        module.addDeserializer(NodeId.class, bytesDeserializer(NodeId::fromBytes));
        module.addSerializer(H256.class, bytesSerializer(H256::toBytes));
        module.addDeserializer(H256.class, bytesDeserializer(H256::fromBytes));
        module.addSerializer(Address.class, bytesSerializer(Address::toBytes));
        module.addDeserializer(Address.class, bytesDeserializer(Address::fromBytes));
        module.addSerializer(Scalar.class, bytesSerializer(Scalar::toBytes));
        module.addDeserializer(Scalar.class, bytesDeserializer(Scalar::fromBytes));
        // Secret values only travel inside the encrypted transport (e.g. a dealer's share for one receiver).
        module.addSerializer(SecretScalar.class, bytesSerializer(SecretScalar::toBytes));
        module.addDeserializer(SecretScalar.class, bytesDeserializer(SecretScalar::fromBytesAllowZero));
        // A requester's credential (SEC-31): Credential.encode()'s bytes; a malformed one fails the message like any field.
        module.addSerializer(Credential.class, bytesSerializer(Credential::encode));
        module.addDeserializer(Credential.class, bytesDeserializer(Credential::decode));
        // An operation (docs/auth.md) travels as its one-byte code, the number that enters the signed hash.
        module.addSerializer(Operation.class, new JsonSerializer<>() {
            @Override
            public void serialize(Operation value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
                gen.writeNumber(value.code());
            }
        });
        module.addDeserializer(Operation.class, new JsonDeserializer<>() {
            @Override
            public Operation deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                if (p.currentToken() != com.fasterxml.jackson.core.JsonToken.VALUE_NUMBER_INT) throw invalid("operation is not a number", null);
                return Operation.ofCode(p.getIntValue());
            }
        });
        this.mapper = CBORMapper.builder(factory)
                .addModule(module)
                .enable(DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                // The schema is the record components, nothing else (no getters such as isInitialization()).
                .visibility(PropertyAccessor.ALL, JsonAutoDetect.Visibility.NONE)
                .visibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY)
                .visibility(PropertyAccessor.CREATOR, JsonAutoDetect.Visibility.ANY)
                .build();
    }

    /** Registers a body type under a stable wire name. Names and classes must be unique. */
    public MessageCodec register(String name, Class<? extends SessionMessage> type) {
        if (byName.putIfAbsent(name, type) != null || byClass.putIfAbsent(type, name) != null) {
            throw new IllegalArgumentException("duplicate registration: " + name + " / " + type.getName());
        }
        return this;
    }

    /**
     * Registers a body type of a sub-protocol family shared by several session types under the wire name
     * it has within {@code session} (e.g. {@code dec.consensus.request}). A name decodes only inside an
     * envelope of that session type.
     */
    public MessageCodec register(SessionType session, String name, Class<? extends SessionMessage> type) {
        if (byClass.containsKey(type) || byName.putIfAbsent(name, type) != null
                || byRegistration.putIfAbsent(new Registration(session, type), name) != null) {
            throw new IllegalArgumentException("duplicate registration: " + name + " / " + type.getName());
        }
        sessionOfName.put(name, session);
        return this;
    }

    public byte[] encode(Envelope envelope) {
        Class<?> bodyClass = envelope.body().getClass();
        String name = byClass.getOrDefault(bodyClass, byRegistration.get(new Registration(envelope.type(), bodyClass)));
        if (name == null) {
            throw new IllegalArgumentException("unregistered message type " + envelope.body().getClass().getName());
        }
        try {
            ArrayNode array = mapper.createArrayNode();
            array.add(VERSION);
            array.add(envelope.type().name());
            array.add(envelope.sessionId().toBytes());
            array.add(envelope.master().toBytes());
            array.add(envelope.sender().toBytes());
            array.add(name);
            array.add(mapper.valueToTree(envelope.body()));
            return mapper.writeValueAsBytes(array);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot encode " + name, e);
        }
    }

    public Envelope decode(byte[] bytes) {
        if (bytes.length > maxMessageBytes) {
            throw invalid("message larger than " + maxMessageBytes + " bytes", null);
        }
        try {
            JsonNode root = mapper.readTree(bytes);
            if (root == null || !root.isArray() || root.size() != 7) throw invalid("envelope is not a 7-element array", null);
            if (!root.get(0).isInt() || root.get(0).intValue() != VERSION) throw invalid("unsupported version", null);
            SessionType type = SessionType.valueOf(text(root.get(1)));
            H256 sessionId = H256.fromBytes(binary(root.get(2)));
            NodeId master = NodeId.fromBytes(binary(root.get(3)));
            NodeId sender = NodeId.fromBytes(binary(root.get(4)));
            Class<? extends SessionMessage> bodyType = byName.get(text(root.get(5)));
            if (bodyType == null) throw invalid("unknown message type", null);
            SessionType owner = sessionOfName.get(text(root.get(5)));
            if (owner != null && owner != type) throw invalid("message type of another session type", null);
            SessionMessage body = mapper.treeToValue(root.get(6), bodyType);
            return new Envelope(type, sessionId, master, sender, body);
        } catch (CodecException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw invalid(e.getClass().getSimpleName(), e);
        }
    }

    private static String text(JsonNode node) {
        if (node == null || !node.isTextual()) throw invalid("expected text", null);
        return node.textValue();
    }

    private static byte[] binary(JsonNode node) throws IOException {
        if (node == null || !node.isBinary()) throw invalid("expected bytes", null);
        return node.binaryValue();
    }

    private static CodecException invalid(String what, Throwable cause) {
        // Jackson messages may quote input fragments; keep only our own text plus the cause type.
        return new CodecException("invalid cluster message: " + what, cause instanceof CryptoException ? cause : null);
    }

    private interface ToBytes<T> {
        byte[] apply(T value);
    }

    private interface FromBytes<T> {
        T apply(byte[] bytes);
    }

    private static <T> JsonSerializer<T> bytesSerializer(ToBytes<T> toBytes) {
        return new JsonSerializer<>() {
            @Override
            public void serialize(T value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
                byte[] b = toBytes.apply(value);
                try {
                    gen.writeBinary(b);
                } finally {
                    Arrays.fill(b, (byte) 0);
                }
            }
        };
    }

    private static <T> JsonDeserializer<T> bytesDeserializer(FromBytes<T> fromBytes) {
        return new JsonDeserializer<>() {
            @Override
            public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                byte[] b = p.getBinaryValue();
                try {
                    return fromBytes.apply(b);
                } finally {
                    Arrays.fill(b, (byte) 0);
                }
            }
        };
    }

}
