package dev.headroom.internal.json;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Values any reader can take: strings, numbers, booleans, null, and {@link LinkedHashMap}s and
 * {@link ArrayList}s of those. Event fields are made of them before they reach the log, listeners and
 * JMX notifications (a JMX client, or a listener in another class loader, can read only JDK types).
 * An empty optional and a non-finite double become null: unknown is never a made-up zero.
 */
public final class PlainValues {
    private PlainValues() {
    }

    public static Object of(Object v) {
        if (v == null || v instanceof String || v instanceof Boolean) {
            return v;
        } else if (v instanceof Double d) {
            return Double.isFinite(d) ? d : null;
        } else if (v instanceof Float f) {
            return Float.isFinite(f) ? f : null;
        } else if (v instanceof Number) {
            return v;
        } else if (v instanceof OptionalLong o) {
            return o.isPresent() ? (Object) o.getAsLong() : null;
        } else if (v instanceof OptionalInt o) {
            return o.isPresent() ? (Object) o.getAsInt() : null;
        } else if (v instanceof OptionalDouble o) {
            return o.isPresent() ? of(o.getAsDouble()) : null;
        } else if (v instanceof Optional<?> o) {
            return o.isPresent() ? of(o.get()) : null;
        } else if (v instanceof Enum<?> e) {
            return e.name();
        } else if (v instanceof Map<?, ?> m) {
            return map(m);
        } else if (v instanceof Collection<?> c) {
            List<Object> out = new ArrayList<>(c.size());
            for (Object item : c) {
                out.add(of(item));
            }
            return out;
        }
        return v.toString();
    }

    /** A map's entries as plain values, keys as strings, in the map's order. */
    public static Map<String, Object> map(Map<?, ?> m) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            out.put(String.valueOf(e.getKey()), of(e.getValue()));
        }
        return out;
    }
}
