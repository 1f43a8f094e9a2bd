package dev.relay.delivery.service;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.relay.common.error.ErrorCode;
import dev.relay.common.error.RelayException;

/**
 * Where an http_push node may have its deliveries POSTed (§3.10, the "unsafe targets refused"): an http(s) URL
 * whose host is not this machine or its private networks — loopback, link-local (cloud metadata services live there),
 * private, unique-local, unspecified and multicast addresses, and `localhost` names, are refused with 400
 * `unsafe_node_delivery_url` unless `relay.delivery.allow-private-push-targets` is on (local development, tests).
 *
 * <p>
 * Only literal addresses and `localhost` names are judged here, without a DNS lookup: a name that resolves to a
 * private address is judged again ({@link #unsafe(InetAddress)}) when the dispatcher connects.
 */
@ApplicationScoped
public class PushTargets {

    private final boolean allowPrivate;

    PushTargets(
            @ConfigProperty(name = "relay.delivery.allow-private-push-targets", defaultValue = "false") boolean allowPrivate) {
        this.allowPrivate = allowPrivate;
    }

    /** Refuses the URL unless it is a safe push target. */
    public void check(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new RelayException(ErrorCode.INVALID_NODE_DELIVERY, "delivery.url is not a valid URL: " + url);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new RelayException(ErrorCode.INVALID_NODE_DELIVERY, "delivery.url must be an http(s) URL");
        }
        String host = uri.getHost();
        if (host == null || host.isBlank()) {
            throw new RelayException(ErrorCode.INVALID_NODE_DELIVERY, "delivery.url has no host: " + url);
        }
        if (uri.getUserInfo() != null) {
            throw new RelayException(ErrorCode.UNSAFE_NODE_DELIVERY_URL, "delivery.url must not carry credentials; use "
                    + "delivery.auth");
        }
        if (allowPrivate) {
            return;
        }
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        String lower = bare.toLowerCase(Locale.ROOT);
        if (lower.equals("localhost") || lower.endsWith(".localhost") || lower.endsWith(".local")) {
            throw unsafe(host, "a local name");
        }
        if (!literalAddress(bare)) {
            return;
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(bare); // a literal: parsed, never looked up
        } catch (UnknownHostException e) {
            throw new RelayException(ErrorCode.INVALID_NODE_DELIVERY, "delivery.url has an invalid address: " + host);
        }
        String unsafe = unsafe(address);
        if (unsafe != null) {
            throw unsafe(host, unsafe);
        }
    }

    /**
     * Why a push to this (resolved) address is refused, e.g. "a private address", or null when it may be POSTed to.
     * The dispatcher asks this of the address it is about to connect to, so a public name that resolves to a private
     * address is refused too.
     */
    public String unsafe(InetAddress address) {
        if (allowPrivate) {
            return null;
        }
        if (address.isLoopbackAddress()) {
            return "a loopback address";
        }
        if (address.isLinkLocalAddress()) {
            return "a link-local address";
        }
        if (address.isSiteLocalAddress() || uniqueLocal(address) || carrierGrade(address)) {
            return "a private address";
        }
        if (address.isAnyLocalAddress() || address.isMulticastAddress()) {
            return "not a host address";
        }
        return null;
    }

    private static boolean literalAddress(String host) {
        return host.contains(":") || host.matches("[0-9.]+");
    }

    /** fc00::/7 */
    private static boolean uniqueLocal(InetAddress address) {
        byte[] bytes = address.getAddress();
        return bytes.length == 16 && (bytes[0] & 0xfe) == 0xfc;
    }

    /** 100.64.0.0/10, shared address space behind carrier-grade NAT */
    private static boolean carrierGrade(InetAddress address) {
        byte[] bytes = address.getAddress();
        return bytes.length == 4 && (bytes[0] & 0xff) == 100 && (bytes[1] & 0xc0) == 64;
    }

    private static RelayException unsafe(String host, String what) {
        return new RelayException(ErrorCode.UNSAFE_NODE_DELIVERY_URL, "delivery.url host " + host + " is " + what
                + "; push targets must be reachable public hosts (set relay.delivery.allow-private-push-targets for "
                + "local development)");
    }
}
