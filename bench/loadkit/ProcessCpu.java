import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Where a Linux machine's cores went between two samples, from {@code /proc}: named processes (the services under
 * test), every PostgreSQL process (backends split by the database they serve, because the server may be shared
 * with other work), Redis, this generator, and everything else. CPU time is utime + stime of every thread of a
 * process; a process that starts between the samples counts in full, one that exits is lost.
 */
public final class ProcessCpu {

    private static final double TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux this runs on

    /** Per-pid CPU ticks and the label each pid counts under, plus the machine's busy/total ticks. */
    public record Sample(long at, long machineBusy, long machineTotal, Map<Long, Long> ticks, Map<Long, String> labels) {
    }

    private final Map<Long, String> named;
    private final List<String> databases;

    /**
     * @param named     label by pid, for the processes under test
     * @param databases database names whose PostgreSQL backends are counted as {@code postgres/<name>}; backends of
     *                  other databases and the server's own processes count as {@code postgres/other}
     */
    public ProcessCpu(Map<String, Long> named, List<String> databases) {
        this.named = new HashMap<>();
        named.forEach((label, pid) -> this.named.put(pid, label));
        this.databases = databases;
    }

    public Sample take() {
        long[] machine = machineTicks();
        Map<Long, Long> ticks = new HashMap<>();
        Map<Long, String> labels = new HashMap<>();
        long self = ProcessHandle.current().pid();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path dir : procs) {
                long pid = Long.parseLong(dir.getFileName().toString());
                String stat = read(dir.resolve("stat"));
                if (stat == null) {
                    continue; // gone
                }
                String label = label(pid, self, stat, dir);
                if (label != null) {
                    labels.put(pid, label);
                    ticks.put(pid, cpuTicks(stat));
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: only machine figures (zero) remain
        }
        return new Sample(System.nanoTime(), machine[0], machine[1], ticks, labels);
    }

    private String label(long pid, long self, String stat, Path dir) {
        if (named.containsKey(pid)) {
            return named.get(pid);
        }
        if (pid == self) {
            return "generator";
        }
        String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        if (comm.equals("postgres")) {
            String cmdline = read(dir.resolve("cmdline"));
            for (String db : databases) {
                if (cmdline != null && (" " + cmdline.replace('\0', ' ') + " ").contains(" " + db + " ")) {
                    return "postgres/" + db;
                }
            }
            return "postgres/other";
        }
        return comm.startsWith("redis-server") ? "redis" : null;
    }

    /**
     * Average cores used between {@code before} and {@code after} by label, in insertion order: the named
     * processes, {@code postgres} (all), each {@code postgres/<database>}, {@code postgres/other}, {@code redis},
     * {@code generator}, {@code other} (the rest of the machine) and {@code machine} (everything).
     */
    public Map<String, Double> cores(Sample before, Sample after) {
        double seconds = (after.at() - before.at()) / 1e9;
        Map<String, Double> cores = new LinkedHashMap<>();
        named.values().forEach(label -> cores.put(label, 0.0));
        cores.put("postgres", 0.0);
        databases.forEach(db -> cores.put("postgres/" + db, 0.0));
        cores.put("postgres/other", 0.0);
        cores.put("redis", 0.0);
        cores.put("generator", 0.0);
        double accounted = 0;
        for (Map.Entry<Long, Long> e : after.ticks().entrySet()) {
            long used = e.getValue() - before.ticks().getOrDefault(e.getKey(), 0L);
            double c = used / TICKS_PER_SECOND / seconds;
            String label = after.labels().get(e.getKey());
            cores.merge(label, c, Double::sum);
            if (label.startsWith("postgres/")) {
                cores.merge("postgres", c, Double::sum);
            }
            accounted += c;
        }
        long total = after.machineTotal() - before.machineTotal();
        double machine = total == 0 ? Double.NaN
                : (double) (after.machineBusy() - before.machineBusy()) / total
                        * Runtime.getRuntime().availableProcessors();
        cores.put("other", Math.max(0, machine - accounted));
        cores.put("machine", machine);
        return cores;
    }

    /** Starts sampling every {@code every} on a daemon thread: the CPU of each window, for a phase's timeline. */
    public Timeline timeline(Duration every) {
        return new Timeline(every);
    }

    /** CPU per window of a fixed length, from its start until {@link #stop()}. */
    public final class Timeline {
        private final List<Map<String, Double>> windows = new CopyOnWriteArrayList<>();
        private final Thread thread;

        private Timeline(Duration every) {
            Sample first = take();
            thread = Thread.ofPlatform().daemon().name("cpu-timeline").start(() -> sample(first, every));
        }

        private void sample(Sample first, Duration every) {
            Sample previous = first;
            for (int k = 1;; k++) {
                long wait = first.at() + k * every.toNanos() - System.nanoTime();
                try {
                    Thread.sleep(Duration.ofNanos(Math.max(0, wait)));
                } catch (InterruptedException e) {
                    return;
                }
                Sample now = take();
                windows.add(cores(previous, now));
                previous = now;
            }
        }

        /** Stops sampling; the windows completed so far (a last partial window is dropped). */
        public List<Map<String, Double>> stop() throws InterruptedException {
            thread.interrupt();
            thread.join();
            return List.copyOf(windows);
        }
    }

    /** utime + stime: fields 14 and 15 of /proc/pid/stat, counted after the parenthesised command name. */
    private static long cpuTicks(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** Busy and total ticks of all cores from the first line of /proc/stat (idle and iowait are not busy). */
    private static long[] machineTicks() {
        String stat = read(Path.of("/proc/stat"));
        if (stat == null) {
            return new long[2];
        }
        String[] f = stat.substring(0, stat.indexOf('\n')).trim().split("\\s+");
        long busy = 0;
        long total = 0;
        for (int i = 1; i < f.length && i <= 8; i++) {
            long v = Long.parseLong(f[i]);
            total += v;
            if (i != 4 && i != 5) {
                busy += v;
            }
        }
        return new long[] { busy, total };
    }

    private static String read(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
    }
}
