package dev.relay.common.error;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.temporal.Temporal;
import java.util.Collection;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;

/** Names a Java target type in JSON's words, so error messages never show a Java class name. */
final class JsonTypeWords {

    private static final Set<Class<?>> INTEGERS = Set.of(byte.class, short.class, int.class, long.class,
            Byte.class, Short.class, Integer.class, Long.class, BigInteger.class);
    private static final Set<Class<?>> NUMBERS = Set.of(float.class, double.class, Float.class, Double.class,
            BigDecimal.class, Number.class);

    private JsonTypeWords() {
    }

    /** "a string", "an integer", … ready to follow "must be". */
    static String of(Class<?> type) {
        if (type == null) {
            return "a valid value";
        }
        if (INTEGERS.contains(type)) {
            return "an integer";
        }
        if (NUMBERS.contains(type)) {
            return "a number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "a boolean";
        }
        if (type.isEnum()) {
            return "one of the allowed values";
        }
        if (Temporal.class.isAssignableFrom(type)) {
            return "an ISO-8601 timestamp";
        }
        if (CharSequence.class.isAssignableFrom(type) || type == char.class || type == Character.class) {
            return "a string";
        }
        if (type.isArray() || Collection.class.isAssignableFrom(type) || ArrayNode.class.isAssignableFrom(type)) {
            return "an array";
        }
        if (type.isRecord() || Map.class.isAssignableFrom(type) || JsonNode.class.isAssignableFrom(type)
                || !type.getName().startsWith("java.")) {
            return "an object";
        }
        return "a valid value";
    }
}
