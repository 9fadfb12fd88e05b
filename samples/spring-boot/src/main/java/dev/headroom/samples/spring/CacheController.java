package dev.headroom.samples.spring;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An in-memory "cache" to grow and clear, so the dashboard's budget panel has something to show:
 * {@code POST /cache?mb=64&kind=heap|direct}, {@code DELETE /cache}, {@code GET /cache}. Capped by
 * {@code sample.cache.max-mb} so a demo cannot take the machine down.
 */
@RestController
@RequestMapping("/cache")
public class CacheController {
    private static final int MIB = 1024 * 1024;

    private final long maxMb;
    private final List<byte[]> heap = new ArrayList<>();
    private final List<ByteBuffer> direct = new ArrayList<>();

    public CacheController(@Value("${sample.cache.max-mb:272}") long maxMb) {
        this.maxMb = maxMb;
    }

    @PostMapping
    public synchronized ResponseEntity<Map<String, Object>> grow(@RequestParam(defaultValue = "16") int mb,
                                                                 @RequestParam(defaultValue = "heap") String kind) {
        if (mb < 1 || heldMb() + mb > maxMb) {
            return ResponseEntity.badRequest().body(Map.of("error", "cache is capped at " + maxMb + " MiB", "heldMb", heldMb()));
        }
        for (int i = 0; i < mb; i++) {
            if (kind.equals("direct")) {
                ByteBuffer b = ByteBuffer.allocateDirect(MIB);
                for (int p = 0; p < MIB; p += 4096) {
                    b.put(p, (byte) 1); // touch every page: only touched memory is charged to the cgroup
                }
                direct.add(b);
            } else {
                byte[] b = new byte[MIB];
                for (int p = 0; p < MIB; p += 4096) {
                    b[p] = 1;
                }
                heap.add(b);
            }
        }
        return ResponseEntity.ok(status());
    }

    @DeleteMapping
    public synchronized Map<String, Object> clear() {
        heap.clear();
        direct.clear();
        return status();
    }

    @GetMapping
    public synchronized Map<String, Object> status() {
        return Map.of("heapMb", heap.size(), "directMb", direct.size(), "maxMb", maxMb);
    }

    private long heldMb() {
        return heap.size() + direct.size();
    }
}
