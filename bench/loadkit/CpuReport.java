import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@link ProcessCpu#cores} in words, for a bench's output: one line per phase, a few words per timeline window, and
 * the {@code cpu_*} keys of its RESULT lines.
 */
public record CpuReport(Set<String> processes, Map<String, String> databases) {

    /** "CPU (cores busy on average, of 2): machine 1.90 = gateway 0.30 + ... + everything else 0.10". */
    public String describe(Map<String, Double> cores) {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
                "CPU (cores busy on average, of %d): machine %.2f =", Runtime.getRuntime().availableProcessors(),
                cores.get("machine")));
        String sep = " ";
        for (String p : processes) {
            s.append(String.format(Locale.ROOT, "%s%s %.2f", sep, p, cores.get(p)));
            sep = " + ";
        }
        s.append(String.format(Locale.ROOT, " + postgres %.2f (", cores.get("postgres")));
        databases.forEach((label, db) -> s.append(String.format(Locale.ROOT, "%s db %.2f, ", label,
                cores.get("postgres/" + db))));
        s.append(String.format(Locale.ROOT, "server and other databases %.2f)", cores.get("postgres/other")));
        s.append(String.format(Locale.ROOT, " + redis %.2f + load generator %.2f + everything else %.2f",
                cores.get("redis"), cores.get("generator"), cores.get("other")));
        return s.toString();
    }

    /** One window's cores in a few words: "cores: gateway 0.13 ... postgres 0.41 else 0.58". */
    public String brief(Map<String, Double> cores) {
        StringBuilder s = new StringBuilder("cores:");
        for (String p : processes) {
            s.append(String.format(Locale.ROOT, " %s %.2f", p, cores.get(p)));
        }
        return s.append(String.format(Locale.ROOT, " postgres %.2f else %.2f", cores.get("postgres"),
                cores.get("other"))).toString();
    }

    /** " cpu_gateway=0.30 cpu_pg_workspace=0.12 ...": the cores as RESULT-line fields. */
    public String fields(Map<String, Double> cores) {
        StringBuilder line = new StringBuilder();
        cores.forEach((label, c) -> line.append(String.format(Locale.ROOT, " cpu_%s=%.2f", key(label), c)));
        return line.toString();
    }

    /** A RESULT key for a CPU label: postgres/relay_workspace_bench becomes pg_workspace. */
    public String key(String label) {
        for (Map.Entry<String, String> db : databases.entrySet()) {
            if (label.equals("postgres/" + db.getValue())) {
                return "pg_" + db.getKey();
            }
        }
        return label.replace("postgres/", "pg_");
    }
}
