package dev.headroom.internal.jmx;

import dev.headroom.internal.json.JsonWriter;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * Writes any of Headroom's records as JSON by walking its components, so the MXBean's
 * {@code BudgetJson} follows the records as they gain components. Empty optionals are null.
 */
public final class RecordJson {
    private RecordJson() {
    }

    public static String toJson(Object value) {
        JsonWriter w = new JsonWriter(new StringBuilder(4096));
        write(w, value, 0);
        return w.toString();
    }

    private static void write(JsonWriter w, Object v, int depth) {
        if (depth > 32) {
            w.value(String.valueOf(v));
        } else if (v == null) {
            w.nullValue();
        } else if (v instanceof Record r) {
            w.beginObject();
            for (RecordComponent c : r.getClass().getRecordComponents()) {
                w.name(c.getName());
                write(w, component(r, c), depth + 1);
            }
            w.endObject();
        } else if (v instanceof Optional<?> o) {
            write(w, o.orElse(null), depth + 1);
        } else if (v instanceof OptionalLong || v instanceof OptionalDouble) {
            w.value(v);
        } else if (v instanceof Map<?, ?> m) {
            w.beginObject();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                w.name(String.valueOf(e.getKey()));
                write(w, e.getValue(), depth + 1);
            }
            w.endObject();
        } else if (v instanceof Collection<?> list) {
            w.beginArray();
            for (Object item : list) {
                write(w, item, depth + 1);
            }
            w.endArray();
        } else if (v instanceof Enum<?> e) {
            w.value(e.name());
        } else {
            w.value(v);
        }
    }

    private static Object component(Record r, RecordComponent c) {
        try {
            return c.getAccessor().invoke(r);
        } catch (IllegalAccessException | InvocationTargetException | RuntimeException e) {
            return "unreadable: " + e;
        }
    }
}
