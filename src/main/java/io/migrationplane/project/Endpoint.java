package io.migrationplane.project;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;

/** A source or destination database. The password is stored for the workers and never returned. */
@Embeddable
public class Endpoint {

    @Enumerated(EnumType.STRING)
    public EndpointType type;
    public String host;
    public Integer port;
    @Column(name = "database")
    public String database;
    public String username;
    public String password;

    public Endpoint copy() {
        Endpoint e = new Endpoint();
        e.type = type;
        e.host = host;
        e.port = port;
        e.database = database;
        e.username = username;
        e.password = password;
        return e;
    }
}
