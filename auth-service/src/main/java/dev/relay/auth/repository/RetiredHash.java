package dev.relay.auth.repository;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** The hash of a secret that a rotation replaced: presenting it again is "rotated_out", not "not_found". */
@Entity
@Table(name = "retired_hashes")
public class RetiredHash extends PanacheEntityBase {

    @Id
    @Column(name = "token_hash", columnDefinition = "bpchar(64)")
    public String tokenHash;

    @Column(name = "credential_id")
    public String credentialId;

    @Column(name = "retired_at")
    public Instant retiredAt;
}
