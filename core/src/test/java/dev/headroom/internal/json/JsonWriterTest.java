package dev.headroom.internal.json;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class JsonWriterTest {

    @Test
    void placesCommasAcrossNestingLevels() {
        JsonWriter w = new JsonWriter();
        w.beginObject()
                .name("a").value(1)
                .name("b").beginArray().value("x").value(true).beginObject().endObject().endArray()
                .name("c").beginObject().name("d").nullValue().endObject()
                .name("e").value(2.5)
                .endObject();
        assertEquals("{\"a\":1,\"b\":[\"x\",true,{}],\"c\":{\"d\":null},\"e\":2.5}", w.toString());
    }

    @Test
    void unknownReadingsAreNullNotZero() {
        JsonWriter w = new JsonWriter();
        w.beginArray()
                .value(OptionalLong.empty()).value(OptionalDouble.empty())
                .value(Double.NaN).value(Double.POSITIVE_INFINITY).value(OptionalLong.of(0))
                .endArray();
        assertEquals("[null,null,null,null,0]", w.toString());
    }

    @Test
    void escapesControlCharactersQuotesAndLineSeparators() {
        JsonWriter w = new JsonWriter();
        w.value("a\"b\\c\nd\te\u0001f\u2028");
        assertEquals("\"a\\\"b\\\\c\\nd\\te\\u0001f\\u2028\"", w.toString());
    }

    @Test
    void writesMapsAndCollectionsOfPlainValues() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("n", 3L);
        m.put("list", List.of(1, "two"));
        m.put("none", null);
        assertEquals("{\"n\":3,\"list\":[1,\"two\"],\"none\":null}", new JsonWriter().value((Object) m).toString());
    }

    @Test
    void resetStartsAFreshDocument() {
        JsonWriter w = new JsonWriter();
        w.beginArray().value(1).endArray();
        w.reset().beginArray().value(2).endArray();
        assertEquals("[2]", w.toString());
    }
}
