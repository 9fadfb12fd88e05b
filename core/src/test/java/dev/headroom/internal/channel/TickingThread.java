package dev.headroom.internal.channel;

/** A thread standing in for the sampler: runs {@code tick} every 10 ms until closed. */
final class TickingThread implements AutoCloseable {
    private final Thread thread;
    private volatile boolean ticking = true;

    TickingThread(Runnable tick) {
        thread = new Thread(() -> {
            while (ticking) {
                tick.run();
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "test-sampler");
        thread.start();
    }

    @Override
    public void close() {
        ticking = false;
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
