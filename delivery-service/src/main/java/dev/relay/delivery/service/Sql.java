package dev.relay.delivery.service;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import io.vertx.mutiny.sqlclient.Tuple;

/** Small helpers for the SQL client: tuples that may hold nulls, and timestamps as PostgreSQL takes them. */
public final class Sql {

    private Sql() {
    }

    /** A tuple of the values in order; unlike {@code List.of}, nulls are allowed (they bind SQL NULL). */
    public static Tuple tuple(Object... values) {
        Tuple tuple = Tuple.tuple();
        for (Object value : values) {
            tuple.addValue(value);
        }
        return tuple;
    }

    public static OffsetDateTime at(Instant instant) {
        return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
