package dev.secretstore.protocol.key;

class InMemoryKeyStorageTest extends KeyStorageContract {
    @Override
    protected KeyStorage open() {
        return new InMemoryKeyStorage();
    }

    @Override
    protected KeyStorage reopen() {
        return storage;
    }
}
