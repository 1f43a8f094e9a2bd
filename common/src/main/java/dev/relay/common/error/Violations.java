package dev.relay.common.error;

import java.util.Comparator;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;

/** Turns Bean Validation violations into the one-line "field: message" the contract's 400s carry. */
final class Violations {

    private static final PropertyNamingStrategies.NamingBase SNAKE_CASE = new PropertyNamingStrategies.SnakeCaseStrategy();

    private Violations() {
    }

    /** The first violation in a stable order, as {@code max_agents: must be greater than or equal to 0}. */
    static Optional<String> firstMessage(Set<? extends ConstraintViolation<?>> violations) {
        return violations == null
                ? Optional.empty()
                : violations.stream()
                        .map(v -> field(v.getPropertyPath()) + ": " + v.getMessage())
                        .min(Comparator.naturalOrder());
    }

    /** Whether a violation is on a method's return value: our bug, not the client's. */
    static boolean anyOnReturnValue(Set<? extends ConstraintViolation<?>> violations) {
        return violations != null && violations.stream()
                .anyMatch(v -> nodes(v.getPropertyPath()).anyMatch(n -> n.getKind() == ElementKind.RETURN_VALUE));
    }

    private static String field(Path path) {
        String last = nodes(path).reduce((first, second) -> second).map(Path.Node::getName).orElse(null);
        return last == null || last.isBlank() ? "request" : SNAKE_CASE.translate(last);
    }

    private static Stream<Path.Node> nodes(Path path) {
        return path == null
                ? Stream.empty()
                : StreamSupport.stream(path.spliterator(), false);
    }
}
