package dev.headroom.spring;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * A budget (or any of its records) as plain maps, lists, strings, numbers and nulls, in record
 * component order: what the actuator endpoint returns, serialisable by whichever JSON mapper the
 * application has, with no Jackson modules needed. Walks the records reflectively so a component
 * added to a record appears without a change here. Empty optionals become null (unknown, never 0).
 */
final class BudgetMaps {
    private BudgetMaps() {
    }

    static Object toPlain(Object value) {
        if (value == null || value instanceof String || value instanceof Number || value instanceof Boolean) {
            if (value instanceof Double d && !Double.isFinite(d)) {
                return null;
            }
            return value;
        }
        if (value instanceof Enum<?> e) {
            return e.name();
        }
        if (value instanceof OptionalLong o) {
            return o.isPresent() ? o.getAsLong() : null;
        }
        if (value instanceof OptionalDouble o) {
            return o.isPresent() && Double.isFinite(o.getAsDouble()) ? o.getAsDouble() : null;
        }
        if (value instanceof OptionalInt o) {
            return o.isPresent() ? o.getAsInt() : null;
        }
        if (value instanceof Optional<?> o) {
            return o.map(BudgetMaps::toPlain).orElse(null);
        }
        if (value instanceof Record r) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (RecordComponent c : r.getClass().getRecordComponents()) {
                try {
                    out.put(c.getName(), toPlain(c.getAccessor().invoke(r)));
                } catch (ReflectiveOperationException e) {
                    out.put(c.getName(), null);
                }
            }
            return out;
        }
        if (value instanceof Map<?, ?> m) {
            // Sorted: the core's maps are unordered copies, and a stable order makes the JSON diffable.
            Map<String, Object> out = new TreeMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                out.put(String.valueOf(e.getKey()), toPlain(e.getValue()));
            }
            return out;
        }
        if (value instanceof Collection<?> c) {
            List<Object> out = new ArrayList<>(c.size());
            for (Object o : c) {
                out.add(toPlain(o));
            }
            return out;
        }
        return value.toString();
    }
}
