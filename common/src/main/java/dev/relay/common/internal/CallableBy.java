package dev.relay.common.internal;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** The services allowed to call an `/internal` route, checked against the caller's service JWT. */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface CallableBy {

    /** Service names, e.g. "observer-gateway". */
    String[] value();
}
