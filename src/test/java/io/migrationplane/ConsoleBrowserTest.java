package io.migrationplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.migrationplane.testing.Api;
import io.migrationplane.testing.Browser;
import io.migrationplane.testing.Fixtures;
import io.migrationplane.testing.Sql;
import io.migrationplane.testing.PostgresResource;
import io.migrationplane.testing.Tokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * The web console in headless Chromium against the running service: the list, its filters, the More
 * menu per status, release and delete through their dialogs, the details page, clone, batch release,
 * the create form's API messages, and a phone-width screen.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class ConsoleBrowserTest {

    private static Browser browser;

    @TestHTTPResource("/")
    URL root;

    @BeforeAll
    static void startBrowser() throws Exception {
        browser = Browser.start();
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    /** Access control is on: the console carries the token pasted into its sign-in dialog (kept per tab). */
    @BeforeEach
    void signInAsAdmin() {
        signIn(Tokens.token("console-admin", "admin"));
    }

    private void signIn(String token) {
        browser.open(root + "#/projects?q=nothing-yet");
        if (token == null) {
            browser.script("sessionStorage.removeItem('migration-plane.token');");
        } else {
            browser.script("sessionStorage.setItem('migration-plane.token', arguments[0]);", token);
        }
    }

    /** A project named prefix-…, brought to the status the way a user would. */
    private static String project(String prefix, String status) {
        String id = Api.create(Api.body(Api.uniqueName(prefix)));
        if (status.equals("NOT_STARTED")) {
            return id;
        }
        Api.act(id, "start", 200);
        if (status.equals("RUNNING")) {
            return id;
        }
        Api.act(id, "pause", 200);
        if (status.equals("RELEASED")) {
            Api.act(id, "release", 202);
            Api.awaitStatus(id, "RELEASED", Duration.ofSeconds(10));
        }
        return id;
    }

    private static String suite() {
        return "ui" + UUID.randomUUID().toString().substring(0, 6);
    }

    private void openList(String query) {
        browser.open(root + "#/projects" + (query.isEmpty() ? "" : "?" + query));
        browser.driver.navigate().refresh();
    }

    private WebElement row(String id) {
        return browser.find("tr[data-id='" + id + "']");
    }

    private String rowStatus(String id) {
        List<WebElement> rows = browser.all("tr[data-id='" + id + "']");
        return rows.isEmpty() ? null : rows.get(0).getAttribute("data-status");
    }

    private WebElement openMenu(String id) {
        // The list redraws a row whose data changed; a More button replaced between finding and clicking is found again.
        browser.await(d -> {
            row(id).findElement(By.cssSelector("button.more")).click();
            return true;
        });
        return browser.find("tr[data-id='" + id + "'] .menu-list");
    }

    private static WebElement item(WebElement menu, String action) {
        return menu.findElement(By.cssSelector("[data-action='" + action + "']"));
    }

    private static boolean disabled(WebElement button) {
        return "true".equals(button.getAttribute("aria-disabled"));
    }

    /** On the create-similar form: names the copy, creates it, waits for its details page; returns its id. */
    private String nameTheCloneAndLandOnIt(String sourceId, String copyName) {
        browser.await(d -> d.getCurrentUrl().endsWith("#/new?from=" + sourceId));
        browser.find("#f-name").sendKeys(copyName);
        browser.find("#create-submit").click();
        browser.await(d -> d.getCurrentUrl().contains("#/projects/") && !d.getCurrentUrl().endsWith(sourceId)
                && browser.text("h1").equals(copyName));
        return browser.driver.getCurrentUrl().replaceAll(".*#/projects/", "");
    }

    private WebElement dialog() {
        return browser.find("#confirm-dialog[open]");
    }

    @Test
    void theListShowsProjectsAndFiltersByStatusAndName() throws Exception {
        String s = suite();
        String idle = project(s + "-idle", "NOT_STARTED");
        String running = project(s + "-run", "RUNNING");
        String paused = project(s + "-hold", "PAUSED");
        openList("q=" + s);
        browser.await(d -> browser.all("tbody tr[data-id]").size() == 3);
        WebElement runningRow = row(running);
        assertTrue(runningRow.getText().contains("RUNNING"));
        assertTrue(runningRow.getText().contains("MYSQL 10.0.0.5"), runningRow.getText());
        assertTrue(runningRow.getText().contains("OCEANBASE_MYSQL 10.0.0.9"));
        assertEquals(1, runningRow.findElements(By.cssSelector("[role=progressbar]")).size());
        assertEquals("3 projects", browser.text("#total"));

        new org.openqa.selenium.support.ui.Select(browser.find("#filter-status")).selectByValue("PAUSED");
        browser.await(d -> browser.all("tbody tr[data-id]").size() == 1 && rowStatus(paused) != null);

        new org.openqa.selenium.support.ui.Select(browser.find("#filter-status")).selectByValue("");
        WebElement search = browser.find("#filter-q");
        search.clear();
        search.sendKeys(s + "-idle");
        browser.await(d -> browser.all("tbody tr[data-id]").size() == 1 && rowStatus(idle) != null);
        search.clear();
        search.sendKeys(s);
        browser.await(d -> browser.all("tbody tr[data-id]").size() == 3);
        browser.screenshot("list");

        search.clear();
        search.sendKeys(s + "-nothing");
        browser.await(d -> browser.text("td.empty").contains("No project matches"));
    }

    @Test
    void theMoreMenuOffersWhatTheStatusAllowsAndSaysWhyTheRestIsNot() {
        String s = suite();
        String running = project(s + "-run", "RUNNING");
        String paused = project(s + "-hold", "PAUSED");
        String idle = project(s + "-idle", "NOT_STARTED");
        openList("q=" + s);
        browser.await(d -> browser.all("tbody tr[data-id]").size() == 3);

        WebElement menu = openMenu(running);
        assertFalse(disabled(item(menu, "PAUSE")));
        assertFalse(disabled(item(menu, "CLONE")));
        for (String action : List.of("START", "RESUME", "RELEASE")) {
            assertTrue(disabled(item(menu, action)), action);
        }
        // Why not, as visible text under the item (a tooltip reaches neither touch screens nor screen readers).
        assertEquals("Release is possible only when the project is paused, failed or completed",
                item(menu, "RELEASE").findElement(By.cssSelector(".menu-reason")).getText());
        assertEquals(item(menu, "RELEASE").findElement(By.cssSelector(".menu-reason")).getAttribute("id"),
                item(menu, "RELEASE").getAttribute("aria-describedby"));
        assertTrue(disabled(item(menu, "DELETE")));
        assertTrue(item(menu, "DELETE").getText().contains("Delete is possible only when"), item(menu, "DELETE").getText());
        assertTrue(row(running).findElements(By.cssSelector(".actions > [data-action='DELETE']")).isEmpty(),
                "no faint Delete on a row that cannot be deleted");
        // A disabled item does nothing: no dialog, no request.
        item(menu, "RELEASE").click();
        assertTrue(browser.all("#confirm-dialog[open]").isEmpty());
        assertEquals("RUNNING", Api.status(running));
        new org.openqa.selenium.interactions.Actions(browser.driver).sendKeys(Keys.ESCAPE).perform();

        menu = openMenu(paused);
        assertFalse(disabled(item(menu, "RESUME")));
        assertFalse(disabled(item(menu, "RELEASE")));
        assertTrue(disabled(item(menu, "PAUSE")));
        assertTrue(disabled(item(menu, "START")));
        new org.openqa.selenium.interactions.Actions(browser.driver).sendKeys(Keys.ESCAPE).perform();

        menu = openMenu(idle);
        assertFalse(disabled(item(menu, "START")));
        assertTrue(disabled(item(menu, "RELEASE")));
        assertFalse(disabled(row(idle).findElement(By.cssSelector(".actions > [data-action='DELETE']"))));
        new org.openqa.selenium.interactions.Actions(browser.driver).sendKeys(Keys.ESCAPE).perform();

        // Keyboard, on the details page (whose header is redrawn only when the project changes): Escape
        // closes the menu and gives the focus back to More; Enter opens it with the focus on the first item.
        browser.open(root + "#/projects/" + idle);
        browser.find(".details-head button.more").click();
        browser.find(".details-head .menu-list");
        new org.openqa.selenium.interactions.Actions(browser.driver).sendKeys(Keys.ESCAPE).perform();
        browser.await(d -> "More ▾".equals(d.switchTo().activeElement().getText()));
        new org.openqa.selenium.interactions.Actions(browser.driver).sendKeys(Keys.ENTER).perform();
        browser.await(d -> "START".equals(d.switchTo().activeElement().getAttribute("data-action")));
        new org.openqa.selenium.interactions.Actions(browser.driver).sendKeys(Keys.ARROW_DOWN).perform();
        assertEquals("PAUSE", browser.driver.switchTo().activeElement().getAttribute("data-action"));
        new org.openqa.selenium.interactions.Actions(browser.driver).sendKeys(Keys.ESCAPE).perform();
    }

    @Test
    void releaseFromPausedGoesThroughTheDialogAndTheRowTurnsReleasedWithoutAReload() throws Exception {
        String s = suite();
        String paused = project(s + "-hold", "PAUSED");
        openList("q=" + s);
        row(paused);
        browser.script("window.__sameDocument = true;");

        item(openMenu(paused), "RELEASE").click();
        WebElement dialog = dialog();
        String text = dialog.getText();
        assertTrue(text.contains("irreversible"), text);
        assertTrue(text.contains("stops the full migration and the incremental synchronization"), text);
        browser.screenshot("release-dialog");
        dialog.findElement(By.id("confirm-ok")).click();

        browser.await(d -> "RELEASED".equals(rowStatus(paused)));
        assertEquals(Boolean.TRUE, browser.script("return window.__sameDocument === true;"), "no page reload");
        assertEquals("RELEASED", Api.status(paused));
        // The "requested" notice does not stay beside the RELEASED badge: it turns into what happened.
        browser.await(d -> browser.text("#notice").contains("released."));
        assertFalse(browser.text("#notice").contains("requested"), browser.text("#notice"));
    }

    @Test
    void aReleaseThatTheServiceRefusesShowsItsReasonAndChangesNothing() {
        String s = suite();
        String paused = project(s + "-race", "PAUSED");
        openList("q=" + s);
        WebElement menu = openMenu(paused);
        // While the menu is open (the list does not refresh under it), someone resumes the project.
        Api.act(paused, "resume", 200);
        item(menu, "RELEASE").click();
        dialog().findElement(By.id("confirm-ok")).click();
        WebElement error = browser.find("#confirm-error");
        assertTrue(error.getText().contains("is RUNNING; release is allowed from PAUSED, FAILED, COMPLETED"), error.getText());
        assertFalse(error.getText().contains("{"), "a sentence, not JSON");
        assertEquals("RUNNING", Api.status(paused));
        dialog().findElement(By.cssSelector("[data-close]")).click();
        browser.await(d -> "RUNNING".equals(rowStatus(paused)));
    }

    @Test
    void deleteNeedsTheExactNameAndTheRowDisappears() throws Exception {
        String s = suite();
        String id = project(s + "-gone", "NOT_STARTED");
        String name = Api.project(id).getString("name");
        openList("q=" + s);
        row(id).findElement(By.cssSelector(".actions > [data-action='DELETE']")).click();
        WebElement dialog = dialog();
        WebElement ok = dialog.findElement(By.id("confirm-ok"));
        WebElement input = dialog.findElement(By.cssSelector("#confirm-body input"));
        assertFalse(ok.isEnabled());
        input.sendKeys(name.toUpperCase());
        assertFalse(ok.isEnabled(), "a name in other case does not confirm");
        input.clear();
        input.sendKeys(name.substring(0, name.length() - 1));
        assertFalse(ok.isEnabled());
        browser.screenshot("delete-dialog");
        input.sendKeys(name.substring(name.length() - 1));
        browser.await(d -> ok.isEnabled());
        assertEquals("Delete", ok.getText());
        ok.click();
        browser.await(d -> browser.all("tr[data-id='" + id + "']").isEmpty());
        io.restassured.RestAssured.given().get(Api.BASE + "/" + id).then().statusCode(404);
    }

    @Test
    void theDetailsPageShowsConfigurationProgressAndTrailLiveAndClonesAReleasedProject() throws Exception {
        String s = suite();
        String running = project(s + "-live", "RUNNING");
        browser.open(root + "#/projects/" + running);
        browser.await(d -> browser.text("#steps").contains("Full migration"));
        String before = browser.text("#rows");
        browser.await(d -> !browser.text("#rows").equals(before));
        assertFalse(browser.driver.getPageSource().contains("source-secret"), "no password on the page");
        assertFalse(browser.driver.getPageSource().contains("dest-secret"));
        assertTrue(browser.text("#tables").contains("shop.orders"));
        assertTrue(browser.text("#events").contains("STARTED"));
        assertEquals("Simulated (no rows move)", browser.text("#engine"));
        assertTrue(browser.all("#status-reason p").isEmpty(), "no reason: nothing shown");
        // Why a project waits is shown as soon as the service says so (as worker.EngineLedger writes it: a new version).
        Sql.update("update project set status_reason = 'Release waits to drop replication slot mp_x on the source',"
                + " version = version + 1 where id = cast(? as uuid)", running);
        browser.await(d -> browser.text("#status-reason p").contains("Release waits to drop replication slot mp_x"));
        Sql.update("update project set status_reason = null, version = version + 1 where id = cast(? as uuid)", running);
        browser.await(d -> browser.all("#status-reason p").isEmpty());

        String released = project(s + "-old", "RELEASED");
        browser.open(root + "#/projects/" + released);
        browser.await(d -> browser.text("#events").contains("RELEASED"));
        String page = browser.text("main");
        assertTrue(page.contains("10.0.0.5:3306"), page);
        assertTrue(page.contains("stored, never shown"));
        assertTrue(page.contains("RELEASE_REQUESTED"));
        browser.screenshot("details");

        browser.find("#clone").click();
        String copyId = nameTheCloneAndLandOnIt(released, s + "-copy");
        assertNotEquals(released, copyId);
        assertEquals(released, Api.project(copyId).getString("clonedFrom"));
        assertEquals("NOT_STARTED", browser.find(".details-head .badge").getAttribute("data-status"));
    }

    @Test
    void cloningFromTheListsMoreMenuLandsOnTheNewProject() {
        String s = suite();
        String idle = project(s + "-src", "NOT_STARTED");
        openList("q=" + s);
        item(openMenu(idle), "CLONE").click();
        String copyId = nameTheCloneAndLandOnIt(idle, s + "-twin");
        assertEquals(idle, Api.project(copyId).getString("clonedFrom"));
    }

    @Test
    void batchReleaseReleasesEverySelectedProject() {
        String s = suite();
        String a = project(s + "-a", "PAUSED");
        String b = project(s + "-b", "PAUSED");
        String running = project(s + "-c", "RUNNING");
        openList("q=" + s);
        browser.await(d -> browser.all("tbody tr[data-id]").size() == 3);
        row(a).findElement(By.cssSelector("td.select input")).click();
        row(b).findElement(By.cssSelector("td.select input")).click();
        assertEquals("2 selected", browser.text("#selected-count"));
        browser.find("[data-batch='RELEASE']").click();
        WebElement dialog = dialog();
        assertTrue(dialog.getText().contains("Release 2 projects?"));
        dialog.findElement(By.id("confirm-ok")).click();
        browser.await(d -> "RELEASED".equals(rowStatus(a)) && "RELEASED".equals(rowStatus(b)));
        assertEquals("RUNNING", rowStatus(running));
        assertTrue(browser.text("#notice").contains("Release: 2 of 2 projects released."), browser.text("#notice"));
        assertEquals("info", browser.find("#notice").getAttribute("data-kind"));
    }

    @Test
    void batchDeleteAsksForEveryName() {
        String s = suite();
        String a = project(s + "-a", "NOT_STARTED");
        String b = project(s + "-b", "NOT_STARTED");
        batchOverAll("q=" + s, 2, "DELETE");
        WebElement dialog = dialog();
        List<WebElement> inputs = dialog.findElements(By.cssSelector("#confirm-body input"));
        assertEquals(2, inputs.size());
        WebElement ok = dialog.findElement(By.id("confirm-ok"));
        inputs.get(0).sendKeys(inputs.get(0).getAttribute("data-expected"));
        assertFalse(ok.isEnabled(), "one name typed of two");
        inputs.get(1).sendKeys(inputs.get(1).getAttribute("data-expected"));
        browser.await(d -> ok.isEnabled());
        ok.click();
        browser.await(d -> browser.all("tbody tr[data-id]").isEmpty());
        for (String id : List.of(a, b)) {
            io.restassured.RestAssured.given().get(Api.BASE + "/" + id).then().statusCode(404);
        }
    }

    @Test
    void theCreateFormShowsTheApisMessagesNextToTheFieldsThenCreates() {
        String s = suite();
        browser.open(root + "#/new");
        browser.find("#f-name").sendKeys("bad name!");
        browser.find("#f-source-port").sendKeys("99999");
        browser.find("#create-submit").click();
        WebElement summary = browser.find("#error-summary");
        // In the form's words, not the API's paths.
        assertTrue(summary.getText().contains("Name must be 1-64 letters"), summary.getText());
        assertTrue(summary.getText().contains("Source host is required"), summary.getText());
        assertTrue(summary.getText().contains("Source port must be between 1 and 65535"), summary.getText());
        assertFalse(summary.getText().contains("source.host"), summary.getText());
        assertTrue(browser.text("[data-error-for='name']").contains("must be 1-64 letters"));
        assertTrue(browser.find("#f-name").getAttribute("class").contains("invalid"));
        assertEquals(0, (int) io.restassured.RestAssured.given().queryParam("q", s).get(Api.BASE).then().extract().path("totalItems"));

        WebElement name = browser.find("#f-name");
        name.clear();
        name.sendKeys(s + "-new");
        browser.find("#f-source-host").sendKeys("10.1.1.1");
        WebElement port = browser.find("#f-source-port");
        port.clear();
        port.sendKeys("3306");
        browser.find("#f-destination-host").sendKeys("10.2.2.2");
        browser.find("#f-destination-port").sendKeys("2881");
        browser.find("#f-objects").sendKeys("shop.orders 1000");
        browser.find("#create-submit").click();
        browser.await(d -> browser.text("h1").equals(s + "-new"));
        assertEquals(1, (int) io.restassured.RestAssured.given().queryParam("q", s).get(Api.BASE).then().extract().path("totalItems"));
    }

    @Test
    void aPhoneWidthScreenShowsRowsAsCardsWithTheSameActions() throws Exception {
        String s = suite();
        String paused = project(s + "-phone", "PAUSED");
        Dimension desktop = browser.driver.manage().window().getSize();
        try {
            browser.driver.manage().window().setSize(new Dimension(390, 844));
            openList("q=" + s);
            WebElement row = row(paused);
            assertTrue(row.getSize().getWidth() <= 390, "no horizontal overflow");
            assertFalse(disabled(item(openMenu(paused), "RELEASE")));
            browser.screenshot("list-phone");
            escape();
            assertPageFitsTheScreen();

            // The details page too: every section within 390 px, nothing to scroll sideways.
            browser.open(root + "#/projects/" + paused);
            browser.await(d -> browser.text("#events").contains("PAUSED"));
            assertPageFitsTheScreen();
            browser.screenshot("details-phone");
            browser.open(root + "#/new");
            browser.find("#f-name");
            assertPageFitsTheScreen();
        } finally {
            browser.driver.manage().window().setSize(desktop);
        }
    }

    @Test
    void withoutATokenTheConsoleSaysSoAndAViewerSeesButCannotRelease() {
        String s = suite();
        String paused = project(s + "-ro", "PAUSED");
        signIn(null);
        openList("q=" + s);
        // The list cannot load: the table says why (and offers to try again) instead of staying empty.
        browser.await(d -> browser.text("#list-error").contains("You are not signed in"));
        assertTrue(browser.all("tr[data-id]").isEmpty());

        browser.find("#sign-in").click();
        WebElement dialog = dialog();
        dialog.findElement(By.id("token")).sendKeys("not-a-token");
        dialog.findElement(By.id("confirm-ok")).click();
        browser.await(d -> browser.text("#confirm-error").contains("not signed in"));
        WebElement token = dialog.findElement(By.id("token"));
        token.clear();
        token.sendKeys(Tokens.token("vera", "viewer"));
        dialog.findElement(By.id("confirm-ok")).click();
        browser.await(d -> browser.text("#signed-in-as").equals("Signed in as vera (viewer)"));
        // The "not signed in" message went with the sign-in.
        row(paused);
        assertTrue(browser.all("#list-error").isEmpty());
        row(paused);

        item(openMenu(paused), "RELEASE").click();
        dialog().findElement(By.id("confirm-ok")).click();
        browser.await(d -> browser.text("#confirm-error").contains("Your role does not allow this action"));
        assertEquals("PAUSED", Api.status(paused));
        dialog().findElement(By.cssSelector("[data-close]")).click();
    }
    /** Opens the list with this query, waits for its rows, selects them all and clicks the batch action. */
    private void batchOverAll(String query, int rows, String action) {
        openList(query);
        browser.await(d -> browser.all("tbody tr[data-id]").size() == rows);
        browser.find("th input[type=checkbox]").click();
        browser.find("[data-batch='" + action + "']").click();
    }

    private void assertPageFitsTheScreen() {
        long viewport = ((Number) browser.script("return document.documentElement.clientWidth;")).longValue();
        long content = ((Number) browser.script("return document.documentElement.scrollWidth;")).longValue();
        assertTrue(content <= viewport, "the page is " + content + " px wide on a " + viewport + " px screen");
    }

    private void escape() {
        new org.openqa.selenium.interactions.Actions(browser.driver).sendKeys(Keys.ESCAPE).perform();
    }

    private String headStatus() {
        return browser.find(".details-head .badge").getAttribute("data-status");
    }

    private WebElement detailsMenuItem(String action) {
        browser.await(d -> {
            browser.find(".details-head button.more").click();
            return true;
        });
        return browser.find(".details-head [data-action='" + action + "']");
    }

    private String stepStatus(String step) {
        List<WebElement> rows = browser.all("#steps tr[data-step='" + step + "']");
        return rows.isEmpty() ? null : rows.get(0).getAttribute("data-status");
    }

    @Test
    void switchoverWaitsForTheFullMigrationAndThenCompletesTheProject() throws Exception {
        String s = suite();
        String copying = Fixtures.incremental(s + "-copying", 100_000_000L, 1_000L);
        String ready = Fixtures.incremental(s + "-ready", 1_000L, 10_000_000L);
        String plain = project(s + "-plain", "RUNNING");
        Fixtures.awaitIncrementalMonitoring(ready, Duration.ofSeconds(20));
        openList("q=" + s);
        browser.await(d -> browser.all("tbody tr[data-id]").size() == 3);

        // Still copying: Switchover is there but greyed out, and says why in its own text (not only a tooltip).
        WebElement menu = openMenu(copying);
        WebElement switchover = item(menu, "SWITCHOVER");
        assertTrue(disabled(switchover));
        assertTrue(switchover.getText().contains("once the full migration has finished"), switchover.getText());
        switchover.click();
        assertTrue(browser.all("#confirm-dialog[open]").isEmpty(), "a disabled item opens nothing");
        escape();
        // Without incremental synchronization there is nothing to switch over.
        assertTrue(openMenu(plain).findElements(By.cssSelector("[data-action='SWITCHOVER']")).isEmpty());
        escape();
        assertFalse(disabled(item(openMenu(ready), "SWITCHOVER")));
        escape();

        // On the details page: a bound the simulated apply can never meet fails the switchover step; the project runs on.
        browser.open(root + "#/projects/" + ready);
        browser.await(d -> "MONITORING".equals(stepStatus("INCREMENTAL_SYNC")));
        detailsMenuItem("SWITCHOVER").click();
        WebElement dialog = dialog();
        String text = dialog.getText();
        for (String words : List.of("latency is below 1 s", "up to 5 min", "final checkpoint", "becomes COMPLETED",
                "switch your application to the destination", "only release and clone are possible")) {
            assertTrue(text.contains(words), words + " in: " + text);
        }
        WebElement latency = dialog.findElement(By.id("switchover-latency"));
        WebElement timeout = dialog.findElement(By.id("switchover-timeout"));
        assertEquals("1", latency.getAttribute("value"));
        assertEquals("300", timeout.getAttribute("value"));
        browser.screenshot("switchover-dialog");
        latency.clear();
        latency.sendKeys("0.001");
        timeout.clear();
        timeout.sendKeys("2");
        browser.await(d -> browser.text("#switchover-what").contains("below 0.001 s (up to 2 s)"));
        dialog.findElement(By.id("confirm-ok")).click();
        browser.await(d -> browser.all("#confirm-dialog[open]").isEmpty());
        browser.await(d -> browser.text("#switchover").contains("Switchover requested"));
        assertTrue(browser.all("#switchover time").size() == 2, "requested at and deadline");
        browser.await(d -> "FAILED".equals(stepStatus("SWITCHOVER")));
        assertFalse(browser.text("#steps tr[data-step='SWITCHOVER'] .field-error").isBlank(), "the step says why");
        browser.await(d -> browser.all("#switchover p").isEmpty());
        assertEquals("RUNNING", headStatus());
        assertEquals("RUNNING", Api.status(ready));

        // Again with the defaults: it catches up, stops at a final checkpoint, and the project is COMPLETED.
        detailsMenuItem("SWITCHOVER").click();
        dialog().findElement(By.id("confirm-ok")).click();
        browser.await(d -> "COMPLETED".equals(headStatus()));
        browser.await(d -> "FINISHED".equals(stepStatus("SWITCHOVER")));
        browser.await(d -> browser.text("#events").contains("SWITCHOVER_REQUESTED") && browser.text("#events").contains("COMPLETED"));
        assertTrue(browser.all("#switchover p").isEmpty());
        browser.screenshot("switchover-completed");
        WebElement release = detailsMenuItem("RELEASE");
        assertFalse(disabled(release));
        assertTrue(browser.all(".details-head [data-action='SWITCHOVER']").isEmpty());
        escape();
        assertEquals("COMPLETED", Api.status(ready));
    }

    @Test
    void theReleaseDialogShowsTheDryRunAndReleasingAfterwardsWorks() throws Exception {
        String s = suite();
        String paused = project(s + "-plan", "PAUSED");
        String raced = project(s + "-race", "PAUSED");
        String offline = project(s + "-offline", "PAUSED");
        String name = Api.project(paused).getString("name");
        openList("q=" + s);
        browser.await(d -> browser.all("tbody tr[data-id]").size() == 3);

        item(openMenu(paused), "RELEASE").click();
        WebElement preview = browser.find("#dry-run[data-state='ready']");
        String text = preview.getText();
        assertTrue(text.contains(name), text);
        assertTrue(text.contains("Status: PAUSED → RELEASED"), text);
        assertTrue(text.contains("No worker runs for it"), text);
        assertFalse(text.contains("{") || text.contains("\"dryRun\""), "plain words, not JSON: " + text);
        assertEquals("PAUSED", Api.status(paused), "the dry run changed nothing");
        browser.screenshot("release-dialog-dry-run");
        dialog().findElement(By.id("confirm-ok")).click();
        browser.await(d -> "RELEASED".equals(rowStatus(paused)));

        // The dry run refuses what the real call would refuse, in the service's words.
        WebElement menu = openMenu(raced);
        Api.act(raced, "resume", 200);
        item(menu, "RELEASE").click();
        WebElement refused = browser.find("#dry-run[data-state='refused']");
        assertTrue(refused.getText().contains("is RUNNING; release is allowed from PAUSED, FAILED, COMPLETED"), refused.getText());
        dialog().findElement(By.cssSelector("[data-close]")).click();
        assertEquals("RUNNING", Api.status(raced));

        // A dry run that cannot reach the service does not hold the dialog up.
        browser.script("const real = window.fetch; window.fetch = (url, init) => String(url).includes('dryRun=true')"
                + " ? Promise.reject(new TypeError('Failed to fetch')) : real(url, init);");
        item(openMenu(offline), "RELEASE").click();
        assertTrue(browser.find("#dry-run[data-state='unavailable']").getText().contains("Preview unavailable"));
        dialog().findElement(By.id("confirm-ok")).click();
        browser.await(d -> "RELEASED".equals(rowStatus(offline)));
    }

    @Test
    void theDeleteDialogShowsWhatWouldBeRemovedAndUntilWhenItCanBeRestored() throws Exception {
        String s = suite();
        String id = project(s + "-doomed", "NOT_STARTED");
        String name = Api.project(id).getString("name");
        openList("q=" + s);
        row(id).findElement(By.cssSelector(".actions > [data-action='DELETE']")).click();
        WebElement preview = browser.find("#dry-run[data-state='ready']");
        String text = preview.getText();
        assertTrue(text.contains("Status: NOT STARTED → DELETED"), text);
        assertTrue(text.contains("can restore it until"), text);
        assertTrue(preview.findElements(By.cssSelector("[data-part='removes']")).size() == 1, text);
        assertFalse(text.contains("{"), text);
        Instant shown = Instant.parse(preview.findElement(By.cssSelector("[data-part='restorable'] time")).getAttribute("datetime"));
        Instant expected = Instant.parse(Api.deletePreview(id, name).getString("restorableUntil"));
        assertTrue(Duration.between(shown, expected).abs().compareTo(Duration.ofMinutes(1)) < 0, shown + " vs " + expected);
        assertEquals("NOT_STARTED", Api.status(id), "the dry runs changed nothing");
        browser.screenshot("delete-dialog-dry-run");

        dialog().findElement(By.cssSelector("#confirm-body input[data-expected]")).sendKeys(name);
        WebElement ok = dialog().findElement(By.id("confirm-ok"));
        browser.await(d -> ok.isEnabled());
        ok.click();
        browser.await(d -> browser.all("tr[data-id='" + id + "']").isEmpty());
        io.restassured.RestAssured.given().get(Api.BASE + "/" + id).then().statusCode(404);
    }

    @Test
    void batchDialogsPreviewEveryProjectAndNameThoseThatWouldFail() {
        String s = suite();
        String a = project(s + "-a", "PAUSED");
        String b = project(s + "-b", "PAUSED");
        String running = project(s + "-c", "RUNNING");
        String runningName = Api.project(running).getString("name");
        batchOverAll("q=" + s, 3, "RELEASE");
        // The RUNNING one cannot be released: it is left out, with why, before anything is asked.
        assertTrue(browser.text("#skipped").contains(runningName + " (RUNNING): Release is possible only when"), browser.text("#skipped"));
        assertEquals("Release 2 projects?", browser.text("#confirm-title"));
        WebElement preview = browser.find("#dry-run[data-state='ready']");
        assertTrue(preview.getText().contains("2 of 2 would go through"), preview.getText());
        assertEquals(2, preview.findElements(By.cssSelector(".plan")).size());
        dialog().findElement(By.cssSelector("[data-close]")).click();
        for (String id : List.of(a, b)) {
            assertEquals("PAUSED", Api.status(id), "the dry run changed nothing");
        }

        String x = project(s + "-x", "NOT_STARTED");
        String y = project(s + "-y", "NOT_STARTED");
        batchOverAll("q=" + s + "&status=NOT_STARTED", 2, "DELETE");
        WebElement deletePreview = browser.find("#dry-run[data-state='ready']");
        assertEquals(2, deletePreview.findElements(By.cssSelector(".plan [data-part='restorable'] time")).size(), deletePreview.getText());
        dialog().findElement(By.cssSelector("[data-close]")).click();
        assertEquals("NOT_STARTED", Api.status(x));
        assertEquals("NOT_STARTED", Api.status(y));
    }

    @Test
    void anAlertingProjectShowsItsBadgeAndTheAlertingFilterNarrowsTheList() throws Exception {
        String s = suite();
        String broken = Fixtures.failedNamed(Api.uniqueName(s + "-broken"));
        String quiet = project(s + "-quiet", "NOT_STARTED");
        openList("q=" + s);
        browser.await(d -> browser.all("tbody tr[data-id]").size() == 2);
        WebElement badge = browser.find("tr[data-id='" + broken + "'] .alert-badge[data-alert='FAILED']");
        assertTrue(badge.getText().contains("Alert: Failed since "), badge.getText());
        assertEquals(1, badge.findElements(By.cssSelector("time[datetime]")).size());
        assertTrue(row(quiet).findElements(By.cssSelector(".alert-badge")).isEmpty());
        browser.screenshot("list-alert");

        browser.find("#filter-alerting").click();
        browser.await(d -> browser.all("tbody tr[data-id]").size() == 1 && rowStatus(broken) != null);
        assertTrue(browser.driver.getCurrentUrl().contains("alerting=true"), browser.driver.getCurrentUrl());
        browser.driver.navigate().refresh();
        browser.await(d -> browser.all("tbody tr[data-id]").size() == 1 && rowStatus(broken) != null);
        assertTrue(browser.find("#filter-alerting").isSelected(), "the filter is kept in the address");
        browser.find("#filter-alerting").click();
        browser.await(d -> browser.all("tbody tr[data-id]").size() == 2);
        assertFalse(browser.driver.getCurrentUrl().contains("alerting"));

        browser.open(root + "#/projects/" + broken);
        WebElement head = browser.find("#alerts .alert-badge[data-alert='FAILED']");
        assertTrue(head.getText().contains("Failed since"), head.getText());
        assertFalse(browser.text("#alert-details li[data-alert='FAILED']").isBlank());
    }

    @Test
    void theCreateFormTakesAlertThresholdsAndTheDetailsPageShowsThem() {
        String s = suite();
        browser.open(root + "#/new");
        browser.find("#f-name").sendKeys(s + "-watched");
        browser.find("#f-source-host").sendKeys("10.1.1.1");
        browser.find("#f-source-port").sendKeys("3306");
        browser.find("#f-destination-host").sendKeys("10.2.2.2");
        browser.find("#f-destination-port").sendKeys("2881");
        browser.find("#f-objects").sendKeys("shop.orders 1000");
        WebElement latency = browser.find("#f-alerts-incrementalLatencySeconds");
        latency.sendKeys("0");
        browser.find("#create-submit").click();
        browser.await(d -> browser.text("[data-error-for='alerts.incrementalLatencySeconds']").contains("must be between"));
        latency.clear();
        latency.sendKeys("2.5");
        browser.find("#f-alerts-stalledForSeconds").sendKeys("120");
        browser.find("#create-submit").click();
        browser.await(d -> browser.text("h1").equals(s + "-watched"));
        assertEquals("incremental latency above 2.5 s; nothing moving for 120 s", browser.text("#alert-thresholds"));
        String id = browser.driver.getCurrentUrl().replaceAll(".*#/projects/", "");
        assertEquals(2.5, Api.project(id).getDouble("alerts.incrementalLatencySeconds"));
        assertEquals(120L, Api.project(id).getLong("alerts.stalledForSeconds"));
    }

    @Test
    void aDeletedProjectShowsUnderShowDeletedAndRestoresUnderANewNameWhenItsOwnIsTaken() throws Exception {
        String s = suite();
        String back = project(s + "-back", "NOT_STARTED");
        String taken = project(s + "-taken", "NOT_STARTED");
        String takenName = Api.project(taken).getString("name");
        Api.deleteByName(back);
        Api.deleteByName(taken);
        String squatter = Api.create(Api.body(takenName));
        openList("q=" + s);
        browser.await(d -> browser.all("tbody tr[data-id]").size() == 1 && rowStatus(squatter) != null);

        // A deleted project has no details page; the one its address shows says until when it can be restored.
        browser.open(root + "#/projects/" + back);
        browser.await(d -> browser.text("#not-found-detail").contains("can restore it until"));
        openList("q=" + s);
        browser.await(d -> browser.all("tbody tr[data-id]").size() == 1);

        browser.find("#filter-deleted").click();
        browser.await(d -> browser.all("tbody tr[data-id]").size() == 3);
        assertTrue(browser.driver.getCurrentUrl().contains("deleted=true"));
        assertEquals("DELETED", rowStatus(back));
        assertTrue(row(back).getText().contains("Deleted, restorable until"), row(back).getText());
        assertTrue(row(back).findElements(By.cssSelector("button.more")).isEmpty(), "only Restore");
        browser.screenshot("list-deleted");

        row(back).findElement(By.cssSelector("[data-action='RESTORE']")).click();
        assertTrue(dialog().getText().contains("NOT STARTED"));
        dialog().findElement(By.id("confirm-ok")).click();
        browser.await(d -> "NOT_STARTED".equals(rowStatus(back)));
        assertEquals("NOT_STARTED", Api.status(back));
        assertTrue(Api.eventActions(back).contains("RESTORED"));

        // Its name is someone else's now: the dialog says so, asks for another, and tries again.
        row(taken).findElement(By.cssSelector("[data-action='RESTORE']")).click();
        dialog().findElement(By.id("confirm-ok")).click();
        WebElement newName = browser.find("#restore-name");
        assertTrue(browser.text("#confirm-error").contains("Choose a new name"), browser.text("#confirm-error"));
        newName.clear();
        newName.sendKeys(s + "-renamed");
        dialog().findElement(By.id("confirm-ok")).click();
        browser.await(d -> "NOT_STARTED".equals(rowStatus(taken)));
        assertEquals(s + "-renamed", Api.project(taken).getString("name"));
        assertEquals(takenName, Api.project(squatter).getString("name"));
    }

    // ---- issue 14: edit, create similar, feedback, eligibility, focus, phone, accessibility ----------------

    private static void type(WebElement input, String text) {
        input.clear();
        input.sendKeys(text);
    }

    @Test
    void editChangesWhatTheStatusAllowsAndShowsTheRest() throws Exception {
        String s = suite();
        String idle = project(s + "-idle", "NOT_STARTED");
        String paused = project(s + "-hold", "PAUSED");
        String released = project(s + "-gone", "RELEASED");

        // NOT_STARTED: everything, prefilled; the password stays unless typed.
        browser.open(root + "#/projects/" + idle);
        browser.find("#edit").click();
        browser.await(d -> d.getCurrentUrl().endsWith("#/projects/" + idle + "/edit"));
        assertEquals("10.0.0.9", browser.find("#f-destination-host").getAttribute("value"));
        assertEquals("", browser.find("#f-destination-password").getAttribute("value"));
        assertTrue(browser.text("#f-destination-password-hint").contains("keep the stored password"));
        type(browser.find("#f-destination-host"), "10.7.7.7");
        type(browser.find("#f-objects"), "shop.orders 500\nshop.items 20");
        type(browser.find("#f-source-port"), "70000");
        browser.find("#create-submit").click();
        assertTrue(browser.text("#error-summary").contains("Source port must be between 1 and 65535"), browser.text("#error-summary"));
        assertEquals("10.0.0.9", Api.project(idle).getString("destination.host"), "a refused edit changes nothing");
        type(browser.find("#f-source-port"), "3306");
        browser.find("#create-submit").click();
        browser.await(d -> d.getCurrentUrl().endsWith("#/projects/" + idle) && browser.text("#tables").contains("shop.items"));
        assertEquals("10.7.7.7", Api.project(idle).getString("destination.host"));
        assertEquals(2, Api.project(idle).getList("objects").size());
        assertTrue(Api.eventActions(idle).contains("UPDATED"));

        // PAUSED: description, labels and alerts; the rest shown but fixed, and the form says why.
        browser.open(root + "#/projects/" + paused + "/edit");
        assertTrue(browser.text("#form-intro").contains("only its description, labels and alerts can change"), browser.text("#form-intro"));
        assertFalse(browser.find("#f-name").isEnabled());
        assertFalse(browser.find("#f-source-host").isEnabled());
        assertFalse(browser.find("#f-objects").isEnabled());
        assertTrue(browser.find("#f-labels").isEnabled());
        browser.screenshot("edit-form");
        long version = Api.project(paused).getLong("version");
        type(browser.find("#f-labels"), "team=payments\nwave=2");
        type(browser.find("#f-description"), "second wave");
        browser.find("#create-submit").click();
        browser.await(d -> d.getCurrentUrl().endsWith("#/projects/" + paused) && browser.text("main").contains("wave=2"));
        assertEquals("payments", Api.project(paused).getString("labels.team"));
        assertEquals("second wave", Api.project(paused).getString("description"));
        assertEquals(version + 1, Api.project(paused).getLong("version"), "one edit, one version");

        // RELEASED: nothing; Edit is greyed out in the menu with its reason, and there is no Edit button.
        browser.open(root + "#/projects/" + released);
        browser.await(d -> browser.text("#events").contains("RELEASED"));
        assertTrue(browser.all("#edit").isEmpty());
        WebElement edit = detailsMenuItem("EDIT");
        assertTrue(disabled(edit));
        assertTrue(edit.getText().contains("Nothing can be edited once a release has begun"), edit.getText());
        escape();
    }

    @Test
    void createSimilarIsTheCreateFormFilledInFromTheOriginal() throws Exception {
        String s = suite();
        String original = project(s + "-orig", "RELEASED");
        String originalName = Api.project(original).getString("name");
        browser.open(root + "#/projects/" + original);
        browser.find("#clone").click();
        browser.await(d -> d.getCurrentUrl().endsWith("#/new?from=" + original));
        assertTrue(browser.text("h1").contains("similar to \"" + originalName + "\""), browser.text("h1"));
        assertEquals("10.0.0.5", browser.find("#f-source-host").getAttribute("value"));
        assertEquals("OCEANBASE_MYSQL", browser.find("#f-destination-type").getAttribute("value"));
        assertTrue(browser.find("#f-objects").getAttribute("value").contains("shop.orders"));
        assertEquals("", browser.find("#f-name").getAttribute("value"));
        assertTrue(browser.text("#f-source-password-hint").contains("password of \"" + originalName + "\""));
        browser.screenshot("create-similar");

        type(browser.find("#f-destination-host"), "10.8.8.8");
        type(browser.find("#f-name"), s + "-copy");
        browser.find("#create-submit").click();
        browser.await(d -> browser.text("h1").equals(s + "-copy"));
        String copy = browser.driver.getCurrentUrl().replaceAll(".*#/projects/", "");
        assertEquals(original, Api.project(copy).getString("clonedFrom"));
        assertEquals("10.8.8.8", Api.project(copy).getString("destination.host"));
        assertEquals("10.0.0.5", Api.project(copy).getString("source.host"));
        assertEquals("NOT_STARTED", Api.status(copy));
        assertEquals("10.0.0.9", Api.project(original).getString("destination.host"), "the original is untouched");
        // "Cloned from" names the original and links to it.
        WebElement from = browser.find("#cloned-from a");
        assertEquals(originalName, from.getText());

        // Once the original is deleted, the copy says so instead of linking to nothing.
        Api.deleteByName(original);
        browser.driver.navigate().refresh();
        browser.await(d -> browser.text("#cloned-from").contains("deleted"));
    }

    @Test
    void aNotStartedProjectSaysSoAndAReleasedOnesStepsShowAsStopped() {
        String s = suite();
        Map<String, Object> body = Api.body(Api.uniqueName(s + "-idle"));
        body.put("migrationTypes", List.of("FULL_MIGRATION", "INCREMENTAL_SYNC"));
        String idle = Api.create(body);
        browser.open(root + "#/projects/" + idle);
        browser.await(d -> browser.text("#not-started").contains("Not started yet"));
        assertTrue(browser.text("#steps").contains("Incremental synchronization"), browser.text("#steps"));
        assertTrue(browser.text("#incremental-not-started").contains("Not started yet"));
        assertFalse(browser.text("main").contains("is not selected"), browser.text("main"));
        assertTrue(browser.text("#rows").startsWith("Not started yet"), browser.text("#rows"));

        // Delete is in the details page's More menu too; afterwards the page goes back to the list.
        detailsMenuItem("DELETE").click();
        WebElement confirm = dialog().findElement(By.cssSelector("#confirm-body input[data-expected]"));
        confirm.sendKeys(confirm.getAttribute("data-expected"));
        WebElement ok = dialog().findElement(By.id("confirm-ok"));
        browser.await(d -> ok.isEnabled());
        ok.click();
        browser.await(d -> d.getCurrentUrl().endsWith("#/projects"));
        assertEquals(404, io.restassured.RestAssured.given().get(Api.BASE + "/" + idle).statusCode());

        String released = project(s + "-done", "RELEASED");
        browser.open(root + "#/projects/" + released);
        browser.await(d -> browser.text("#events").contains("RELEASED"));
        for (WebElement cell : browser.all("#steps td[data-shown]")) {
            String shown = cell.getAttribute("data-shown");
            assertTrue(shown.equals("FINISHED") || shown.equals("FAILED") || shown.equals("STOPPED (released)"), shown);
        }
        assertTrue(browser.text("#steps").contains("STOPPED (released)"), browser.text("#steps"));
        assertFalse(browser.text("#steps").contains("SUSPENDED"));
    }

    @Test
    void onASlowNetworkEveryViewSaysItIsLoadingAndAnActionShowsAtOnce() throws Exception {
        String s = suite();
        String running = project(s + "-run", "RUNNING");
        for (int i = 0; i < 4; i++) {
            project(s + "-more" + i, "RUNNING");
        }
        openList("q=" + s);
        browser.await(d -> browser.all("tbody tr[data-id]").size() == 5);
        browser.slowNetwork(Duration.ofMillis(1500));
        try {
            browser.script("performance.clearResourceTimings();");
            browser.driver.navigate().refresh();
            // Before the answer: a loading row, not an empty table; nothing to act on.
            browser.await(d -> browser.text("td.empty").equals("Loading projects…"));
            browser.screenshot("list-loading");
            for (WebElement batch : browser.all("[data-batch]")) {
                assertFalse(batch.isEnabled(), batch.getText() + " with nothing selected");
            }
            browser.await(d -> browser.all("tbody tr[data-id]").size() == 5);
            // One request per refresh: the progress of every row comes in the list's own answer.
            browser.await(d -> ((Number) browser.script("return performance.getEntriesByType('resource')"
                    + ".filter((e) => e.name.includes('/api/v1/projects?')).length;")).intValue() >= 2);
            assertEquals(0L, browser.script("return performance.getEntriesByType('resource')"
                    + ".filter((e) => e.name.includes('/progress')).length;"));
            assertEquals(1, row(running).findElements(By.cssSelector("[role=progressbar]")).size());

            // An action shows at once, and its menu waits: no second request, no 409.
            item(openMenu(running), "PAUSE").click();
            browser.await(d -> row(running).getText().contains("Pausing…"));
            WebElement pause = item(openMenu(running), "PAUSE");
            assertTrue(disabled(pause));
            assertTrue(pause.getText().contains("Wait for the service's answer"), pause.getText());
            escape();
            browser.await(d -> "PAUSED".equals(rowStatus(running)));
            browser.await(d -> !row(running).getText().contains("Pausing…"));
            assertEquals(1, Api.eventActions(running).stream().filter("PAUSED"::equals).count());

            // The details page and the create-similar form say they are loading too.
            browser.open(root + "#/projects/" + running);
            browser.await(d -> browser.text("#details-loading").equals("Loading the project…"));
            browser.await(d -> browser.text("h1").startsWith(s + "-run"));
            browser.open(root + "#/new?from=" + running);
            browser.await(d -> browser.text("main").contains("Loading the project…"));
            browser.await(d -> browser.all("#f-source-host").size() == 1);
        } finally {
            browser.normalNetwork();
        }
    }

    @Test
    void aViewThatCannotLoadSaysWhyAndOffersToTryAgain() {
        String s = suite();
        String id = project(s + "-x", "NOT_STARTED");
        // The console is loaded; then the network goes away before the list's first answer.
        browser.open(root + "#/new");
        browser.find("#f-name");
        String offline = "window.__realFetch = window.fetch; window.fetch = () => Promise.reject(new TypeError('Failed to fetch'));";
        browser.script(offline);
        browser.script("location.hash = arguments[0];", "#/projects?q=" + s);
        assertTrue(browser.text("#list-error").contains("The projects cannot be loaded. The service cannot be reached"),
                browser.text("#list-error"));
        browser.script("window.fetch = window.__realFetch;");
        browser.find("#list-error button").click();
        browser.await(d -> rowStatus(id) != null);

        browser.script(offline);
        browser.script("location.hash = arguments[0];", "#/projects/" + id);
        assertTrue(browser.text("#details-error").contains("The project cannot be loaded"), browser.text("#details-error"));
        browser.script("window.fetch = window.__realFetch;");
        browser.find("#details-error button").click();
        browser.await(d -> browser.text("h1").startsWith(s + "-x"));
    }

    @Test
    void batchDialogsLeaveOutWhatCannotBeDoneAndAPartialSuccessIsAWarning() throws Exception {
        String s = suite();
        String idle = project(s + "-idle", "NOT_STARTED");
        String running = project(s + "-run", "RUNNING");
        String runningName = Api.project(running).getString("name");
        batchOverAll("q=" + s, 2, "DELETE");
        assertEquals("Delete 1 project?", browser.text("#confirm-title"));
        assertTrue(browser.text("#skipped").contains(runningName + " (RUNNING): Delete is possible only when"), browser.text("#skipped"));
        List<WebElement> inputs = dialog().findElements(By.cssSelector("#confirm-body input[data-expected]"));
        assertEquals(1, inputs.size(), "no name asked of a project that cannot be deleted");
        browser.find("#dry-run[data-state='ready']");
        browser.screenshot("batch-delete-left-out");
        inputs.get(0).sendKeys(inputs.get(0).getAttribute("data-expected"));
        WebElement ok = dialog().findElement(By.id("confirm-ok"));
        browser.await(d -> ok.isEnabled());
        ok.click();
        browser.await(d -> browser.all("tr[data-id='" + idle + "']").isEmpty());
        assertTrue(browser.text("#notice").contains("Delete: 1 of 1 project deleted."), browser.text("#notice"));
        assertTrue(browser.text("#notice").contains("1 selected project was left out"), browser.text("#notice"));
        assertEquals("RUNNING", Api.status(running));

        // Nothing eligible: the dialog only says why, with nothing to confirm.
        row(running).findElement(By.cssSelector("td.select input")).click();
        browser.find("[data-batch='RESUME']").click();
        assertTrue(browser.text("#confirm-title").startsWith("None of the selected projects can be resumed"));
        assertFalse(browser.find("#confirm-dialog [data-close]").getText().isEmpty());
        assertTrue(browser.all("#confirm-ok").stream().noneMatch(WebElement::isDisplayed));
        escape();

        // Someone else moves a project while the dialog is open: the rest goes through, and that is a warning, not an error.
        String a = project(s + "-a", "PAUSED");
        String b = project(s + "-b", "PAUSED");
        batchOverAll("q=" + s + "&status=PAUSED", 2, "RELEASE");
        browser.find("#dry-run[data-state='ready']");
        Api.act(b, "resume", 200);
        dialog().findElement(By.id("confirm-ok")).click();
        browser.await(d -> browser.text("#notice").contains("Release: 1 of 2 projects released."));
        assertEquals("warning", browser.find("#notice").getAttribute("data-kind"));
        assertTrue(browser.text("#notice").contains("was not:"), browser.text("#notice"));
        assertEquals("RUNNING", Api.status(b));
        Api.awaitStatus(a, "RELEASED", Duration.ofSeconds(10));
    }

    @Test
    void focusReturnsToTheMoreButtonAndTabLeavesAMenuClosed() {
        String s = suite();
        String paused = project(s + "-hold", "PAUSED");
        openList("q=" + s);
        item(openMenu(paused), "RELEASE").click();
        dialog();
        // The release dialog is the irreversible one: a danger button, and Enter does not confirm it.
        WebElement ok = browser.find("#confirm-ok");
        assertTrue(ok.getAttribute("class").contains("danger"));
        assertNotEquals(ok, browser.driver.switchTo().activeElement());
        new org.openqa.selenium.interactions.Actions(browser.driver).sendKeys(Keys.ENTER).perform();
        browser.await(d -> d.findElements(By.cssSelector("#confirm-dialog[open]")).isEmpty());
        assertEquals("PAUSED", Api.status(paused), "Enter cancelled");
        browser.await(d -> ("more-" + paused).equals(d.switchTo().activeElement().getAttribute("data-focus-key")));

        // Escape in a dialog also returns the focus to the More button it came from.
        item(openMenu(paused), "RELEASE").click();
        dialog();
        escape();
        browser.await(d -> ("more-" + paused).equals(d.switchTo().activeElement().getAttribute("data-focus-key")));

        // Tab out of an open menu closes it.
        WebElement menu = openMenu(paused);
        new org.openqa.selenium.interactions.Actions(browser.driver).sendKeys(Keys.TAB).perform();
        browser.await(d -> !menu.isDisplayed());
        assertEquals("false", row(paused).findElement(By.cssSelector("button.more")).getAttribute("aria-expanded"));
        // Home and End in a menu.
        WebElement again = openMenu(paused);
        new org.openqa.selenium.interactions.Actions(browser.driver).sendKeys(Keys.END).perform();
        assertEquals("DETAILS", browser.driver.switchTo().activeElement().getAttribute("data-action"));
        new org.openqa.selenium.interactions.Actions(browser.driver).sendKeys(Keys.HOME).perform();
        assertEquals("START", browser.driver.switchTo().activeElement().getAttribute("data-action"));
        assertTrue(again.isDisplayed());
        escape();
    }

    @Test
    void theAddressCountsPagesFromOneAndClearFiltersBringsEverythingBack() {
        String s = suite();
        for (int i = 0; i < 3; i++) {
            project(s + "-p" + i, "NOT_STARTED");
        }
        openList("q=" + s + "&size=10&page=1");
        browser.await(d -> browser.all("tbody tr[data-id]").size() == 3);
        assertEquals("Page 1 of 1", browser.text("#page-label"));
        browser.open(root + "#/projects?q=" + s + "&size=10&sort=name&page=2");
        browser.driver.navigate().refresh();
        // Page 2 of a one-page result: the last page is shown, and the address says page 1 (no parameter).
        browser.await(d -> browser.all("tbody tr[data-id]").size() == 3);
        browser.await(d -> !d.getCurrentUrl().contains("page="));

        WebElement search = browser.find("#filter-q");
        type(search, s + "-none");
        browser.await(d -> browser.text("td.empty").contains("No project matches"));
        browser.find("td.empty button").click();
        browser.await(d -> browser.find("#filter-q").getAttribute("value").isEmpty());
        assertFalse(browser.driver.getCurrentUrl().contains("q="), browser.driver.getCurrentUrl());
    }

    @Test
    void theFaviconIsServedAndNoPageLogsAnError() {
        io.restassured.RestAssured.given().get(root + "favicon.ico").then().statusCode(200);
        io.restassured.RestAssured.given().get(root + "favicon.svg").then().statusCode(200);
        String s = suite();
        String paused = project(s + "-quiet", "PAUSED");
        browser.browserErrors(); // what earlier tests left
        openList("q=" + s);
        row(paused);
        browser.open(root + "#/projects/" + paused);
        browser.await(d -> browser.text("#events").contains("PAUSED"));
        browser.open(root + "#/new?from=" + paused);
        browser.find("#f-source-host");
        assertEquals(List.of(), browser.browserErrors());
    }

    @Test
    void axeFindsNoSeriousOrCriticalViolations() throws Exception {
        String s = suite();
        String paused = project(s + "-a11y", "PAUSED");
        String idle = project(s + "-idle", "NOT_STARTED");
        openList("q=" + s);
        browser.await(d -> browser.all("tbody tr[data-id]").size() == 2);
        // The scan is not blind: an image without a text alternative (a critical violation) is found.
        browser.script("const img = document.createElement('img'); img.id = 'axe-probe'; img.src = '/favicon.svg';"
                + " document.querySelector('main').append(img);");
        assertTrue(browser.seriousAccessibilityViolations().stream().anyMatch(v -> v.startsWith("image-alt")));
        browser.script("document.getElementById('axe-probe').remove();");
        assertEquals(List.of(), browser.seriousAccessibilityViolations(), "the list");
        openMenu(paused);
        assertEquals(List.of(), browser.seriousAccessibilityViolations(), "an open More menu");
        escape();
        item(openMenu(paused), "RELEASE").click();
        browser.find("#dry-run[data-state='ready']");
        assertEquals(List.of(), browser.seriousAccessibilityViolations(), "the release dialog");
        escape();
        row(idle).findElement(By.cssSelector(".actions > [data-action='DELETE']")).click();
        browser.find("#dry-run[data-state='ready']");
        assertEquals(List.of(), browser.seriousAccessibilityViolations(), "the delete dialog");
        escape();
        browser.open(root + "#/projects/" + paused);
        browser.await(d -> browser.text("#events").contains("PAUSED"));
        assertEquals(List.of(), browser.seriousAccessibilityViolations(), "the details page");
        browser.open(root + "#/new");
        browser.find("#f-name");
        browser.find("#create-submit").click();
        browser.find("#error-summary");
        assertEquals(List.of(), browser.seriousAccessibilityViolations(), "the create form with its messages");
        browser.open(root + "#/projects/" + paused + "/edit");
        browser.find("#f-labels");
        assertEquals(List.of(), browser.seriousAccessibilityViolations(), "the edit form");
    }
}
