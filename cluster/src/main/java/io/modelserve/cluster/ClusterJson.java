package io.modelserve.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The one codec for state shared between nodes. Values travel as JSON text rather than Java
 * serialisation: readable in a debugger, safe against gadget chains, and tolerant of a newer node
 * adding a field.
 */
public final class ClusterJson {
    public static final ObjectMapper MAPPER = PooledJson.mapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private ClusterJson() {}

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot encode " + value.getClass().getSimpleName(), e);
        }
    }

    public static <T> T read(String json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot decode " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
        }
    }
}
