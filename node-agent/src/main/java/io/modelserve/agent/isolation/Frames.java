package io.modelserve.agent.isolation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelserve.cluster.PooledJson;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;

/** Length-prefixed JSON messages between a node and a replica's child JVM. */
final class Frames {
    static final ObjectMapper JSON = PooledJson.mapper();
    private static final int MAX_FRAME = 512 * 1024 * 1024;

    private Frames() {}

    static void write(DataOutputStream out, JsonNode message) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(message);
        out.writeInt(bytes.length);
        out.write(bytes);
        out.flush();
    }

    static JsonNode read(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > MAX_FRAME) {
            throw new EOFException("bad frame length " + length);
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return JSON.readTree(bytes);
    }
}
