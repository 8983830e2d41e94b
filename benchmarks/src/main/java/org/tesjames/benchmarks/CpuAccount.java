package org.tesjames.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * CPU time and allocated bytes of this JVM over a stretch of a load run, per group of threads (thread names
 * without their number: {@code inbound-io}, {@code spooler}, the load driver's client pool, ...), plus the
 * process's CPU time outside the Java threads (garbage collection, JIT compilation, the VM). Threads that end
 * within the stretch are not counted. Where throughput is bound by the machine's cores, CPU per message is the
 * cost that throughput ratios hide in noise.
 */
final class CpuAccount {
    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean PROCESS =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    /** CPU nanoseconds and allocated bytes of one thread group (or of the whole process). */
    record Use(long cpuNanos, long allocatedBytes) {
        Use plus(Use other) {
            return new Use(cpuNanos + other.cpuNanos, allocatedBytes + other.allocatedBytes);
        }
    }

    /** One thread's name and what it has used so far. */
    private record Sample(String name, Use use) {
    }

    private final Map<Long, Sample> start;
    private final long processStart;

    private CpuAccount() {
        this.start = snapshot();
        this.processStart = PROCESS.getProcessCpuTime();
    }

    /** Starts counting now. */
    static CpuAccount start() {
        return new CpuAccount();
    }

    /** What each group used since {@link #start}; the group {@code (not Java threads)} is the rest of the process. */
    Map<String, Use> stop() {
        long process = PROCESS.getProcessCpuTime() - processStart;
        Map<String, Use> groups = new TreeMap<>();
        long threads = 0;
        for (Map.Entry<Long, Sample> entry : snapshot().entrySet()) {
            Use now = entry.getValue().use();
            Sample before = start.get(entry.getKey());
            Use used = before == null ? now : new Use(now.cpuNanos() - before.use().cpuNanos(),
                now.allocatedBytes() - before.use().allocatedBytes());
            threads += used.cpuNanos();
            groups.merge(group(entry.getValue().name()), used, Use::plus);
        }
        groups.put("(not Java threads)", new Use(Math.max(0, process - threads), 0));
        groups.put("(process)", new Use(process, groups.values().stream().mapToLong(Use::allocatedBytes).sum()));
        return groups;
    }

    /**
     * CPU time of the process per message, without the threads of the groups {@code leaveOut} (such as the
     * driver's own {@code main} thread, which polls mailboxes between loads).
     */
    static double cpuMicrosPerMessage(Map<String, Use> groups, int messages, String... leaveOut) {
        long cpu = groups.get("(process)").cpuNanos();
        for (String group : leaveOut) {
            cpu -= groups.getOrDefault(group, new Use(0, 0)).cpuNanos();
        }
        return cpu / 1e3 / messages;
    }

    /** Prints the groups that used at least 2 % of the process's CPU, per message. */
    static void print(Map<String, Use> groups, int messages) {
        long process = groups.get("(process)").cpuNanos();
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "          process CPU %.0f us/message,"
            + " allocated %.1f kB/message:", process / 1e3 / messages,
            groups.get("(process)").allocatedBytes() / 1024.0 / messages));
        groups.forEach((group, use) -> {
            if (!group.equals("(process)") && use.cpuNanos() * 50 >= process) {
                line.append(String.format(Locale.ROOT, " %s %.0f us/%.1f kB;", group, use.cpuNanos() / 1e3 / messages,
                    use.allocatedBytes() / 1024.0 / messages));
            }
        });
        System.out.println(line);
    }

    private static Map<Long, Sample> snapshot() {
        Map<Long, Sample> samples = new HashMap<>();
        long[] ids = THREADS.getAllThreadIds();
        long[] cpu = THREADS.getThreadCpuTime(ids);
        long[] allocated = THREADS.getThreadAllocatedBytes(ids);
        ThreadInfo[] infos = THREADS.getThreadInfo(ids);
        for (int i = 0; i < ids.length; i++) {
            if (infos[i] != null && cpu[i] >= 0) {
                samples.put(ids[i], new Sample(infos[i].getThreadName(), new Use(cpu[i], Math.max(0, allocated[i]))));
            }
        }
        return samples;
    }

    private static String group(String name) {
        return name.replaceAll("[-#]?\\d+$", "").replaceAll("^pool-\\d+-thread$", "pool-thread");
    }
}
