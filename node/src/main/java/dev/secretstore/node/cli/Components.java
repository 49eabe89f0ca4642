package dev.secretstore.node.cli;

import java.util.List;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/** Where the command line finds the key server runtime; {@link #fromServiceLoader()} in production, fakes in tests. */
public interface Components {
    Optional<NodeRunner> nodeRunner();

    /** Looks the runtimes up with {@link ServiceLoader} on the class path of the CLI. */
    static Components fromServiceLoader() {
        return new Components() {
            @Override
            public Optional<NodeRunner> nodeRunner() {
                return single(NodeRunner.class);
            }
        };
    }

    /** The one registered implementation, none, or an error when several are registered. */
    static <T> Optional<T> single(Class<T> type) {
        List<ServiceLoader.Provider<T>> found;
        try {
            found = ServiceLoader.load(type, Components.class.getClassLoader()).stream().toList();
        } catch (ServiceConfigurationError e) {
            throw new IllegalStateException("the " + type.getSimpleName() + " registration is broken: " + e.getMessage(), e);
        }
        if (found.size() > 1) {
            throw new IllegalStateException("several implementations of " + type.getSimpleName() + " are on the class path: "
                    + found.stream().map(p -> p.type().getName()).collect(Collectors.joining(", ")));
        }
        try {
            return found.stream().findFirst().map(ServiceLoader.Provider::get);
        } catch (ServiceConfigurationError e) {
            throw new IllegalStateException("the " + type.getSimpleName() + " implementation cannot be created: " + e.getMessage(), e);
        }
    }
}
