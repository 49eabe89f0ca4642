package dev.secretstore.protocol.key;

class InMemoryKeyStorageTest extends KeyStorageContract {
    @Override
    protected KeyStorage open() {
        return new InMemoryKeyStorage(N1);
    }

    @Override
    protected KeyStorage reopen() {
        return storage;
    }
}
