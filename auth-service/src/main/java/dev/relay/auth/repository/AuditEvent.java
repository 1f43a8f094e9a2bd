package dev.relay.auth.repository;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** One audited credential event: a mint, rotation, revocation or refused verification. Never holds a secret. */
@Entity
@Table(name = "audit_events")
public class AuditEvent extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "occurred_at")
    public Instant occurredAt;

    public String event;
    public String reason;
    public String kind;

    @Column(name = "hash_prefix", columnDefinition = "bpchar(8)")
    public String hashPrefix;

    @Column(name = "workspace_id")
    public String workspaceId;

    @Column(name = "credential_id")
    public String credentialId;

    @Column(name = "calling_service")
    public String callingService;

    @Column(name = "remote_host")
    public String remoteHost;
}
