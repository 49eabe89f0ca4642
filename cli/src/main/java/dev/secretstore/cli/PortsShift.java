package dev.secretstore.cli;

/** {@code --ports-shift K} of {@code dev} and {@code init-cluster}: K is added to every port, like Parity's option of that name. */
public final class PortsShift {
    public static final String OPTION = "--ports-shift";

    private PortsShift() {}

    /**
     * {@code port + shift}.
     *
     * @param what the port, for the error ("HTTP API port of node 2")
     * @throws IllegalArgumentException naming the option when {@code shift} is negative or the shifted port passes 65535
     */
    public static int shift(int shift, int port, String what) {
        if (shift < 0) throw new IllegalArgumentException(OPTION + " must be 0 or more, got " + shift);
        long shifted = (long) port + shift;
        if (shifted > 65535) {
            throw new IllegalArgumentException(OPTION + " " + shift + " moves the " + what + " from " + port + " to " + shifted
                    + "; every port must be at most 65535, so " + OPTION + " can be at most " + (65535 - port));
        }
        return (int) shifted;
    }
}
