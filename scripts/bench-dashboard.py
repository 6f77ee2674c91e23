#!/usr/bin/python3
"""How fast the dashboard's city map is with 10,000 displays, in headless chromium on this machine.

    swift build -c release && scripts/bench-dashboard.py [--tentacle .build/release/tentacle] [--displays 10000] [--rounds 10]

Starts `tentacle demo --no-displays` on a free loopback port with a temporary data folder, imports
displays through POST /v1/displays/import until the city has --displays of them, signs in as admin
in Debian's chromium (chromium, chromium-driver, python3-selenium) and measures:

- map_first_draw_ms: from navigation start of #/map to the end of the paint that drew every marker,
  including the page, its modules, GET /v1/me, /v1/districts and the one GET /v1/map/displays;
- map_pan_repaint_ms and map_zoom_repaint_ms: the median, over --rounds key presses (arrow keys, + and -),
  from the key event to the end of the repaint (the map records both as performance measures).

Each figure names a baseline measured in the same run: a bare canvas page, served from loopback,
that draws the same number of markers one path each (bare_canvas_ms, from its navigation start), and
redraws them shifted after a key press (bare_canvas_repaint_ms). Prints a table, then one JSON line
per figure.
"""
import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import http.server
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service as ChromeService
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

BARE = """<!doctype html><meta charset="utf-8"><title>bare</title><canvas id="c" width="1000" height="700"></canvas><script>
const N = %d, c = document.getElementById('c'), ctx = c.getContext('2d');
let seed = 1; const rnd = () => (seed = (seed * 16807) %% 2147483647) / 2147483647;
const xs = new Float64Array(N), ys = new Float64Array(N);
for (let i = 0; i < N; i++) { xs[i] = rnd() * 1000; ys[i] = rnd() * 700; }
let dx = 0;
function draw() {
  ctx.fillStyle = '#0e1526'; ctx.fillRect(0, 0, 1000, 700);
  for (let i = 0; i < N; i++) { ctx.beginPath(); ctx.arc(xs[i] + dx, ys[i], 4, 0, 6.283); ctx.fillStyle = i %% 3 ? '#3ddc84' : '#ffb000'; ctx.fill(); }
}
requestAnimationFrame(() => { draw(); performance.mark('bare-drawn'); });
addEventListener('keydown', (e) => { const at = e.timeStamp; dx += 20; requestAnimationFrame(() => { draw(); performance.measure('bare-repaint', { start: at, end: performance.now() }); }); });
</script>"""


def request(url, method="GET", body=None, headers=None):
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    with urllib.request.urlopen(req, timeout=120) as response:
        return response.status, response.read(), response.headers


def start_server(tentacle, data):
    process = subprocess.Popen([tentacle, "demo", "--no-displays", "--port", "0", "--data", data, "--bcrypt-cost", "4"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        if "is running: open http://" in line:
            threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()
            return process, line.split("open ")[1].strip().rstrip("/")
    process.kill()
    raise SystemExit("tentacle demo did not start")


def fill_city(url, target):
    status, body, headers = request(url + "/v1/auth/login", "POST", json.dumps({"username": "admin", "password": "tentacle-demo"}).encode(),
                                    {"Content-Type": "application/json"})
    cookie = headers["Set-Cookie"].split(";")[0]
    auth = {"Cookie": cookie, "Origin": url}
    districts = json.loads(request(url + "/v1/districts", headers=auth)[1])["items"]
    count = len(json.loads(request(url + "/v1/map/displays", headers=auth)[1])["items"])
    rows = ["id,name,width,height,lat,lon,district,pole_id,groups,tags,timezone,notes"]
    rng = random.Random(7)
    for n in range(max(0, target - count)):
        d = districts[n % len(districts)]
        ring = d["boundary"]["coordinates"][0] if d["boundary"]["type"] == "Polygon" else d["boundary"]["coordinates"][0][0]
        lons, lats = [p[0] for p in ring], [p[1] for p in ring]
        lon, lat = rng.uniform(min(lons), max(lons)), rng.uniform(min(lats), max(lats))
        rows.append(f"bench-{n:05d},Bench display {n},64,32,{lat:.6f},{lon:.6f},{d['code']},BP-{n:05d},,bench,Asia/Shanghai,")
    if len(rows) > 1:
        request(url + "/v1/displays/import", "POST", "\n".join(rows).encode() + b"\n", {**auth, "Content-Type": "text/csv"})
    return len(json.loads(request(url + "/v1/map/displays", headers=auth)[1])["items"])


def browser():
    options = webdriver.ChromeOptions()
    for flag in ["--no-sandbox", "--headless=new", "--window-size=1280,800", "--disable-dev-shm-usage"]:
        options.add_argument(flag)
    return webdriver.Chrome(service=ChromeService(executable_path="/usr/bin/chromedriver"), options=options)


def measure_map(driver, url, displays, rounds):
    driver.get(url + "/")
    form = WebDriverWait(driver, 30).until(lambda d: d.find_element(By.CSS_SELECTOR, "form.signin"))
    form.find_element(By.NAME, "username").send_keys("admin")
    form.find_element(By.NAME, "password").send_keys("tentacle-demo" + Keys.ENTER)
    WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".map-box[data-markers]"))
    firsts = []
    for _ in range(3):
        driver.get("about:blank")
        driver.get(url + "/#/map")
        first = WebDriverWait(driver, 60, poll_frequency=0.05).until(lambda d: d.execute_script(
            "const m = performance.getEntriesByName('map-draw').find((e) => e.detail.markers === arguments[0]);"
            "return m ? m.startTime + m.duration : null;", displays))
        firsts.append(first)
    fetch = driver.execute_script(
        "const r = performance.getEntriesByType('resource').find((e) => e.name.includes('/v1/map/displays'));"
        "return r ? [r.startTime, r.responseEnd, r.encodedBodySize] : null;")
    print(f"last load: GET /v1/map/displays from {fetch[0]:.0f} to {fetch[1]:.0f} ms, {fetch[2]} bytes; all markers drawn at {first:.0f} ms")
    time.sleep(0.5)
    canvas = lambda: driver.find_element(By.CSS_SELECTOR, ".map-box canvas")
    figures = {}
    for name, keys in [("pan", [Keys.ARROW_LEFT, Keys.ARROW_UP, Keys.ARROW_RIGHT, Keys.ARROW_DOWN]), ("zoom", ["+", "-"])]:
        driver.execute_script("performance.clearMeasures('map-repaint')")
        for i in range(rounds):
            canvas().send_keys(keys[i % len(keys)])
            time.sleep(0.15)
        values = driver.execute_script("return performance.getEntriesByName('map-repaint').map((e) => e.duration)")
        figures[name] = (statistics.median(values), max(values), len(values))
    return statistics.median(firsts), figures


