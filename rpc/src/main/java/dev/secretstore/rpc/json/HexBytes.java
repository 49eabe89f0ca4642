package dev.secretstore.rpc.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import dev.secretstore.crypto.CryptoException;
import dev.secretstore.crypto.Hex;
import java.io.IOException;
import java.util.Arrays;

/**
 * Parity's JSON {@code Bytes}/{@code H160}/{@code H256}/{@code H512}: written as {@code "0x"} + lower-case
 * hex; read only with the {@code 0x} prefix (Parity's deserializers require it), in either case
 * (the Java client sends upper case, jsonrpc.md §3). Length rules belong to the caller.
 */
@JsonSerialize(using = HexBytes.Writer.class)
@JsonDeserialize(using = HexBytes.Reader.class)
public final class HexBytes {
    private final byte[] bytes;

    private HexBytes(byte[] bytes) {
        this.bytes = bytes;
    }

    public static HexBytes of(byte[] bytes) {
        return new HexBytes(bytes.clone());
    }

    /** Parses {@code "0x"} followed by an even number of hex digits (possibly none). */
    public static HexBytes parse(String text) {
        if (text.length() < 2 || text.charAt(0) != '0' || text.charAt(1) != 'x') {
            throw new IllegalArgumentException("hex value must start with 0x");
        }
        try {
            return new HexBytes(Hex.decode(text.substring(2)));
        } catch (CryptoException e) {
            throw new IllegalArgumentException("invalid hex value", e);
        }
    }

    public byte[] toBytes() {
        return bytes.clone();
    }

    public int length() {
        return bytes.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HexBytes h && Arrays.equals(bytes, h.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return Hex.encodePrefixed(bytes);
    }

    static final class Writer extends StdSerializer<HexBytes> {
        private static final long serialVersionUID = 1L;

        Writer() {
            super(HexBytes.class);
        }

        @Override
        public void serialize(HexBytes value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeString(value.toString());
        }
    }

    static final class Reader extends StdDeserializer<HexBytes> {
        private static final long serialVersionUID = 1L;

        Reader() {
            super(HexBytes.class);
        }

        @Override
        public HexBytes deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() != JsonToken.VALUE_STRING) {
                return (HexBytes) ctxt.handleUnexpectedToken(HexBytes.class, p);
            }
            try {
                return parse(p.getText());
            } catch (IllegalArgumentException e) {
                return (HexBytes) ctxt.handleWeirdStringValue(HexBytes.class, p.getText(), "invalid hex: %s", e.getMessage());
            }
        }
    }
}
