package io.migrationplane.http;

import java.time.Duration;

import io.migrationplane.error.ApiProblem;
import io.migrationplane.error.ProblemCode;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.Priority;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * A database that stops answering (rather than refusing connections) must not hang clients: every
 * API call gets at most this long, then 503. A refused connection fails far sooner by itself.
 */
@Deadline
@Interceptor
@Priority(Interceptor.Priority.APPLICATION)
public class DeadlineInterceptor {

    private final Duration timeout;

    public DeadlineInterceptor(@ConfigProperty(name = "migration.http.request-timeout", defaultValue = "10s") Duration timeout) {
        this.timeout = timeout;
    }

    @AroundInvoke
    Object bound(InvocationContext ctx) throws Exception {
        Object result = ctx.proceed();
        if (result instanceof Uni<?> uni) {
            return uni.ifNoItem().after(timeout).failWith(() -> new ApiProblem(ProblemCode.UNAVAILABLE,
                    "The database did not answer within " + timeout.toMillis() + " ms; retry later"));
        }
        return result;
    }
}
