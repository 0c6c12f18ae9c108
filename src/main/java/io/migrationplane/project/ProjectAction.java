package io.migrationplane.project;

/** The actions a user can take on a project; which ones a status permits is {@link ProjectStatus}'s business. */
public enum ProjectAction {
    START, PAUSE, RESUME, SWITCHOVER, RELEASE, DELETE, CLONE, RESTORE;

    public String verb() {
        return name().toLowerCase();
    }
}
