package dev.headroom.internal.cgroup;

import dev.headroom.internal.kernfs.ByteParsing;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ParsersTest {

    @Test
    void mountinfoFindsTheSeparatorWhateverTheNumberOfOptionalFields() {
        List<String> errors = new ArrayList<>();
        List<MountInfo.Mount> mounts = MountInfo.parse(String.join("\n",
                "30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate",
                "31 23 0:27 / /sys/fs/cgroup/memory rw shared:5 master:3 propagate_from:2 unbindable - cgroup cgroup rw,memory",
                "32 23 0:28 / /x rw shared:1 - tmpfs tmpfs rw"), "mountinfo", errors);
        assertEquals(List.of(), errors);
        assertEquals(3, mounts.size());
        assertEquals("cgroup2", mounts.get(0).fsType());
        assertEquals("cgroup", mounts.get(1).fsType());
        assertTrue(mounts.get(1).hasSuperOption("memory"));
        assertFalse(mounts.get(0).hasSuperOption("memory"));
        assertEquals("/sys/fs/cgroup/memory", mounts.get(1).mountPoint());
    }

    @Test
    void mountinfoUnescapesOctalInRootAndMountPoint() {
        List<String> errors = new ArrayList<>();
        List<MountInfo.Mount> mounts = MountInfo.parse(
                "40 23 0:29 /my\\040app:1\\011tab\\012nl\\134bs /mnt/a\\040b rw - cgroup2 cgroup2 rw", "mountinfo", errors);
        assertEquals("/my app:1\ttab\nnl\\bs", mounts.get(0).root());
        assertEquals("/mnt/a b", mounts.get(0).mountPoint());
        assertEquals("C:\\9x", MountInfo.unescape("C:\\9x"), "a backslash without three octal digits is kept");
        assertEquals("end\\04", MountInfo.unescape("end\\04"));
    }

    @Test
    void mountinfoReportsMalformedLinesAndKeepsTheRest() {
        List<String> errors = new ArrayList<>();
        List<MountInfo.Mount> mounts = MountInfo.parse("garbage line\n30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n",
                "/proc/self/mountinfo", errors);
        assertEquals(1, mounts.size());
        assertEquals(List.of("/proc/self/mountinfo: line 1 is malformed (no ' - fstype' separator)"), errors);
    }

    @Test
    void procSelfCgroupSplitsOnTheFirstTwoColonsOnly() {
        List<String> errors = new ArrayList<>();
        List<ProcSelfCgroup.Entry> entries = ProcSelfCgroup.parse(String.join("\n",
                "12:cpu,cpuacct,memory:/docker/a:b:c",
                "1:name=systemd:/user.slice/x",
                "0::/system.slice/app:1.service (deleted)",
                "not a line",
                "x:memory:/"), "/proc/self/cgroup", errors);
        assertEquals(3, entries.size());
        assertEquals("/docker/a:b:c", entries.get(0).path());
        assertTrue(entries.get(0).hasController("memory"));
        assertEquals(List.of("cpu", "cpuacct", "memory"), entries.get(0).controllers());
        assertEquals(0, entries.get(2).hierarchyId());
        assertEquals(List.of(), entries.get(2).controllers());
        assertEquals("/system.slice/app:1.service", entries.get(2).path());
        assertTrue(entries.get(2).deleted());
        assertEquals(2, errors.size(), errors.toString());
    }

    @Test
    void numbersParseFromBytesWithoutGuessing() {
        assertEquals(536870912, ByteParsing.singleValue(b("536870912\n"), 0, 10));
        assertEquals(ByteParsing.MAX, ByteParsing.singleValue(b("max\n"), 0, 4));
        assertEquals(ByteParsing.BAD, ByteParsing.singleValue(b("-1\n"), 0, 3), "negative");
        assertEquals(ByteParsing.BAD, ByteParsing.singleValue(b("\n"), 0, 1), "empty");
        assertEquals(ByteParsing.BAD, ByteParsing.singleValue(b("12abc"), 0, 5), "garbage");
        assertEquals(ByteParsing.BAD, ByteParsing.singleValue(b("18446744073709551615"), 0, 20), "overflow");
        assertEquals(Long.MAX_VALUE, ByteParsing.singleValue(b("9223372036854775807"), 0, 19));
        assertEquals(1.25, ByteParsing.decimal(b("1.25"), 0, 4));
        assertEquals(100.0, ByteParsing.decimal(b("100.00"), 0, 6));
        assertTrue(Double.isNaN(ByteParsing.decimal(b("1.2.3"), 0, 5)));
        assertTrue(Double.isNaN(ByteParsing.decimal(b(""), 0, 0)));
    }

    @Test
    void unlimitedMarkersOfEveryPageSizeAreRecognised() {
        assertTrue(9223372036854771712L >= EffectiveLimit.PAGE_COUNTER_UNLIMITED, "4 KiB pages");
        assertTrue(9223372036854710272L >= EffectiveLimit.PAGE_COUNTER_UNLIMITED, "64 KiB pages");
        assertTrue(9223372036854763520L >= EffectiveLimit.PAGE_COUNTER_UNLIMITED, "16 KiB pages");
        assertFalse(1L << 62 >= EffectiveLimit.PAGE_COUNTER_UNLIMITED, "a real, huge limit");
    }

    @Test
    void theMountWhoseRootIsTheLongestPrefixWinsThenSysFsCgroup() {
        MountInfo.Mount hostRoot = new MountInfo.Mount("/", "/mnt/host", "cgroup", "rw,memory");
        MountInfo.Mount docker = new MountInfo.Mount("/docker/abc", "/sys/fs/cgroup/memory", "cgroup", "rw,memory");
        MountInfo.Mount extra = new MountInfo.Mount("/", "/run/extra", "cgroup2", "rw");
        MountInfo.Mount sys = new MountInfo.Mount("/", "/sys/fs/cgroup", "cgroup2", "rw");
        assertEquals(docker, CgroupResolver.pick(List.of(hostRoot, docker), "/docker/abc"));
        assertEquals(sys, CgroupResolver.pick(List.of(extra, sys), "/app.slice"));
        assertEquals(docker, CgroupResolver.pick(List.of(docker), "/elsewhere"));
    }

    @Test
    void mappingRespectsPathSegmentBoundaries() {
        MountInfo.Mount docker = new MountInfo.Mount("/docker/abc", "/sys/fs/cgroup/memory", "cgroup", "rw,memory");
        List<String> problems = new ArrayList<>();
        assertEquals("/sys/fs/cgroup/memory", CgroupResolver.map(docker, "/docker/abc", problems));
        assertEquals("/sys/fs/cgroup/memory/child", CgroupResolver.map(docker, "/docker/abc/child", problems));
        assertEquals(List.of(), problems);
        assertEquals("/sys/fs/cgroup/memory", CgroupResolver.map(docker, "/docker/abcdef", problems),
                "/docker/abc is not a prefix of /docker/abcdef");
        assertEquals(1, problems.size());
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
