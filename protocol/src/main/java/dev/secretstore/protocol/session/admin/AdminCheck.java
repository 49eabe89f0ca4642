package dev.secretstore.protocol.session.admin;

import dev.secretstore.crypto.H256;
import dev.secretstore.crypto.PublicPoint;
import dev.secretstore.crypto.auth.Authorization;
import dev.secretstore.crypto.auth.ClusterId;
import dev.secretstore.crypto.auth.Operation;
import dev.secretstore.protocol.NodeId;
import dev.secretstore.protocol.Requester;
import dev.secretstore.protocol.SecretStoreException;
import dev.secretstore.protocol.SecretStoreException.Kind;
import dev.secretstore.protocol.auth.Credential;
import dev.secretstore.protocol.auth.ReplayGuard;
import dev.secretstore.protocol.auth.RequesterCheck;
import dev.secretstore.protocol.auth.WallClock;
import dev.secretstore.protocol.session.ClusterView;
import dev.secretstore.protocol.session.refresh.RefreshAuthorization;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Whether the administrator authorized a servers-set change or a share refresh, on this member (SEC-24, SEC-32,
 * docs/auth.md §7): either a fresh authorization by {@code admin_public} for {@link Operation#CHANGE_SERVERS_SET} /
 * {@link Operation#REFRESH_SHARES} (key id zero, the operation's params), checked for this cluster, its expiry and its
 * nonce (spent on {@code use}, so a second request with it is refused by every member that saw the first) — or, only
 * where this member's legacy policy is {@code all}, Parity's bare signatures. An authorization that is present but bad
 * is refused; the bare signatures are then not looked at (no fallback).
 */
public record AdminCheck(AdminPolicy policy, RequesterCheck requesters) {
    /** The key id field of an administrative authorization. */
    public static final H256 NO_KEY = H256.fromBytes(new byte[32]);

    public AdminCheck {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(requesters, "requesters");
    }

    /** Parity's behaviour (bare signatures accepted, legacy policy {@code all}) for a cluster identified by its members. */
    public static AdminCheck parityCompatible(AdminPolicy policy, ClusterView cluster) {
        List<PublicPoint> members = new ArrayList<>();
        for (NodeId m : cluster.members()) members.add(m.publicKey());
        return new AdminCheck(policy, new RequesterCheck(RequesterCheck.Settings.parityCompatible(ClusterId.ofMembers(members)),
                WallClock.SYSTEM, new ReplayGuard()));
    }

    /**
     * The refusal of a servers-set change from {@code oldSet} to {@code newSet}, or empty if authorized; spends the
     * authorization's nonce on {@code use}.
     */
    public Optional<SecretStoreException> setChange(Collection<NodeId> oldSet, Collection<NodeId> newSet, byte[] oldSetSignature,
                                                    byte[] newSetSignature, Optional<Authorization> authorization, Object use) {
        if (policy.adminPublic().isEmpty()) return Optional.of(SecretStoreException.of(Kind.ACCESS_DENIED));
        if (authorization.isPresent()) {
            H256 params = Operation.serversSetParams(oldSet.stream().map(NodeId::publicKey).toList(),
                    newSet.stream().map(NodeId::publicKey).toList());
            return fresh(Operation.CHANGE_SERVERS_SET, params, authorization.get(), use);
        }
        if (!requesters.settings().legacy().allowsStatic(Operation.CHANGE_SERVERS_SET)) return Optional.of(freshRequired("servers-set change"));
        return policy.authorizes(oldSet, newSet, oldSetSignature, newSetSignature) ? Optional.empty()
                : Optional.of(SecretStoreException.of(Kind.CONSENSUS_UNREACHABLE));
    }

    /** The refusal of a share refresh of {@code keyIds} (no duplicates), or empty if authorized; spends the authorization's nonce on {@code use}. */
    public Optional<SecretStoreException> refresh(Collection<H256> keyIds, byte[] signature, Optional<Authorization> authorization, Object use) {
        if (policy.adminPublic().isEmpty()) return Optional.of(SecretStoreException.of(Kind.ACCESS_DENIED));
        if (new TreeSet<>(keyIds).size() != keyIds.size()) return Optional.of(SecretStoreException.of(Kind.CONSENSUS_UNREACHABLE));
        if (authorization.isPresent()) {
            return fresh(Operation.REFRESH_SHARES, RefreshAuthorization.message(keyIds), authorization.get(), use);
        }
        if (!requesters.settings().legacy().allowsStatic(Operation.REFRESH_SHARES)) return Optional.of(freshRequired("share refresh"));
        return RefreshAuthorization.authorizes(policy, keyIds, signature) ? Optional.empty()
                : Optional.of(SecretStoreException.of(Kind.CONSENSUS_UNREACHABLE));
    }

    private Optional<SecretStoreException> fresh(Operation op, H256 params, Authorization authorization, Object use) {
        Requester signer;
        try {
            signer = requesters.claim(new Credential.Fresh(authorization), op, NO_KEY, params, use);
        } catch (SecretStoreException e) {
            return Optional.of(e); // bad, expired, replayed, re-targeted (400) or nonce memory full (retryable)
        }
        // a valid authorization by someone else: refused like a signature that does not recover to admin_public
        return signer.publicKey().equals(policy.adminPublic().get()) ? Optional.empty()
                : Optional.of(SecretStoreException.of(Kind.CONSENSUS_UNREACHABLE));
    }

    private SecretStoreException freshRequired(String what) {
        return SecretStoreException.of(Kind.FRESH_AUTHORIZATION_REQUIRED, "this key server accepts the administrator's " + what
                + " only with a " + Authorization.HEADER + " header (legacy_requester_signatures = "
                + requesters.settings().legacy().configName() + "; operation " + (what.startsWith("servers") ? 9 : 10) + ", cluster 0x"
                + requesters.settings().clusterId().toHex() + ", docs/auth.md §7)");
    }
}
