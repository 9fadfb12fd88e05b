package dev.headroom.micrometer;

import dev.headroom.Budget;
import dev.headroom.Headroom;
import dev.headroom.HeadroomListener;
import dev.headroom.metrics.MeterCatalog;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * Binds every Headroom meter ({@code headroom.*}, see {@link MeterCatalog}) to a Micrometer registry.
 *
 * <pre>{@code
 * Headroom headroom = Headroom.start(HeadroomConfig.defaults());
 * HeadroomMetrics metrics = new HeadroomMetrics(headroom);
 * metrics.bindTo(registry);
 * ...
 * metrics.close(); // stops following new series and removes the meters
 * }</pre>
 *
 * <p>A meter (or a tagged series of one) is registered only when the budget can back it: without a
 * memory controller there is no {@code headroom.memory.limit}, without NMT no
 * {@code headroom.nmt.committed}. Given a {@link Headroom}, the binder listens to its budgets and
 * registers series that appear later (a budget component, a {@code memory.events} key); that
 * listener is why it is {@link AutoCloseable}. Values are read from the latest budget when the
 * registry asks (one volatile read; each budget's figures are computed once, however many meters
 * read them). A gauge whose reading disappears reports {@code NaN}; a counter keeps its last value
 * so it never goes backwards.
 *
 * <p>Never registers {@code jvm.*}, {@code process.*} or {@code system.*}: use Micrometer's own
 * binders for those. Thread-safe; works with Micrometer 1.15 (Spring Boot 3.5) to the newest.
 */
public final class HeadroomMetrics implements MeterBinder, AutoCloseable {
    private final State state;
    private final Iterable<Tag> tags;
    private final Headroom headroom;
    private final List<MeterRegistry> registries = new CopyOnWriteArrayList<>();
    private final Map<MeterRegistry, Map<SeriesKey, Meter>> registered = new ConcurrentHashMap<>();
    private final Object lock = new Object();
    private AutoCloseable listener;
    private boolean closed;

    /** Meters over {@code headroom}'s budgets; series that appear later are registered as they appear. */
    public HeadroomMetrics(Headroom headroom) {
        this(headroom, Tags.empty());
    }

    /** As {@link #HeadroomMetrics(Headroom)}, with {@code tags} added to every meter. */
    public HeadroomMetrics(Headroom headroom, Iterable<Tag> tags) {
        this(Objects.requireNonNull(headroom, "headroom"), headroom::budget, tags);
    }

    /**
     * Meters over budgets from {@code budgets} (called when a registry reads a meter; it should be
     * cheap). Without a {@link Headroom} nothing tells the binder about new series: it registers
     * what the budget at {@link #bindTo} time backs.
     */
    public HeadroomMetrics(Supplier<Budget> budgets, Iterable<Tag> tags) {
        this(null, budgets, tags);
    }

