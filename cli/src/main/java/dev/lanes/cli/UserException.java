package dev.lanes.cli;

/** An error the user can fix; printed as one line, exit code 1. */
final class UserException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UserException(String message) {
        super(message);
    }
}
