package dev.secretstore.crypto;

/** The pure-Java backend against the backend contract. */
class JavaBackendTest extends AbstractBackendContractTest {
    @Override
    CurveBackend backend() {
        return CurveBackends.java();
    }
}
