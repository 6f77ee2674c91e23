#!/usr/bin/python3
"""The dashboard in a real browser (Debian's chromium and chromedriver through Selenium) against a
running `tentacle demo`: sign-in, the map, a display, a command, content approval, an alert and its
coverage, the districts, and a cross-site request refused. Saves a screenshot of every page at
1280x800 and at 375 px wide. Fails on any error in the browser console.

    dashboard_test.py --url http://127.0.0.1:PORT --screenshots FOLDER
"""
import argparse
import http.server
import json
import os
import signal
import sys
import threading
import time
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service as ChromeService
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

PASSWORD = "tentacle-demo"


class Dashboard:
    def __init__(self, url, screenshots):
        self.url = url.rstrip("/")
        self.screenshots = screenshots
        options = webdriver.ChromeOptions()
        for flag in ["--no-sandbox", "--headless=new", "--window-size=1280,800", "--disable-gpu", "--disable-dev-shm-usage"]:
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        service = ChromeService(executable_path="/usr/bin/chromedriver")
        self.driver = webdriver.Chrome(service=service, options=options)
        self.driver.set_window_size(1280, 800)
        self.console_errors = []

    # Helpers

    def wait(self, condition, timeout=20, what="condition"):
        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.2, ignored_exceptions=(StaleElementReferenceException,)).until(
                lambda d: condition())
        except TimeoutException:
            self.shot("failure")
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")

    def find(self, css, timeout=20):
        return self.wait(lambda: self.driver.find_element(By.CSS_SELECTOR, css) if self.driver.find_elements(By.CSS_SELECTOR, css) else None,
                         timeout, css)

    def text(self, css):
        """The text of the first match, or "" (also when live updates replace it while it is read)."""
        try:
            found = self.driver.find_elements(By.CSS_SELECTOR, css)
            return found[0].text if found else ""
        except StaleElementReferenceException:
            return ""

    def click(self, css):
        """Clicks the first match, trying again when a live update replaced it meanwhile."""
        def attempt():
            try:
                found = self.driver.find_elements(By.CSS_SELECTOR, css)
                if not found:
                    return False
                found[0].click()
                return True
            except StaleElementReferenceException:
                return False
        self.wait(attempt, what=f"{css} to click")

    def go(self, route):
        self.driver.get(f"{self.url}/#/{route}")

    def shot(self, name):
        os.makedirs(self.screenshots, exist_ok=True)
        self.driver.execute_script("window.scrollTo(0, 0)")
        self.driver.save_screenshot(os.path.join(self.screenshots, f"{name}-1280.png"))
        if name == "failure":
            return
        self.driver.set_window_size(375, 800)
        time.sleep(0.6)
        self.driver.save_screenshot(os.path.join(self.screenshots, f"{name}-375.png"))
        width = self.driver.execute_script("return document.documentElement.scrollWidth")
        self.driver.set_window_size(1280, 800)
        time.sleep(0.3)
        assert width <= 390, f"{name}: the page is {width} px wide at a 375 px viewport"

    CONTRAST = """
        const parse = (c) => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
          const [r, g, b, a] = m[1].split(',').map((x) => parseFloat(x)); return [r, g, b, a === undefined ? 1 : a]; };
        const lum = ([r, g, b]) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
          return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
        const over = (top, under) => top.slice(0, 3).map((v, i) => v * top[3] + under[i] * (1 - top[3]));
        const background = (el) => { const layers = [];
          for (let e = el; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor); if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; } }
          let color = [255, 255, 255]; for (const layer of layers.reverse()) color = over(layer, color); return color; };
        const failures = [];
        for (const el of document.querySelectorAll('body *')) {
          if (['SCRIPT', 'STYLE', 'CANVAS', 'IMG', 'SVG', 'OPTION'].includes(el.tagName.toUpperCase()) || el.closest('svg')) continue;
          const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
          if (!own || !el.getClientRects().length) continue;
          const style = getComputedStyle(el);
          if (style.visibility === 'hidden' || parseFloat(style.opacity) === 0) continue;
          const fg = parse(style.color), bg = background(el);
          const [hi, lo] = [lum(over(fg, bg)), lum(bg)].sort((a, b) => b - a);
          const ratio = (hi + 0.05) / (lo + 0.05);
          const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight, 10) >= 700;
          const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
          if (ratio < needed) failures.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${el.className} "${el.textContent.trim().slice(0, 30)}" ${ratio.toFixed(2)} < ${needed}`);
        }
        return failures.slice(0, 10);"""

    def check_contrast(self, page):
        """WCAG AA for every visible text on the page: 4.5:1, or 3:1 for large text."""
        failures = self.driver.execute_script(self.CONTRAST)
        assert not failures, f"{page}: text below WCAG AA contrast:\n" + "\n".join(failures)

    def check_console(self, page):
        self.check_contrast(page)
        for entry in self.driver.get_log("browser"):
            if entry["level"] == "SEVERE":
                self.console_errors.append(f"{page}: {entry['message']}")
        assert not self.console_errors, "errors in the browser console:\n" + "\n".join(self.console_errors)

    def sign_in(self, username):
        self.driver.get(self.url + "/")
        signout = self.driver.find_element(By.ID, "signout")
        self.wait(lambda: signout.is_displayed() or self.driver.find_elements(By.CSS_SELECTOR, "form.signin"), what="the page to load")
        if signout.is_displayed():
            signout.click()
        form = self.find("form.signin")
        form.find_element(By.NAME, "username").send_keys(username)
        form.find_element(By.NAME, "password").send_keys(PASSWORD + Keys.ENTER)
        self.wait(lambda: username in self.text("#who"), what=f"{username} signed in")

    def session(self):
        return next(c["value"] for c in self.driver.get_cookies() if c["name"] == "tentacle_session")

    def api(self, method, path, body=None, origin=True, session=None):
        """A request with the browser's session cookie, from Python (for checks the page must not make)."""
        headers = {"Cookie": f"tentacle_session={session or self.session()}"}
        if origin:
            headers["Origin"] = self.url
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                raw = response.read()
                return response.status, (json.loads(raw) if raw else None)
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    # The scenario

    def run(self):
        started = time.time()
        self.driver.get(self.url + "/")
        self.find("form.signin")
        self.shot("signin")
        self.check_console("sign-in")

        self.sign_in("operator")
        self.map_has_every_display()
        self.display_detail_and_brightness()
        self.districts()
        self.rule_written()
        self.content_approval()
        self.rule_approved()
        self.alert_coverage()
        self.cross_site_request_refused()
        print(f"dashboard browser test passed in {time.time() - started:.1f} s; screenshots in {self.screenshots}")

    def every_display_id(self):
        ids, cursor = [], None
        while True:
            status, page = self.api("GET", "/v1/displays?limit=1000" + (f"&cursor={cursor}" if cursor else ""))
            assert status == 200, page
            ids += [d["id"] for d in page["items"]]
            cursor = page.get("nextCursor")
            if not cursor:
                return ids

    def map_has_every_display(self):
        self.go("map")
        box = self.find(".map-box[data-markers]")
        ids = self.every_display_id()
        assert int(box.get_attribute("data-markers")) == len(ids) == 360, f"map has {box.get_attribute('data-markers')} markers, API {len(ids)}"
        self.wait(lambda: self.text(".summary").startswith("360 displays"), what="the map summary")
        # Every marker was drawn inside the visible canvas.
        drawn = self.driver.execute_script("""
            const m = performance.getEntriesByName('map-draw').pop();
            return m ? m.detail.markers : 0;""")
        assert drawn == 360, drawn
        # The demo's displays connect after the server starts; the map shows it live, without a reload.
        self.wait(lambda: " 0 offline" in self.text(".summary"), timeout=120, what="every simulated display connected")
        self.shot("map")
        search = self.driver.find_element(By.ID, "map-search")
        search.send_keys("old-town-bus-00")
        self.find("#map-results a")
        layer = self.driver.find_element(By.ID, "map-layer")
        layer.send_keys("PM")
        self.wait(lambda: "PM2.5" in self.text(".legend"), what="the PM2.5 legend")
        canvas = self.driver.find_element(By.CSS_SELECTOR, ".map-box canvas")
        canvas.send_keys("+")
        canvas.send_keys(Keys.ARROW_LEFT)
        self.shot("map-search-layer")
        self.check_console("map")

    def display_detail_and_brightness(self):
        self.driver.find_element(By.CSS_SELECTOR, "#map-results a").click()
        self.wait(lambda: "#/displays/old-town-bus-00" in self.driver.current_url, what="display page")
        self.wait(lambda: self.driver.execute_script("const i = document.getElementById('display-preview'); return i && i.complete && i.naturalWidth > 0"),
                  what="the live preview")
        self.wait(lambda: self.text("#now-playing") != "", what="what is on now")
        # The simulated display reports readings every minute: wait until it has and charts are drawn.
        # Charts are drawn once per load, so reload now and then (not on every poll: a page that is
        # reloaded faster than it loads never draws anything).
        reloaded = [time.time()]

        def charts_or_reload():
            if self.driver.find_elements(By.CSS_SELECTOR, "#display-charts figure svg polyline, #display-charts figure svg circle"):
                return True
            if time.time() - reloaded[0] > 10:
                self.driver.refresh()
                reloaded[0] = time.time()
            return False

        self.wait(charts_or_reload, timeout=150, what="sensor charts with data")
        self.find("#display-charts figure svg")
        level = self.driver.find_element(By.ID, "brightness-level")
        level.clear()
        level.send_keys("37")
        self.driver.find_element(By.ID, "cmd-brightness").click()
        self.wait(lambda: "brightness 37 done" in self.text("#command-list"), timeout=20, what="the brightness command done")
        self.driver.find_element(By.ID, "chart-range").send_keys("Last 7")
        time.sleep(0.5)
        self.shot("display")
        self.check_console("display")

    def districts(self):
        self.go("districts")
        self.wait(lambda: len(self.driver.find_elements(By.CSS_SELECTOR, "#district-table tbody tr")) == 9, what="nine districts")
        self.driver.find_element(By.ID, "export-csv").click()
        self.shot("districts")
        self.check_console("districts")

    def rule_written(self):
        """The operator writes a city rule in the form; it waits for approval."""
        self.go("rules")
        self.find("#alarm-table")
        form = self.find("#rule-form")
        form.find_element(By.NAME, "id").send_keys("browser-pm25")
        form.find_element(By.NAME, "name").send_keys("Dirty air, from the browser")
        Select(form.find_element(By.NAME, "metric")).select_by_value("pm25")
        Select(form.find_element(By.NAME, "district")).select_by_value("north")
        Select(form.find_element(By.NAME, "layoutId")).select_by_value("pole-128x64")
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        self.wait(lambda: "pending" in self.text('[data-rule="browser-pm25"]'), what="the rule listed, waiting for approval")
        self.shot("rules-operator")
        self.check_console("rules as operator")

    def rule_approved(self):
        """The approver (signed in by the content step) puts the rule to work."""
        self.go("rules")
        self.click('[data-rule="browser-pm25"] button.approve')
        self.wait(lambda: "approved" in self.text('[data-rule="browser-pm25"]'), what="the rule approved")
        self.shot("rules-approver")
        self.check_console("rules as approver")

    def content_approval(self):
        self.sign_in("publisher")
        self.go("content/edit/harbor-festival")
        text = self.find("#layout-texts input.layout-text")
        # The preview is drawn once when the page opens; wait for it, then watch it follow the edits.
        self.wait(lambda: self.driver.find_element(By.ID, "layout-preview").get_attribute("src"), what="the first preview")
        before = self.driver.find_element(By.ID, "layout-preview").get_attribute("src")
        text.clear()
        text.send_keys("Lantern parade now on the quay")
        self.wait(lambda: self.driver.find_element(By.ID, "layout-preview").get_attribute("src") != before, what="preview updating as you type")
        # Widgets are edited too, not only their texts: a new colour re-renders the preview.
        colour = self.driver.find_element(By.CSS_SELECTOR, "#layout-texts input[type=color]")
        before = self.driver.find_element(By.ID, "layout-preview").get_attribute("src")
        self.driver.execute_script("arguments[0].value = '#ffb000'; arguments[0].dispatchEvent(new Event('input'))", colour)
        self.wait(lambda: self.driver.find_element(By.ID, "layout-preview").get_attribute("src") != before, what="preview following the new colour")
        form = self.driver.find_element(By.ID, "campaign-form")
        for name in ["windowStart", "windowEnd"]:
            form.find_element(By.NAME, name).send_keys(Keys.DELETE, Keys.TAB, Keys.DELETE)
            self.driver.execute_script(f"document.querySelector('[name={name}]').value = ''")
        self.shot("campaign-editor")
        self.driver.find_element(By.ID, "save-campaign").click()
        self.wait(lambda: self.driver.current_url.endswith("#/content"), what="saved campaign")
        self.find('[data-review="harbor-festival"]')
        self.wait(lambda: "revision 2" in self.text('[data-review="harbor-festival"]'), what="revision 2 waiting")
        assert not self.driver.find_elements(By.CSS_SELECTOR, '[data-review="harbor-festival"] [data-approve]'), "the author sees no approve button"
        status, body = self.api("POST", "/v1/campaigns/harbor-festival/revisions/2/approve")
        assert status == 403, (status, body)
        self.shot("content-publisher")
        self.check_console("content as publisher")

        self.sign_in("approver")
        self.go("content")
        button = self.find('[data-approve="harbor-festival"]')
        self.shot("content-approver")
        button.click()
        self.wait(lambda: not self.driver.find_elements(By.CSS_SELECTOR, '[data-review="harbor-festival"]'), what="approval done")
        self.go("displays/harbor-pole-001")
        self.wait(lambda: "harbor-festival (revision 2)" in self.text("#now-playing"), what="the display plays the new revision")
        self.wait(lambda: self.driver.execute_script("const i = document.getElementById('display-preview'); return i.complete && i.naturalWidth > 0"), what="preview")
        self.shot("display-new-content")
        self.check_console("content as approver")

    def alert_coverage(self):
        self.sign_in("alerter")
        self.go("alerts")
        form = self.find("#alert-form")
        form.find_element(By.NAME, "event").send_keys("Flood")
        form.find_element(By.NAME, "headline").send_keys("Flood warning: keep away from the river")
        self.driver.find_element(By.ID, "alert-district").send_keys("Harbor")
        harbor = [d for d in self.every_display_id() if d.startswith("harbor-")]
        self.driver.find_element(By.ID, "post-alert").click()
        self.wait(lambda: self.driver.find_elements(By.CSS_SELECTOR, "[data-alert-coverage]"), what="the active alert")
        self.wait(lambda: f"{len(harbor)} of {len(harbor)} displays confirmed (100 %)" in self.text("[data-alert-coverage]"), timeout=30,
                  what=f"coverage of all {len(harbor)} harbor displays")
        self.shot("alerts")
        self.driver.find_element(By.CSS_SELECTOR, "[data-cancel]").click()
        self.driver.switch_to.alert.accept()
        self.wait(lambda: "No active alert." in self.text("#active-alerts"), what="the alert cancelled")
        self.wait(lambda: "cancelled" in self.text("#alert-history"), what="history shows the cancellation")
        # Warning feeds: follow one whose server does not answer; the console shows its health.
        form = self.find("#feed-form")
        form.find_element(By.NAME, "name").send_keys("Unreachable agency")
        form.find_element(By.NAME, "url").send_keys("http://127.0.0.1:9/warnings.atom")
        self.driver.find_element(By.ID, "add-feed").click()
        self.wait(lambda: "Unreachable agency" in self.text("#feed-rows"), what="the new feed listed")
        self.driver.find_element(By.CSS_SELECTOR, "[data-poll]").click()
        self.wait(lambda: "failing" in self.text("#feed-rows"), what="the feed's health shown as failing")
        self.driver.execute_script("document.getElementById('h-feeds').scrollIntoView()")
        self.driver.save_screenshot(os.path.join(self.screenshots, "alerts-feeds-1280.png"))
        self.check_console("alerts")

    def cross_site_request_refused(self):
        """A page of another origin makes the browser POST with the session cookie; the server refuses it."""
        probe = "<!doctype html><title>other site</title><script>fetch(%s, {method: 'POST', credentials: 'include', mode: 'no-cors'})" \
                ".finally(() => { document.title = 'sent'; });</script>" % json.dumps(self.url + "/v1/auth/logout")

        class Page(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.end_headers()
                self.wfile.write(probe.encode())

            def log_message(self, *args):
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            self.check_console("before the cross-site request")
            self.driver.get(f"http://127.0.0.1:{server.server_address[1]}/")
            self.wait(lambda: self.driver.title == "sent", what="the cross-site request")
            logs = [e["message"] for e in self.driver.get_log("browser") if e["level"] == "SEVERE"]
            assert any("403" in m for m in logs), f"the server answered the cross-site POST with 403: {logs}"
        finally:
            server.shutdown()
        status, me = self.api("GET", "/v1/me")
        assert status == 200 and me["username"] == "alerter", "the session survived the cross-site sign-out attempt"
        self.go("map")
        self.find(".map-box[data-markers]")
        session = self.session()
        self.driver.find_element(By.ID, "signout").click()
        self.find("form.signin")
        status, _ = self.api("GET", "/v1/me", session=session)
        assert status == 401, "signing out from the dashboard itself works"
        self.check_console("sign-out")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--screenshots", required=True)
    args = parser.parse_args()
    # A browser that stops answering must not hold the test run: give up after seven minutes.
    signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(AssertionError("the browser test ran past 420 s")))
    signal.alarm(420)
    dashboard = Dashboard(args.url, args.screenshots)
    try:
        dashboard.run()
    except AssertionError as error:
        print(f"FAILED: {error}", file=sys.stderr)
        sys.exit(1)
    finally:
        dashboard.driver.quit()


if __name__ == "__main__":
    main()
