package dev.relay.delivery.support;

import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Rows (`for update`) or a whole table held locked in a transaction of the test's own until closed: a statement of the
 * service that needs them waits that long, which keeps a group-commit flush in flight without depending on timing.
 */
public final class RowLock implements AutoCloseable {

    private final SqlConnection connection;
    private final Transaction transaction;

    private RowLock(SqlConnection connection, Transaction transaction) {
        this.connection = connection;
        this.transaction = transaction;
    }

    /** Locks the rows {@code select} (a `select ... for update` taking one argument) names. */
    public static RowLock hold(Pool pool, String select, Object arg) {
        SqlConnection connection = pool.getConnection().await().indefinitely();
        Transaction transaction = connection.begin().await().indefinitely();
        connection.preparedQuery(select).execute(Tuple.of(arg)).await().indefinitely();
        return new RowLock(connection, transaction);
    }

    /**
     * Holds {@code table} in share mode: reads go on, every statement that would change it waits (even one that skips
     * locked rows, which a row lock would not hold up).
     */
    public static RowLock table(Pool pool, String table) {
        SqlConnection connection = pool.getConnection().await().indefinitely();
        Transaction transaction = connection.begin().await().indefinitely();
        connection.query("lock table " + table + " in share mode").execute().await().indefinitely();
        return new RowLock(connection, transaction);
    }

    @Override
    public void close() {
        transaction.commit().await().indefinitely();
        connection.close().await().indefinitely();
    }
}
