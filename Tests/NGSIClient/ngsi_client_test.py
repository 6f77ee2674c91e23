#!/usr/bin/env python3
"""Orange's ngsildclient (PyPI, a client written for Orion-LD, Scorpio and Stellio) reading a
live `tentacle serve`: entities by type, a geo-query, a temporal series and a subscription
notification received here over HTTP.

The city is set up through Tentacle's own API (/v1); everything NGSI-LD goes through the
client library, so what it sends is what FIWARE integrators' code sends.

    python3 ngsi_client_test.py --url http://127.0.0.1:8080 --password PASSWORD

Exits 0 when every check passed; prints what failed otherwise.
"""

import argparse
import json
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

import requests
from requests.auth import AuthBase
from ngsildclient import Client, SubscriptionBuilder
from ngsildclient.api.helper.temporal import TemporalQuery


class Bearer(AuthBase):
    """Tentacle's API tokens, as every NGSI-LD request carries them."""

    def __init__(self, token):
        self.token = token

    def __call__(self, request):
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request


class Receiver(BaseHTTPRequestHandler):
    """Collects notification bodies; answers 204 like a notification endpoint."""

    received = []
    lock = threading.Lock()

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        with Receiver.lock:
            Receiver.received.append((self.headers.get("Content-Type"), json.loads(body)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def check(condition, message):
    if not condition:
        raise AssertionError(message)
    print(f"ok: {message}")


def setup_city(url, password):
    """A district, two air-quality sensors 3 km apart with an hour of pm25, and an API token."""
    s = requests.Session()
    r = s.post(f"{url}/v1/auth/login", json={"username": "admin", "password": password})
    r.raise_for_status()
    r = s.post(f"{url}/v1/tokens", json={"name": "ngsildclient"})
    r.raise_for_status()
    token = r.json()["secret"]
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {token}"

    def post(path, body):
        r = api.post(f"{url}{path}", json=body)
        if r.status_code != 201:
            raise AssertionError(f"POST {path} answered {r.status_code}: {r.text}")

    post("/v1/districts", {"code": "centre", "name": "Centre"})
    post("/v1/sensors", {"id": "aq-market", "kind": "air-quality", "metrics": ["pm25", "no2"],
                         "poleId": "P-1", "lat": 52.5200, "lon": 13.4050, "district": "centre"})
    post("/v1/sensors", {"id": "aq-harbour", "kind": "air-quality", "metrics": ["pm25"],
                         "poleId": "P-2", "lat": 52.5200, "lon": 13.4500, "district": "centre"})
    post("/v1/sensors", {"id": "noise-market", "kind": "noise", "metrics": ["noise_dba"],
                         "poleId": "P-1", "lat": 52.5200, "lon": 13.4050, "district": "centre"})
    start = datetime.now(timezone.utc).replace(second=0, microsecond=0) - timedelta(minutes=30)
    series = [(start + timedelta(minutes=5 * i), 10.0 + i) for i in range(6)]
    post("/v1/readings", {"source": "aq-market", "sequence": 1,
                          "readings": [{"metric": "pm25", "time": iso(t), "value": v} for t, v in series]})
    post("/v1/readings", {"source": "aq-harbour", "sequence": 1,
                          "readings": [{"metric": "pm25", "time": iso(start), "value": 30.0}]})
    post("/v1/readings", {"source": "noise-market", "sequence": 1,
                          "readings": [{"metric": "noise_dba", "time": iso(start), "value": 61.5}]})
    return token, api, series


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--password", required=True)
    args = parser.parse_args()
    url = args.url.rstrip("/")
    server = urlparse(url)

    token, api, series = setup_city(url, args.password)

    # The constructor probes the broker (GET entities?type=None&limit=0&count=true) and raises if that fails.
    client = Client(hostname=server.hostname, port=server.port, custom_auth=Bearer(token), verbose=False)

    # Entities by type.
    aq = client.query(type="AirQualityObserved")
    ids = sorted(e.id for e in aq)
    check(ids == ["urn:ngsi-ld:AirQualityObserved:aq-harbour", "urn:ngsi-ld:AirQualityObserved:aq-market"],
          f"two AirQualityObserved entities listed by type: {ids}")
    market = next(e for e in aq if e.id.endswith("aq-market"))
    check(market["pm25"].value == series[-1][1], f"aq-market's pm25 is its latest reading: {market['pm25'].value}")
    check(client.count(type="NoiseLevelObserved") == 1, "one NoiseLevelObserved counted")
    check(client.get("urn:ngsi-ld:NoiseLevelObserved:noise-market")["LAeq"].value == 61.5, "the noise entity read by id")

    # A geo-query: within 1 km of the market square only the market's sensor.
    near = client.query(type="AirQualityObserved",
                        gq="georel=near;maxDistance==1000&geometry=Point&coordinates=[13.4050,52.5200]")
    check([e.id for e in near] == ["urn:ngsi-ld:AirQualityObserved:aq-market"], f"near the market: {[e.id for e in near]}")
    wide = client.query(type="AirQualityObserved",
                        gq="georel=near;maxDistance==5000&geometry=Point&coordinates=[13.4050,52.5200]")
    check(len(wide) == 2, "within 5 km both sensors")

    # A temporal series, simplified (temporalValues) as the client asks by default.
    troe = client.temporal.get("urn:ngsi-ld:AirQualityObserved:aq-market", attrs=["pm25"])
    values = troe["pm25"]["values"]
    check([v for v, _ in values] == [v for _, v in series], f"the pm25 series in order: {values}")
    check(values[0][1].startswith(iso(series[0][0])[:16]), f"instances carry their observation time: {values[0][1]}")
    window = TemporalQuery().between(iso(series[1][0]), iso(series[3][0]))
    troes = client.temporal.query(type="AirQualityObserved", attrs=["pm25"], tq=window)
    market_troe = next(t for t in troes if t["id"].endswith("aq-market"))
    check([v for v, _ in market_troe["pm25"]["values"]] == [11.0, 12.0], f"a time window by type: {market_troe['pm25']}")

    # A subscription, and the notification a new reading causes.
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    endpoint = f"http://127.0.0.1:{receiver.server_address[1]}/notify"
    subscription = SubscriptionBuilder(endpoint).select_type("AirQualityObserved").watch(["pm25"]).query("pm25>50").build()
    subscription_id = client.subscriptions.create(subscription)
    check(subscription_id.startswith("urn:ngsi-ld:Subscription:"), f"subscription created: {subscription_id}")
    check(any(s["id"] == subscription_id for s in client.subscriptions.list()), "the subscription is listed")

    now = datetime.now(timezone.utc).replace(microsecond=0)
    r = api.post(f"{url}/v1/readings", json={"source": "aq-harbour", "sequence": 2, "readings": [
        {"metric": "pm25", "time": iso(now - timedelta(seconds=2)), "value": 40.0},  # below the threshold: no notification
        {"metric": "pm25", "time": iso(now - timedelta(seconds=1)), "value": 72.5},
    ]})
    check(r.status_code == 201, f"a new reading stored: {r.status_code}")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not Receiver.received:
        time.sleep(0.1)
    time.sleep(1)  # a second one would arrive by now
    with Receiver.lock:
        received = list(Receiver.received)
    check(len(received) == 1, f"one notification received: {len(received)}")
    content_type, notification = received[0]
    check(notification["type"] == "Notification" and notification["subscriptionId"] == subscription_id,
          f"a Notification for the subscription: {notification.get('type')} {notification.get('subscriptionId')}")
    entity = notification["data"][0]
    check(entity["id"] == "urn:ngsi-ld:AirQualityObserved:aq-harbour" and entity["pm25"]["value"] == 72.5,
          f"it carries the entity with its new value: {entity.get('id')} {entity.get('pm25')}")
    check(content_type.startswith("application/ld+json") and "@context" in notification,
          f"the endpoint asked for ld+json and got it with @context: {content_type}")
    status = client.subscriptions.get(subscription_id)
    check(status["notification"].get("timesSent") == 1 and "lastSuccess" in status["notification"],
          f"the subscription reports its delivery: {status['notification']}")
    client.subscriptions.purge()
    check(client.subscriptions.list() == [], "subscriptions deleted through the client")
    client.close()
    receiver.shutdown()
    print("all NGSI-LD client checks passed")


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # the test reads the transcript; print the cause plainly
        print(f"FAILED: {type(error).__name__}: {error}", file=sys.stderr)
        sys.exit(1)
