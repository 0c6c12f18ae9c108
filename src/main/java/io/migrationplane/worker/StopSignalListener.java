package io.migrationplane.worker;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

import io.migrationplane.project.lifecycle.Transitions;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.pubsub.PgSubscriber;
import io.vertx.pgclient.PgConnectOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * LISTENs for the stop announcements that pause, release and delete commit, so that the workers
 * of a project stop on whichever replica they run, without waiting for the next refused checkpoint.
 * It reconnects by itself; while it is down, the fenced checkpoint is the (one tick slower) fallback.
 */
@ApplicationScoped
class StopSignalListener {

    private static final Logger LOG = Logger.getLogger(StopSignalListener.class);

    private final Vertx vertx;
    private final WorkerSupervisor supervisor;
    private final WorkerSettings settings;
    private final Optional<String> url;
    private final Optional<String> username;
    private final Optional<String> password;
    private PgSubscriber subscriber;
    private volatile boolean stopping;

    StopSignalListener(Vertx vertx, WorkerSupervisor supervisor, WorkerSettings settings,
            @ConfigProperty(name = "quarkus.datasource.reactive.url") Optional<String> url,
            @ConfigProperty(name = "quarkus.datasource.username") Optional<String> username,
            @ConfigProperty(name = "quarkus.datasource.password") Optional<String> password) {
        this.vertx = vertx;
        this.supervisor = supervisor;
        this.settings = settings;
        this.url = url;
        this.username = username;
        this.password = password;
    }

    void onStart(@Observes StartupEvent event) {
        if (!settings.enabled() || url.isEmpty()) {
            return;
        }
        PgConnectOptions options = PgConnectOptions.fromUri(url.get().replaceFirst("^vertx-reactive:", ""));
        username.ifPresent(options::setUser);
        password.ifPresent(options::setPassword);
        subscriber = PgSubscriber.subscriber(vertx, options)
                .reconnectPolicy(retries -> Duration.ofMillis(500).toMillis());
        subscriber.channel(Transitions.STOP_CHANNEL)
                .handler(payload -> {
                    UUID projectId;
                    try {
                        projectId = UUID.fromString(payload);
                    } catch (IllegalArgumentException e) {
                        LOG.warnf("Ignoring stop signal with payload '%s'", payload);
                        return;
                    }
                    supervisor.onStopSignal(projectId).subscribe().with(
                            ok -> { },
                            e -> LOG.warnf("Stopping project %s after its signal failed: %s", projectId, e.toString()));
                });
        subscriber.closeHandler(() -> {
            if (!stopping) {
                LOG.warn("Stop-signal connection lost for good; reconnecting (lease checks cover the gap)");
                vertx.setTimer(1000, id -> connect());
            }
        });
        connect();
    }

    /** The first connection is retried until it succeeds; PgSubscriber itself only retries after a success. */
    private void connect() {
        if (stopping) {
            return;
        }
        subscriber.connect().subscribe().with(
                ok -> LOG.infof("Listening for stop signals on channel %s", Transitions.STOP_CHANNEL),
                e -> {
                    LOG.warnf("Could not LISTEN for stop signals (retrying; lease checks cover the gap): %s", e.toString());
                    vertx.setTimer(1000, id -> connect());
                });
    }

    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
        if (subscriber != null) {
            subscriber.closeAndForget();
        }
    }
}
