import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** The {@code --name value} arguments a bench client takes, and the {@code a=1,b=2} lists some of them hold. */
public final class Args {

    private final Map<String, String> values;

    private Args(Map<String, String> values) {
        this.values = values;
    }

    /** Every argument must be {@code --name value}; anything else is an {@link IllegalArgumentException}. */
    public static Args parse(String[] args) {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("unexpected argument " + args[i]);
            }
            values.put(args[i].substring(2), args[++i]);
        }
        return new Args(values);
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    public String get(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    public String required(String name) {
        String value = values.get(name);
        if (value == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return value;
    }

    public int integer(String name, int fallback) {
        return Integer.parseInt(get(name, Integer.toString(fallback)).trim());
    }

    /** {@code a=1,b=2} in order; items without {@code =} are skipped. */
    public static Map<String, String> pairs(String list) {
        Map<String, String> pairs = new LinkedHashMap<>();
        for (String pair : list.split(",")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                pairs.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
            }
        }
        return pairs;
    }

    /** The argument {@code name} as {@code label=pid} pairs, in order. */
    public Map<String, Long> pids(String name) {
        Map<String, Long> pids = new LinkedHashMap<>();
        pairs(get(name, "")).forEach((label, pid) -> pids.put(label, Long.parseLong(pid)));
        return pids;
    }
}