def measure_bare(driver, displays, rounds):
    page = (BARE % displays).encode()

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        firsts = []
        for _ in range(3):
            driver.get("about:blank")
            driver.get(f"http://127.0.0.1:{server.server_address[1]}/")
            firsts.append(WebDriverWait(driver, 30, poll_frequency=0.05).until(lambda d: d.execute_script(
                "const m = performance.getEntriesByName('bare-drawn')[0]; return m ? m.startTime : null;")))
        body = driver.find_element(By.TAG_NAME, "body")
        for _ in range(rounds):
            body.send_keys(Keys.ARROW_RIGHT)
            time.sleep(0.15)
        repaints = driver.execute_script("return performance.getEntriesByName('bare-repaint').map((e) => e.duration)")
        return statistics.median(firsts), statistics.median(repaints)
    finally:
        server.shutdown()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default = ".build/release/tentacle" if os.path.exists(".build/release/tentacle") else ".build/debug/tentacle"
    parser.add_argument("--tentacle", default=default)
    parser.add_argument("--displays", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    data = tempfile.mkdtemp(prefix="tentacle-bench-dashboard-")
    process, url = start_server(args.tentacle, data)
    driver = browser()
    try:
        displays = fill_city(url, args.displays)
        first, repaint = measure_map(driver, url, displays, args.rounds)
        bare_first, bare_repaint = measure_bare(driver, displays, args.rounds)
    finally:
        driver.quit()
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(data, ignore_errors=True)
    rows = [
        ("map_first_draw_ms", first, "bare_canvas_ms", bare_first),
        ("map_pan_repaint_ms", repaint["pan"][0], "bare_canvas_repaint_ms", bare_repaint),
        ("map_zoom_repaint_ms", repaint["zoom"][0], "bare_canvas_repaint_ms", bare_repaint),
    ]
    print(f"dashboard map, {displays} displays, headless chromium ({args.tentacle})")
    print(f"{'figure':<22}{'value ms':>10}  {'baseline':<24}{'baseline ms':>12}{'ratio':>8}")
    for figure, value, baseline, baseline_value in rows:
        print(f"{figure:<22}{value:>10.1f}  {baseline:<24}{baseline_value:>12.1f}{value / baseline_value:>8.2f}")
    print(f"worst repaint: pan {repaint['pan'][1]:.1f} ms, zoom {repaint['zoom'][1]:.1f} ms over {args.rounds} key presses each")
    for figure, value, baseline, baseline_value in rows:
        print(json.dumps({"bench": "dashboard", "figure": figure, "value": round(value, 1), "baseline": baseline,
                          "baseline_value": round(baseline_value, 1), "ratio": round(value / baseline_value, 3)}))


if __name__ == "__main__":
    sys.exit(main())
