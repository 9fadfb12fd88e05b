package dev.headroom.internal.json;

import java.util.Collection;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * A small streaming JSON writer into a reusable {@link StringBuilder}. Commas are placed by the
 * writer, so callers only say what comes next. Non-finite doubles and empty optionals are written
 * as {@code null}: JSON has no NaN, and an unknown reading must never look like a zero.
 */
public final class JsonWriter {
    private final StringBuilder out;
    /** One bit per nesting level: whether a value has been written at that level yet. */
    private long needsComma;
    private int depth;
    private boolean afterName;

    public JsonWriter(StringBuilder out) {
        this.out = out;
    }

    public JsonWriter() {
        this(new StringBuilder(256));
    }

    public StringBuilder buffer() {
        return out;
    }

    /** Clears the buffer so the writer can be reused for the next document. */
    public JsonWriter reset() {
        out.setLength(0);
        needsComma = 0;
        depth = 0;
        afterName = false;
        return this;
    }

    public JsonWriter beginObject() {
        beforeValue();
        out.append('{');
        push();
        return this;
    }

    public JsonWriter endObject() {
        pop();
        out.append('}');
        return this;
    }

    public JsonWriter beginArray() {
        beforeValue();
        out.append('[');
        push();
        return this;
    }

    public JsonWriter endArray() {
        pop();
        out.append(']');
        return this;
    }

    public JsonWriter name(String name) {
        if (afterName) {
            throw new IllegalStateException("name after name: " + name);
        }
        comma();
        string(name);
        out.append(':');
        afterName = true;
        return this;
    }

    public JsonWriter value(String value) {
        beforeValue();
        if (value == null) {
            out.append("null");
        } else {
            string(value);
        }
        return this;
    }

    public JsonWriter value(long value) {
        beforeValue();
        out.append(value);
        return this;
    }

    public JsonWriter value(double value) {
        beforeValue();
        if (Double.isFinite(value)) {
            out.append(value);
        } else {
            out.append("null");
        }
        return this;
    }

    public JsonWriter value(boolean value) {
        beforeValue();
        out.append(value);
        return this;
    }

    public JsonWriter value(OptionalLong value) {
        return value.isPresent() ? value(value.getAsLong()) : nullValue();
    }

    public JsonWriter value(OptionalDouble value) {
        return value.isPresent() ? value(value.getAsDouble()) : nullValue();
    }

    public JsonWriter nullValue() {
        beforeValue();
        out.append("null");
        return this;
    }

    /** Writes strings, numbers, booleans, optionals, maps and collections of those; anything else as its string. */
    public JsonWriter value(Object value) {
        if (value == null) {
            return nullValue();
        } else if (value instanceof String s) {
            return value(s);
        } else if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return value(((Number) value).longValue());
        } else if (value instanceof Number n) {
            return value(n.doubleValue());
        } else if (value instanceof Boolean b) {
            return value(b.booleanValue());
        } else if (value instanceof OptionalLong o) {
            return value(o);
        } else if (value instanceof OptionalDouble o) {
            return value(o);
        } else if (value instanceof Map<?, ?> map) {
            beginObject();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                name(String.valueOf(e.getKey())).value(e.getValue());
            }
            return endObject();
        } else if (value instanceof Collection<?> list) {
            beginArray();
            for (Object item : list) {
                value(item);
            }
            return endArray();
        }
        return value(value.toString());
    }

    @Override
    public String toString() {
        return out.toString();
    }

    private void beforeValue() {
        if (afterName) {
            afterName = false;
        } else {
            comma();
        }
    }

    private void comma() {
        if (depth > 0) {
            long bit = 1L << (depth - 1);
            if ((needsComma & bit) != 0) {
                out.append(',');
            } else {
                needsComma |= bit;
            }
        }
    }

    private void push() {
        if (depth == 63) {
            throw new IllegalStateException("JSON nested too deep");
        }
        depth++;
        needsComma &= ~(1L << (depth - 1));
    }

    private void pop() {
        if (depth == 0) {
            throw new IllegalStateException("end without begin");
        }
        depth--;
        afterName = false;
    }

    private void string(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        out.append("\\u");
                        String hex = Integer.toHexString(c);
                        for (int pad = hex.length(); pad < 4; pad++) {
                            out.append('0');
                        }
                        out.append(hex);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