    private HeadroomMetrics(Headroom headroom, Supplier<Budget> budgets, Iterable<Tag> tags) {
        this.headroom = headroom;
        this.state = new State(Objects.requireNonNull(budgets, "budgets"));
        this.tags = Tags.of(Objects.requireNonNull(tags, "tags"));
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("HeadroomMetrics is closed");
            }
            if (!registries.contains(registry)) {
                registries.add(registry);
            }
            if (headroom != null && listener == null) {
                listener = headroom.addListener(new HeadroomListener() {
                    @Override
                    public void onBudget(Budget budget) {
                        registerNewSeries(budget);
                    }
                });
            }
        }
        registerNewSeries(state.budget());
    }

    /** Stops following new series and removes every meter this binder registered. Idempotent. */
    @Override
    public void close() {
        AutoCloseable l;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            l = listener;
            listener = null;
        }
        if (l != null) {
            try {
                l.close();
            } catch (Exception ignored) {
                // Removing a listener from a closed Headroom has nothing left to undo.
            }
        }
        for (Map.Entry<MeterRegistry, Map<SeriesKey, Meter>> e : registered.entrySet()) {
            for (Meter m : e.getValue().values()) {
                e.getKey().remove(m);
            }
        }
        registered.clear();
        registries.clear();
    }

    /** Registers the series {@code budget} backs that are not registered yet; the listener calls it. */
    void registerNewSeries(Budget budget) {
        if (budget == null) {
            return;
        }
        Map<SeriesKey, Double> values = state.evaluate(budget).values;
        synchronized (lock) {
            if (closed) {
                return;
            }
            for (MeterRegistry registry : registries) {
                Map<SeriesKey, Meter> mine = registered.computeIfAbsent(registry, r -> new HashMap<>());
                for (SeriesKey key : values.keySet()) {
                    if (!mine.containsKey(key)) {
                        mine.put(key, register(registry, key));
                    }
                }
            }
        }
    }

    private Meter register(MeterRegistry registry, SeriesKey key) {
        MeterCatalog.Meter m = key.meter;
        List<Tag> all = new ArrayList<>();
        tags.forEach(all::add);
        for (int i = 0; i < m.tagKeys().size(); i++) {
            all.add(Tag.of(m.tagKeys().get(i), key.tagValues.get(i)));
        }
        Series series = new Series(key);
        if (m.type() == MeterCatalog.Type.COUNTER) {
            // The registry keeps a weak reference to the counter's object; State is strongly held by
            // the gauges below (and by this binder), so counters do not go dark when the binder is dropped.
            return FunctionCounter.builder(m.name(), state, s -> s.counterValue(series))
                    .tags(all).baseUnit(m.baseUnit()).description(m.description()).register(registry);
        }
        return Gauge.builder(m.name(), state, s -> s.gaugeValue(series))
                .tags(all).baseUnit(m.baseUnit()).description(m.description()).strongReference(true)
                .register(registry);
    }

    /** A meter and the values of its own tags. */
    private static final class SeriesKey {
        final MeterCatalog.Meter meter;
        final List<String> tagValues;

        SeriesKey(MeterCatalog.Meter meter, List<String> tagValues) {
            this.meter = meter;
            this.tagValues = tagValues;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof SeriesKey k && k.meter == meter && k.tagValues.equals(tagValues);
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(meter) * 31 + tagValues.hashCode();
        }
    }

    private static final class Series {
        final SeriesKey key;

        Series(SeriesKey key) {
            this.key = key;
        }
    }

    /** The figures of one budget, computed once. */
    private static final class Evaluated {
        final Budget budget;
        final Map<SeriesKey, Double> values;

        Evaluated(Budget budget, Map<SeriesKey, Double> values) {
            this.budget = budget;
            this.values = values;
        }
    }

    /** Reads budgets for every meter of one binder. */
    static final class State {
        private static final Evaluated NONE = new Evaluated(null, Map.of());
        private final Supplier<Budget> budgets;
        // Highest value seen per counter series, so a counter whose reading vanishes never goes back.
        private final Map<SeriesKey, Double> lastCounts = new ConcurrentHashMap<>();
        private volatile Evaluated cache = NONE;

        State(Supplier<Budget> budgets) {
            this.budgets = budgets;
        }

        Budget budget() {
            try {
                return budgets.get();
            } catch (RuntimeException e) {
                // No budget (sampling failed, Headroom closed): meters read as absent, never throw into a scrape.
                return null;
            }
        }

        Evaluated evaluate(Budget budget) {
            Evaluated c = cache;
            if (c.budget == budget) {
                return c;
            }
            if (budget == null) {
                return NONE;
            }
            Map<SeriesKey, Double> values = new HashMap<>();
            for (MeterCatalog.Meter m : MeterCatalog.all()) {
                for (MeterCatalog.Sample s : m.samples(budget)) {
                    SeriesKey key = new SeriesKey(m, s.tagValues());
                    values.put(key, s.value());
                    if (m.type() == MeterCatalog.Type.COUNTER) {
                        lastCounts.merge(key, s.value(), Math::max);
                    }
                }
            }
            Evaluated e = new Evaluated(budget, values);
            cache = e;
            return e;
        }

        double gaugeValue(Series series) {
            Double v = evaluate(budget()).values.get(series.key);
            return v == null ? Double.NaN : v;
        }

        double counterValue(Series series) {
            evaluate(budget());
            Double v = lastCounts.get(series.key);
            return v == null ? 0 : v;
        }
    }
}
