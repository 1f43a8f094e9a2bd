package dev.relay.common.event;

import java.util.List;

/**
 * JavaScript's {@code String.prototype.trim} and {@code JSON.stringify} for string arrays, reproduced because the
 * stable event id hashes their exact output and Java's own {@code trim}/{@code strip} differ from JS's.
 */
final class JavaScriptStrings {

    private JavaScriptStrings() {
    }

    /** Removes ECMAScript WhiteSpace and LineTerminator characters from both ends. */
    static String trim(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isJavaScriptWhitespace(s.charAt(start))) {
            start++;
        }
        while (end > start && isJavaScriptWhitespace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }

    /** {@code JSON.stringify(strings)}: no spaces, ES2019 well-formed escaping, non-ASCII and '/' left as they are. */
    static String stringify(List<String> strings) {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < strings.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            quote(strings.get(i), out);
        }
        return out.append(']').toString();
    }

    private static void quote(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || isLoneSurrogate(s, i)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static boolean isLoneSurrogate(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
        }
        if (Character.isLowSurrogate(c)) {
            return i == 0 || !Character.isHighSurrogate(s.charAt(i - 1));
        }
        return false;
    }

    private static boolean isJavaScriptWhitespace(char c) {
        return switch (c) {
            case '\t', '\n', 0x0B, '\f', '\r', ' ', 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF ->
                true;
            default -> c >= 0x2000 && c <= 0x200A;
        };
    }
}
