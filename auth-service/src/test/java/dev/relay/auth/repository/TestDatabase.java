package dev.relay.auth.repository;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Test helper: plain SQL over the service's own JDBC datasource, for rows the API cannot produce (legacy credentials,
 * old audit events) and for reading what the service wrote.
 */
@ApplicationScoped
public class TestDatabase {

    private final DataSource dataSource;

    TestDatabase(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** One row of {@code audit_events}. */
    public record AuditRow(long id, String event, String reason, String kind, String hashPrefix, String workspaceId,
            String credentialId, String callingService, String remoteHost) {
    }

    /** Inserts a credential as an older schema or an importer would have written it. */
    public void insertCredential(String id, String kind, String workspaceId, String subjectId, String tokenHash,
            String displayPrefix) {
        update("INSERT INTO credentials (id, kind, workspace_id, subject_id, token_hash, display_prefix, created_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, now())", id, kind, workspaceId, subjectId, tokenHash, displayPrefix);
    }

    public void deleteCredential(String id) {
        update("DELETE FROM credentials WHERE id = ?", id);
    }

    /** Inserts an audit row that occurred at {@code occurredAt}; returns its id. */
    public long insertAuditEvent(String event, Instant occurredAt) {
        List<Long> ids = query("INSERT INTO audit_events (occurred_at, event) VALUES (?, ?) RETURNING id",
                rs -> rs.getLong(1), Timestamp.from(occurredAt), event);
        return ids.getFirst();
    }

    /** Inserts {@code count} audit rows that occurred at {@code occurredAt}, in one statement. */
    public void insertAuditEvents(String event, Instant occurredAt, int count) {
        update("INSERT INTO audit_events (occurred_at, event) SELECT ?, ? FROM generate_series(1, ?)",
                Timestamp.from(occurredAt), event, count);
    }

    /** How many audit rows with this event name occurred before {@code before}. */
    public long countAuditEventsBefore(String event, Instant before) {
        return query("SELECT count(*) FROM audit_events WHERE event = ? AND occurred_at < ?", rs -> rs.getLong(1),
                event, Timestamp.from(before)).getFirst();
    }

    /** A credential's stored {@code last_used_at}, or null. */
    public Instant lastUsedAt(String credentialId) {
        List<Timestamp> times = query("SELECT last_used_at FROM credentials WHERE id = ?", rs -> rs.getTimestamp(1),
                credentialId);
        return times.isEmpty() || times.getFirst() == null ? null : times.getFirst().toInstant();
    }

    /** Sets a credential's {@code last_used_at} (null clears it). */
    public void setLastUsedAt(String credentialId, Instant at) {
        update("UPDATE credentials SET last_used_at = ? WHERE id = ?", at == null ? null : Timestamp.from(at),
                credentialId);
    }

    public boolean auditEventExists(long id) {
        return !query("SELECT 1 FROM audit_events WHERE id = ?", rs -> rs.getInt(1), id).isEmpty();
    }

    /** The audit rows of a credential, oldest first. */
    public List<AuditRow> auditOfCredential(String credentialId) {
        return auditWhere("credential_id = ?", credentialId);
    }

    /** The audit rows carrying a hash prefix, oldest first. */
    public List<AuditRow> auditOfHashPrefix(String hashPrefix) {
        return auditWhere("hash_prefix = ?", hashPrefix);
    }

    /** The audit rows from a remote host, oldest first. */
    public List<AuditRow> auditOfRemoteHost(String remoteHost) {
        return auditWhere("remote_host = ?", remoteHost);
    }

    private List<AuditRow> auditWhere(String condition, Object value) {
        return query("SELECT id, event, reason, kind, hash_prefix, workspace_id, credential_id, calling_service,"
                + " remote_host FROM audit_events WHERE " + condition + " ORDER BY id",
                rs -> new AuditRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                        rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9)),
                value);
    }

    private interface RowMapper<T> {
        T map(ResultSet row) throws SQLException;
    }

    private <T> List<T> query(String sql, RowMapper<T> mapper, Object... parameters) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = prepare(connection, sql, parameters);
                ResultSet rows = statement.executeQuery()) {
            List<T> result = new ArrayList<>();
            while (rows.next()) {
                result.add(mapper.map(rows));
            }
            return result;
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    private void update(String sql, Object... parameters) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = prepare(connection, sql, parameters)) {
            statement.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    private static PreparedStatement prepare(Connection connection, String sql, Object... parameters)
            throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        for (int i = 0; i < parameters.length; i++) {
            statement.setObject(i + 1, parameters[i]);
        }
        return statement;
    }
}
