package dev.relay.common.error;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Collects the records one logger emits during a test. */
final class CapturedLog extends Handler implements AutoCloseable {

    private final Logger logger;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    private CapturedLog(Logger logger) {
        this.logger = logger;
    }

    static CapturedLog of(Class<?> source) {
        CapturedLog log = new CapturedLog(Logger.getLogger(source.getName()));
        log.logger.addHandler(log);
        return log;
    }

    List<LogRecord> records() {
        return records;
    }

    /** The record's message with its parameters applied, whichever formatting style the backend used. */
    String text(int index) {
        LogRecord record = records.get(index);
        Object[] parameters = record.getParameters();
        return parameters == null || parameters.length == 0
                ? record.getMessage()
                : String.format(record.getMessage(), parameters);
    }

    @Override
    public void publish(LogRecord record) {
        records.add(record);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
