package dev.relay.workspace.service;

import org.hibernate.exception.ConstraintViolationException;

/** Recognises a lost race on a unique constraint: a concurrent request inserted the same name between check and insert. */
final class UniqueViolation {

    private UniqueViolation() {
    }

    static boolean of(Throwable failure, String constraint) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConstraintViolationException violation
                    && constraint.equals(violation.getConstraintName())) {
                return true;
            }
        }
        return false;
    }
}
