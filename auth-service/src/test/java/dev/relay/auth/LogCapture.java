package dev.relay.auth;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.jboss.logmanager.formatters.PatternFormatter;

/**
 * Test helper: while open, captures every record reaching the root logger as the text an operator could see: the
 * formatted message, the raw pattern, each parameter, and any stack trace.
 */
public final class LogCapture extends Handler implements AutoCloseable {

    /** The message with its parameters applied, whatever the formatting style of the record. */
    private static final PatternFormatter FORMATTED = new PatternFormatter("%s");

    private final Queue<String> lines = new ConcurrentLinkedQueue<>();
    private final Logger root = Logger.getLogger("");

    private LogCapture() {
        setLevel(Level.ALL);
    }

    public static LogCapture start() {
        LogCapture capture = new LogCapture();
        capture.root.addHandler(capture);
        return capture;
    }

    /** Everything captured so far, one entry per record. */
    public List<String> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void publish(LogRecord record) {
        StringBuilder text = new StringBuilder(FORMATTED.format(record)).append('\n').append(record.getMessage());
        if (record.getParameters() != null) {
            for (Object parameter : record.getParameters()) {
                text.append('\n').append(parameter);
            }
        }
        if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(trace));
            text.append('\n').append(trace);
        }
        lines.add(text.toString());
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        root.removeHandler(this);
    }
}
