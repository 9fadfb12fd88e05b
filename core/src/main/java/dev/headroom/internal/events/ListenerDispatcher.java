package dev.headroom.internal.events;

import dev.headroom.Budget;
import dev.headroom.HeadroomEvent;
import dev.headroom.HeadroomListener;
import dev.headroom.PressureLevel;
import dev.headroom.ReclaimRequest;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Calls listeners on one daemon thread, {@code headroom-listeners}, started when the first listener
 * is added. Publishers (the sampler) only enqueue; they never wait for a listener. The queue is
 * bounded: at most {@value #MAX_PENDING_BUDGETS} budgets wait (older ones are dropped, a listener
 * only ever needs the latest), and at most {@value #CAPACITY} items in all (beyond it new items are
 * dropped, counted and reported once). A listener that throws is reported once per listener and is
 * called again next time.
 */
public final class ListenerDispatcher implements AutoCloseable {
    static final int CAPACITY = 1024;
    static final int MAX_PENDING_BUDGETS = 4;

    private final Diagnostics diagnostics;
    private final String threadName;
    private final CopyOnWriteArrayList<Registration> listeners = new CopyOnWriteArrayList<>();
    private final ArrayDeque<Object> queue = new ArrayDeque<>();
    private int pendingBudgets;
    private long dropped;
    private boolean closed;
    private Thread thread;

    public ListenerDispatcher(Diagnostics diagnostics, String threadName) {
        this.diagnostics = diagnostics;
        this.threadName = threadName;
    }

    /** Adds a listener; the returned handle removes it. */
    public AutoCloseable add(HeadroomListener listener) {
        Registration r = new Registration(listener);
        listeners.add(r);
        synchronized (this) {
            if (thread == null && !closed) {
                thread = new Thread(this::run, threadName);
                thread.setDaemon(true);
                thread.start();
            }
        }
        return () -> listeners.remove(r);
    }

    public boolean hasListeners() {
        return !listeners.isEmpty();
    }

    /** Items dropped because the queue was full. */
    public synchronized long dropped() {
        return dropped;
    }

    public void budget(Budget budget) {
        if (!listeners.isEmpty()) {
            enqueue(budget);
        }
    }

    public void levelChange(PressureLevel previous, PressureLevel current, Budget budget) {
        if (!listeners.isEmpty()) {
            enqueue(new LevelChange(previous, current, budget));
        }
    }

    public void event(HeadroomEvent event) {
        if (!listeners.isEmpty()) {
            enqueue(event);
        }
    }

    /** Queues a reclaim request; returns false when there is no listener to ask. */
    public boolean reclaimRequest(ReclaimRequest request) {
        if (listeners.isEmpty()) {
            return false;
        }
        enqueue(request);
        return true;
    }

    private synchronized void enqueue(Object item) {
        if (closed) {
            return;
        }
        if (item instanceof Budget) {
            if (pendingBudgets >= MAX_PENDING_BUDGETS) {
                for (Iterator<Object> it = queue.iterator(); it.hasNext(); ) {
                    if (it.next() instanceof Budget) {
                        it.remove();
                        pendingBudgets--;
                        break;
                    }
                }
            }
            pendingBudgets++;
        }
        if (queue.size() >= CAPACITY) {
            if (item instanceof Budget) {
                pendingBudgets--;
            }
            dropped++;
            diagnostics.once("listeners:queue-full", "listener queue full (" + CAPACITY
                    + " items): a listener is too slow; dropping what does not fit (reported once)");
            return;
        }
        queue.addLast(item);
        notifyAll();
    }

    private void run() {
        while (true) {
            Object item;
            synchronized (this) {
                while (queue.isEmpty() && !closed) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        if (closed) {
                            return;
                        }
                    }
                }
                if (closed) {
                    return;
                }
                item = queue.pollFirst();
                if (item instanceof Budget) {
                    pendingBudgets--;
                }
            }
            for (Registration r : listeners) {
                deliver(r, item);
            }
        }
    }

    private void deliver(Registration r, Object item) {
        try {
            if (item instanceof Budget b) {
                r.listener.onBudget(b);
            } else if (item instanceof LevelChange c) {
                r.listener.onLevelChange(c.previous, c.current, c.budget);
            } else if (item instanceof HeadroomEvent e) {
                r.listener.onEvent(e);
            } else if (item instanceof ReclaimRequest q) {
                r.listener.onReclaimRequest(q);
            }
        } catch (Throwable t) {
            // Even an Error stays here: the listener thread must outlive a bad listener.
            if (r.reported.compareAndSet(false, true)) {
                diagnostics.line("listener " + r.listener.getClass().getName() + " threw "
                        + Diagnostics.describe(t) + " (reported once per listener; it keeps being called)");
            }
        }
    }

    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            closed = true;
            queue.clear();
            pendingBudgets = 0;
            notifyAll();
            t = thread;
        }
        listeners.clear();
        if (t != null && t != Thread.currentThread()) {
            t.interrupt();
        }
    }

    private record LevelChange(PressureLevel previous, PressureLevel current, Budget budget) {
    }

    private static final class Registration {
        final HeadroomListener listener;
        final AtomicBoolean reported = new AtomicBoolean();

        Registration(HeadroomListener listener) {
            this.listener = listener;
        }
    }
}
