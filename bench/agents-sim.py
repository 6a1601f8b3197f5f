#!/usr/bin/python3
"""Simulated `preflight agent`s: K of them in one asyncio process, for measuring a coordinator. Not a test.

    agents-sim.py --coordinator wss://127.0.0.1:7443 --agents K (--ca-file CA.pem | --insecure)
                  [--agent-token-file FILE] [--requests 300] [--stats FILE] [--progress FILE]
    agents-sim.py --selftest [RUN.json ...]

Each simulated agent speaks the protocol of core/distributed/agentsession.cpp over its own TLS WebSocket
(docs/distributed.md): hello {version, name, workers, nonce} → checks the coordinator's challenge proof
(HMAC-SHA256(token, "coordinator\\n" + agent nonce + "\\n" + coordinator nonce)) before proving itself with
auth {proof} (HMAC-SHA256(token, "agent\\n" + coordinator nonce + "\\n" + agent nonce)); answers every ping with
pong {t0, t1}; takes assign {plan, segment, …} and answers assigned {engine}; after start_at {wall_ms} sends one
snapshot {interval} per 250 ms of the plan's schedule (plus the short drain interval the real engine sends),
then error_samples {samples} and done {}, and closes. A stop {level} ends the load at once the way the real
engine does: one last partial interval, error_samples, done. A stop before the start instant answers done.

No load is generated. The intervals are what a real agent would send for a loopback target answering in a
few milliseconds: per endpoint and interval ~--requests recorded latencies (log-normal, a few hundred distinct
buckets), status 200 with a few 503s, byte and protocol counters, and both histograms serialized exactly as
LatencyHistogram::serialize() (core/data/latencyhistogram.cpp) does, in base64. To keep the simulator's own
CPU small, a pool of --variants intervals per endpoint is generated once and each snapshot picks one: the
coordinator still decodes and merges every one of them.

The token comes from PREFLIGHT_AGENT_TOKEN or --agent-token-file, exactly as `preflight agent` reads it; it is
never printed. Traffic goes only to the --coordinator URL. --stats FILE receives the totals the coordinator
must have stored (requests per endpoint, status counts, the expected merged percentiles), the simulator's own
lateness and CPU; --progress FILE is rewritten every 0.5 s with the snapshots sent so far (for a sampler).
"""
import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import math
import os
import random
import secrets
import ssl
import sys
import time

PROTOCOL_VERSION = 1  # AgentProtocol::kVersion
TICK_S = 0.25  # EngineOptions::tick_ms

# --- LatencyHistogram (core/data/latencyhistogram.{h,cpp}) -----------------------------------------------------
EXACT_BITS = 8  # values < 256 µs are exact
SUB_BUCKET_BITS = 7  # 128 buckets per octave above that
EXACT_LIMIT = 1 << EXACT_BITS
SUB_BUCKETS = 1 << SUB_BUCKET_BITS
MAX_TRACKABLE_US = 3600 * 1000 * 1000
FORMAT_VERSION = 1
SPARSE_COUNT_MASK = (1 << 48) - 1


def bucket_index(value_us):
    value_us = min(value_us, MAX_TRACKABLE_US)
    if value_us < EXACT_LIMIT:
        return value_us
    octave = value_us.bit_length() - 1
    shift = octave - SUB_BUCKET_BITS
    sub = (value_us >> shift) - SUB_BUCKETS
    return EXACT_LIMIT + (octave - EXACT_BITS) * SUB_BUCKETS + sub


def bucket_lowest(index):
    if index < EXACT_LIMIT:
        return index
    rel = index - EXACT_LIMIT
    octave = EXACT_BITS + rel // SUB_BUCKETS
    return (SUB_BUCKETS + rel % SUB_BUCKETS) << (octave - SUB_BUCKET_BITS)


def bucket_highest(index):
    if index < EXACT_LIMIT:
        return index
    octave = EXACT_BITS + (index - EXACT_LIMIT) // SUB_BUCKETS
    return bucket_lowest(index) + (1 << (octave - SUB_BUCKET_BITS)) - 1


BUCKET_COUNT = bucket_index(MAX_TRACKABLE_US) + 1


def put_varint(out, v):
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)


def get_varint(data, pos):
    result = 0
    shift = 0
    while shift < 64 and pos < len(data):
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
    raise ValueError("truncated varint")


class Histogram:
    """The counts of a LatencyHistogram: buckets {index: count}, count, sum, min and max in µs."""

    def __init__(self):
        self.buckets = {}
        self.count = 0
        self.sum_us = 0
        self.min_us = None
        self.max_us = 0

    def record(self, value_us, count=1):
        value_us = int(value_us)
        if count == 0:
            return
        i = bucket_index(value_us)
        self.buckets[i] = self.buckets.get(i, 0) + count
        self.count += count
        self.sum_us += value_us * count
        self.min_us = value_us if self.min_us is None else min(self.min_us, value_us)
        self.max_us = max(self.max_us, value_us)

    def merge(self, other, times=1):
        """Adds `other` `times` times (as merging that many copies would)."""
        if other.count == 0 or times == 0:
            return
        for i, c in other.buckets.items():
            self.buckets[i] = self.buckets.get(i, 0) + c * times
        self.count += other.count * times
        self.sum_us += other.sum_us * times
        self.min_us = other.min_us if self.min_us is None else min(self.min_us, other.min_us)
        self.max_us = max(self.max_us, other.max_us)

    def serialize(self):
        out = bytearray([FORMAT_VERSION])
        put_varint(out, self.count)
        if self.count == 0:
            return bytes(out)
        put_varint(out, self.sum_us)
        put_varint(out, self.min_us)
        put_varint(out, self.max_us)
        previous = -1
        for i in sorted(self.buckets):
            put_varint(out, i - previous)
            put_varint(out, self.buckets[i])
            previous = i
        return bytes(out)

    @staticmethod
    def deserialize(data):
        if not data or data[0] != FORMAT_VERSION:
            raise ValueError("not format version 1")
        h = Histogram()
        total, pos = get_varint(data, 1)
        if total == 0:
            if pos != len(data):
                raise ValueError("trailing bytes")
            return h
        h.sum_us, pos = get_varint(data, pos)
        h.min_us, pos = get_varint(data, pos)
        h.max_us, pos = get_varint(data, pos)
        index = -1
        while pos < len(data):
            gap, pos = get_varint(data, pos)
            count, pos = get_varint(data, pos)
            if gap == 0 or count == 0 or gap >= BUCKET_COUNT or count > SPARSE_COUNT_MASK:
                raise ValueError("bad bucket")
            index += gap
            if index >= BUCKET_COUNT:
                raise ValueError("bucket out of range")
            h.buckets[index] = count
            h.count += count
        if h.count != total:
            raise ValueError("counts do not add up")
        return h

    def value_at_quantile(self, q):
        """LatencyHistogram::valueAtQuantile: nearest rank, bucket midpoint, clamped to [min, max]."""
        if self.count == 0:
            return 0
        q = min(max(q, 0.0), 1.0)
        rank = max(1, math.ceil(q * self.count))
        seen = 0
        for i in sorted(self.buckets):
            seen += self.buckets[i]
            if seen >= rank:
                lo, hi = bucket_lowest(i), bucket_highest(i)
                return min(max(lo + (hi - lo) // 2, self.min_us), self.max_us)
        return self.max_us

    def summary_ms(self):
        """What JsonSummary::latencyObject reports (ms, 3 decimals)."""
        r = lambda v: round(v, 3)
        return {
            "p50": r(self.value_at_quantile(0.50) / 1000.0),
            "p90": r(self.value_at_quantile(0.90) / 1000.0),
            "p95": r(self.value_at_quantile(0.95) / 1000.0),
            "p99": r(self.value_at_quantile(0.99) / 1000.0),
            "p999": r(self.value_at_quantile(0.999) / 1000.0),
            "max": r(self.max_us / 1000.0),
            "mean": r(self.sum_us / self.count / 1000.0) if self.count else 0,
        }


# --- Schedule (core/load/schedule.cpp) -------------------------------------------------------------------------
class Schedule:
    def __init__(self, scenario):
        self.stages = []  # (start_s, duration_s, from, to)
        self.open_model = False
        self.duration_s = 0.0
        preset = scenario.get("preset", "sweep")

        def add(duration, a, b):
            self.stages.append((self.duration_s, float(duration), float(a), float(b)))
            self.duration_s += float(duration)

        if preset == "sweep":
            for level in scenario.get("levels", []):
                add(scenario.get("step_s", 0), level, level)
        elif preset == "stages":
            stages = scenario.get("stages", [])
            self.open_model = bool(stages) and stages[0].get("rate", -1) >= 0
            previous = 0
            for st in stages:
                target = st.get("rate", 0) if self.open_model else st.get("users", 0)
                add(st.get("duration_s", 0), previous, target)
                previous = target
        elif preset == "burst":
            if scenario.get("idle_s", 0) > 0:
                add(scenario["idle_s"], 0, 0)
            add(scenario.get("duration_s", 0), scenario.get("users", 0), scenario.get("users", 0))
        else:  # sustain, soak
            rate = scenario.get("rate", -1)
            self.open_model = rate > 0
            value = rate if self.open_model else scenario.get("users", 0)
            add(scenario.get("duration_s", 0), value, value)

    def stage_at(self, t):
        if t < 0:
            return 0 if self.stages else -1
        for i, (start, duration, _a, _b) in enumerate(self.stages):
            if t < start + duration:
                return i
        return -1

    def target_at(self, t):
        i = self.stage_at(t)
        if i < 0:
            return 0.0
        start, duration, a, b = self.stages[i]
        fraction = min(max((t - start) / duration, 0.0), 1.0) if duration > 0 else 1.0
        return a + (b - a) * fraction

    def peak(self):
        return max([max(a, b) for _s, _d, a, b in self.stages] or [0.0])


def closed_share(target_users, index, worker_count):  # LoadDriver::closedShare
    users = int(math.floor(target_users + 1e-9))
    n = max(1, worker_count)
    return users // n + (1 if index < users % n else 0)


def users_at(segment, target_users):  # SegmentPlan::usersAt
    return sum(closed_share(target_users, segment["index"] + segment["count"] * j,
                            segment["workers"] * segment["count"]) for j in range(segment["workers"]))


# --- What a real agent's intervals look like -------------------------------------------------------------------
def dumps(o):
    return json.dumps(o, separators=(",", ":"))


class Traffic:
    """A pool of per-endpoint interval contents (JSON text of one EndpointStats) and what they add up to."""

    def __init__(self, endpoints, requests, variants, error_rate, seed):
        rnd = random.Random(seed)
        self.endpoints = endpoints
        self.variants = []  # [endpoint][variant] -> (json text, requests, status counts, Histogram)
        for e in range(endpoints):
            median_us = 1500.0 * (1 + e)  # each endpoint its own latency
            pool = []
            for _ in range(variants):
                n = max(1, int(rnd.gauss(requests, requests * 0.08)))
                h = Histogram()
                errors = 0
                for _ in range(n):
                    # log-normal around the median with a slow tail: a few hundred distinct buckets.
                    v = median_us * math.exp(rnd.gauss(0.0, 0.55))
                    if rnd.random() < 0.01:
                        v *= rnd.uniform(3.0, 12.0)
                    h.record(max(1, int(v)))
                    if rnd.random() < error_rate:
                        errors += 1
                status = {"200": n - errors}
                if errors:
                    status["503"] = errors
                hist = base64.b64encode(h.serialize()).decode("ascii")
                stats = {
                    "requests": n,
                    "ok": n - errors,
                    "http_errors": errors,
                    "error_counts": {},
                    "status_counts": status,
                    "bytes_received": n * 2,
                    "transport": {"connections": 0, "protocols": {"HTTP/1.1": n}},
                    # Closed model: corrected and uncorrected latency are the same measurement.
                    "latency_hist": hist,
                    "latency_uncorrected_hist": hist,
                }
                pool.append((dumps(stats), n, status, h))
            self.variants.append(pool)

    def pick(self, agent, index, e):
        """The variant an agent sends for endpoint e in interval `index`: agents agree modulo the pool size, so
        one interval's messages are built once per tick for all the agents that send the same one."""
        return (agent + index * 13 + e * 31) % len(self.variants[e])


def small_endpoint(n, median_us, rnd):
    """A short interval's stats (the drain or a stop): n requests, built on the spot."""
    h = Histogram()
    for _ in range(n):
        h.record(max(1, int(median_us * math.exp(rnd.gauss(0.0, 0.55)))))
    hist = base64.b64encode(h.serialize()).decode("ascii") if n else base64.b64encode(bytes([1, 0])).decode()
    stats = {
        "requests": n, "ok": n, "http_errors": 0, "error_counts": {},
        "status_counts": {"200": n} if n else {}, "bytes_received": n * 2,
        "transport": {"connections": 0, "protocols": {"HTTP/1.1": n} if n else {}},
        "latency_hist": hist, "latency_uncorrected_hist": hist,
    }
    return dumps(stats), n, stats["status_counts"], h


# --- The simulator --------------------------------------------------------------------------------------------
class Shared:
    def __init__(self, args):
        self.args = args
        self.traffic = None
        self.sent = 0  # snapshots sent by every agent
        self.lag_ms = []  # how late each snapshot left after its tick (the simulator's own lateness)
        self.usage = {}  # (endpoint, variant) -> times sent
        self.extra = []  # (endpoint, entry) sent outside the pool (drain, stop)
        self.messages = {}  # one tick's snapshot texts, shared by the agents that send the same one
        self.messages_index = -1
        self.error_samples = 0
        self.outcomes = {}
        self.started_wall_ms = None
        self.first_start_wall_ms = None
        self.done = 0
        self.schedule_s = None
        self.loop_lag_ms = {}  # phase -> lateness of the 20 ms monitor timer
        self.ping_forward_ms = []
        self.ping_return_ms = []
        self.launched = time.time()
        self.start_at_received_s = None

    def totals(self):
        """Requests, status counts and the merged histogram per endpoint of everything sent."""
        sent = [((e, self.traffic.variants[e][v]), times) for (e, v), times in self.usage.items()]
        sent += [((e, entry), 1) for e, entry in self.extra]
        requests, status, merged = {}, {}, {}
        for (e, (_text, n, codes, h)), times in sent:
            requests[e] = requests.get(e, 0) + n * times
            st = status.setdefault(e, {})
            for k, v in codes.items():
                st[k] = st.get(k, 0) + v * times
            merged.setdefault(e, Histogram()).merge(h, times)
        return requests, status, merged


def proof(token, role, first, second):  # AgentProtocol::proof
    return hmac.new(token, role.encode() + b"\n" + first + b"\n" + second, hashlib.sha256).hexdigest()


class AgentFailed(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


class SimAgent:
    def __init__(self, number, shared, ssl_context, token):
        self.number = number
        self.shared = shared
        self.args = shared.args
        self.ssl = ssl_context
        self.token = token
        self.name = "%s-%04d" % (self.args.name_prefix, number)
        self.ws = None
        self.nonce = secrets.token_hex(32).encode()  # AgentProtocol::newNonce: 32 random bytes, hex
        self.authenticated = False
        self.running = False
        self.finished = False
        self.plan = None
        self.segment = None
        self.schedule = None
        self.ticker = None
        self.ticker_error = None
        self.start_loop = None
        self.next_index = 0  # the interval the engine is filling
        self.statuses = {}  # endpoint -> 503 count, for error_samples
        self.rnd = random.Random(number)
        self.clock_rounds = []  # (forward ms, return ms or None, t1) of each ping

    def wall_ms(self):
        return time.time() * 1000.0 + self.args.clock_skew_ms

    async def send(self, message):
        await self.ws.send(message if isinstance(message, str) else dumps(message))

    async def run(self):
        import websockets

        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.args.connect_timeout
        while True:
            try:
                self.ws = await websockets.connect(
                    self.args.coordinator, ssl=self.ssl, compression=None, max_size=None, ping_interval=None,
                    open_timeout=15, close_timeout=2, max_queue=None)
                break
            except ssl.SSLCertVerificationError as e:
                raise AgentFailed(2, "the coordinator's TLS certificate was not accepted (%s)" % e.verify_message)
            except (OSError, asyncio.TimeoutError, websockets.exceptions.InvalidHandshake,
                    websockets.exceptions.ConnectionClosed):
                if loop.time() > deadline:
                    raise AgentFailed(3, "no coordinator at %s within %d s" %
                                      (self.args.coordinator, self.args.connect_timeout))
                await asyncio.sleep(0.5)  # AgentSession retries every 500 ms
        await self.send({"type": "hello", "version": PROTOCOL_VERSION, "name": self.name,
                         "workers": self.args.workers, "nonce": self.nonce.decode()})
        try:
            async for text in self.ws:
                await self.on_message(text)
                if self.finished:
                    break
        except websockets.exceptions.ConnectionClosed:
            pass
        finally:
            if self.ticker:
                self.ticker.cancel()
        if self.ticker_error is not None:
            raise self.ticker_error
        if not self.finished:
            raise AgentFailed(5, "lost the coordinator during the run" if self.running
                              else "the coordinator closed the connection before the run")
        await self.ws.close()

    async def fail(self, code, message):
        if self.ws and not self.ws.closed:
            await self.send({"type": "error", "message": message})
            await self.ws.close()
        raise AgentFailed(code, message)

    async def on_message(self, text):
        try:
            message = json.loads(text)
        except ValueError:
            message = None
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            return await self.fail(2, "the coordinator sent a message that is not Preflight's protocol")
        kind = message["type"]
        if kind == "error":
            raise AgentFailed(2, "the coordinator refused this agent: " + str(message.get("message", "")))
        if kind == "challenge":
            coordinator_nonce = str(message.get("nonce", "")).encode("latin-1")
            expected = proof(self.token, "coordinator", self.nonce, coordinator_nonce)
            if len(coordinator_nonce) < 32 or not hmac.compare_digest(str(message.get("proof", "")), expected):
                return await self.fail(2, "the coordinator could not prove it knows the agent token")
            return await self.send({"type": "auth", "proof": proof(self.token, "agent", coordinator_nonce, self.nonce)})
        if kind == "welcome":
            self.authenticated = True
            return
        if not self.authenticated:
            return await self.fail(2, "the coordinator skipped authentication; nothing was run")
        if kind == "ping":
            t1 = self.wall_ms()
            try:
                # Same host, same clock: the forward leg is t0 (coordinator) to this handler; the coordinator stamps
                # t2 of the previous round just before it stamps this t0, so the previous return leg is t0 − t1'.
                t0 = float(message.get("t0")) + self.args.clock_skew_ms
                if self.clock_rounds and self.clock_rounds[-1][1] is None:
                    fwd, _ret, t1_previous = self.clock_rounds[-1]
                    self.clock_rounds[-1] = (fwd, t0 - t1_previous, t1_previous)
                    self.shared.ping_return_ms.append(t0 - t1_previous)
                self.clock_rounds.append((t1 - t0, None, t1))
                self.shared.ping_forward_ms.append(t1 - t0)
            except (TypeError, ValueError):
                pass
            return await self.send({"type": "pong", "t0": message.get("t0"), "t1": t1})
        if kind == "assign":
            return await self.assign(message)
        if kind == "start_at" and self.plan is not None and not self.running:
            ahead_s = (float(message["wall_ms"]) - self.wall_ms()) / 1000.0
            loop = asyncio.get_running_loop()
            self.start_loop = loop.time() + ahead_s
            self.running = True
            if self.shared.first_start_wall_ms is None:
                self.shared.first_start_wall_ms = float(message["wall_ms"])
                self.shared.start_at_received_s = time.time() - self.shared.launched
                write_progress(self.shared, force=True)
            self.ticker = asyncio.ensure_future(self.stream())
            self.ticker.add_done_callback(self.on_ticker_done)
            return
        if kind == "stop" and self.plan is not None:
            return await self.stop(int(message.get("level", 1)))

    def on_ticker_done(self, task):
        # A failure while streaming is the simulator's: end this agent's connection and report it.
        if not task.cancelled() and task.exception() is not None:
            self.ticker_error = task.exception()
            asyncio.ensure_future(self.ws.close())

    async def assign(self, message):
        if self.plan is not None:
            return await self.fail(2, "a second assignment on one connection")
        plan = message.get("plan")
        if not isinstance(plan, dict) or not plan.get("endpoints"):
            return await self.fail(2, "the plan cannot be read")
        self.plan = plan
        self.segment = message.get("segment") or {}
        for k in ("index", "count", "workers", "sequence_stride"):
            self.segment[k] = max(0 if k == "index" else 1, int(self.segment.get(k, 0 if k == "index" else 1)))
        self.schedule = Schedule(plan.get("scenario", {}))
        shared = self.shared
        if shared.traffic is None:
            shared.traffic = Traffic(len(plan["endpoints"]), self.args.requests, self.args.variants,
                                     self.args.error_rate, self.args.seed)
            shared.schedule_s = self.schedule.duration_s
        await self.send({"type": "assigned", "engine": self.args.engine_id})

    def interval_text(self, index, start_s, end_s, entries, first=False):
        sch = self.schedule
        stage = sch.stage_at((start_s + end_s) / 2)
        target = sch.target_at(min(end_s, sch.duration_s) - 1e-9) if stage >= 0 else 0.0
        started = sum(n for _t, n, _s, _h in entries)
        head = {
            "index": index, "start_s": start_s, "end_s": end_s, "stage_index": stage,
            "target_users": 0.0 if sch.open_model else target, "target_rate": target if sch.open_model else 0.0,
            "in_flight": (0 if sch.open_model else users_at(self.segment, target)) if stage >= 0 else 0,
            "queued": 0, "started": started, "dropped": 0,
            # ~25 µs of client CPU per request (docs/benchmarks.md), over the segment's load threads.
            "client_cpu_s": round(started * 25e-6, 6), "load_threads": self.segment["workers"],
            "send_lag_ms": 0.05 if sch.open_model else -1,
        }
        endpoints = []
        for e, (text, _n, _s, _h) in enumerate(entries):
            if first:
                text = text.replace('"connections":0', '"connections":%d' % max(1, self.segment["workers"]), 1)
            endpoints.append(text)
        return ('{"type":"snapshot","interval":' + dumps(head)[:-1] + ',"endpoints":[' + ",".join(endpoints)
                + "]}}")

    async def stream(self):
        """LoadEngine::coordinate(): interval n leaves at start + (n + 1) · 250 ms."""
        loop = asyncio.get_running_loop()
        shared = self.shared
        traffic = shared.traffic
        full = int(math.ceil(self.schedule.duration_s / TICK_S - 1e-9))
        await asyncio.sleep(max(0.0, self.start_loop - loop.time()))
        for index in range(full):
            due = self.start_loop + (index + 1) * TICK_S
            delay = due - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            if self.finished:
                return
            shared.lag_ms.append((loop.time() - due) * 1000.0)
            picks = [traffic.pick(self.number, index, e) for e in range(traffic.endpoints)]
            for e, v in enumerate(picks):
                shared.usage[(e, v)] = shared.usage.get((e, v), 0) + 1
                errors = traffic.variants[e][v][2].get("503")
                if errors:
                    self.statuses[e] = self.statuses.get(e, 0) + errors
            if index > shared.messages_index:  # keep the last few ticks' texts (late agents still send them)
                shared.messages_index = index
                shared.messages = {k: v for k, v in shared.messages.items() if k[0] >= index - 2}
            key = (index, tuple(picks), users_at(self.segment, self.schedule.target_at(
                min((index + 1) * TICK_S, self.schedule.duration_s) - 1e-9)), self.segment["workers"])
            text = shared.messages.get(key)
            if text is None:
                end_s = min((index + 1) * TICK_S, self.schedule.duration_s)
                entries = [traffic.variants[e][v] for e, v in enumerate(picks)]
                text = self.interval_text(index, index * TICK_S, end_s, entries, first=index == 0)
                shared.messages[key] = text
            self.next_index = index + 1
            await self.send(text)
            shared.sent += 1
        # The schedule is over: the in-flight requests complete in a short drain interval (stage -1).
        if self.args.drain:
            users = users_at(self.segment, self.schedule.target_at(self.schedule.duration_s - 1e-9))
            entries = []
            for e in range(traffic.endpoints):
                n = users // traffic.endpoints + (1 if e < users % traffic.endpoints else 0)
                entry = small_endpoint(n, 1500.0 * (1 + e), self.rnd)
                entries.append(entry)
                shared.extra.append((e, entry))
            d = self.schedule.duration_s
            await self.send(self.interval_text(full, d, d + 0.002, entries))
            shared.sent += 1
        await self.finish()

    async def stop(self, level):
        if self.start_loop is not None and asyncio.get_running_loop().time() < self.start_loop:
            # Stopped before the start instant: nothing was sent; an empty run.
            if self.ticker:
                self.ticker.cancel()
            await self.send({"type": "done"})
            self.finished = True
            return
        if self.ticker:
            self.ticker.cancel()
        if self.finished:
            return
        # The engine stops at once (level 2 abandons in-flight requests) and sends what it measured so far.
        loop = asyncio.get_running_loop()
        index = self.next_index
        start_s = index * TICK_S
        end_s = max(start_s, loop.time() - self.start_loop)
        fraction = min(1.0, (end_s - start_s) / TICK_S)
        entries = []
        for e in range(self.shared.traffic.endpoints):
            entry = small_endpoint(int(self.args.requests * fraction), 1500.0 * (1 + e), self.rnd)
            entries.append(entry)
            self.shared.extra.append((e, entry))
        await self.send(self.interval_text(index, start_s, end_s, entries))
        self.shared.sent += 1
        await self.finish()

    async def finish(self):
        """AgentSession::onEngineFinished: error_samples, done, close."""
        if self.finished:
            return
        samples = []
        body = base64.b64encode(b"<html><body>503 Service Unavailable</body></html>").decode()
        for e, count in sorted(self.statuses.items()):
            samples.append({"endpoint": e, "status": 503, "error_class": 6, "retry_after": "",
                            "content_type": "text/html", "server": "delayserver", "body": body,
                            "first_seen_s": 0.5, "last_seen_s": self.schedule.duration_s - 0.5,
                            "stage_index": 0, "count": count})
        self.shared.error_samples += len(samples)
        await self.send({"type": "error_samples", "samples": samples})
        await self.send({"type": "done"})
        self.finished = True
        self.shared.done += 1
        await self.ws.close()  # as AgentSession does after done


def write_progress(shared, force=False):
    path = shared.args.progress
    if not path:
        return
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump({"wall": time.time(), "sent": shared.sent, "done": shared.done,
                   "start_wall_ms": shared.first_start_wall_ms, "schedule_s": shared.schedule_s,
                   "max_lag_ms": max(shared.lag_ms) if shared.lag_ms else 0.0}, f)
    os.replace(tmp, path)


async def progress_loop(shared):
    while True:
        write_progress(shared)
        await asyncio.sleep(0.5)


async def loop_monitor(shared):
    """How late a 20 ms timer fires: the simulator's own event-loop delay, before and after the start instant
    (a ping that waits in this process's queue looks like clock offset to the coordinator)."""
    loop = asyncio.get_running_loop()
    while True:
        due = loop.time() + 0.02
        await asyncio.sleep(0.02)
        late = (loop.time() - due) * 1000.0
        phase = "gather" if shared.traffic is None else "assigned" if shared.first_start_wall_ms is None else "run"
        shared.loop_lag_ms.setdefault(phase, []).append(late)


def read_token(path):  # AgentProtocol::readToken
    token = os.environ.get("PREFLIGHT_AGENT_TOKEN", "").strip().encode()
    if not token and path:
        with open(path, "rb") as f:
            token = f.read().strip()
    if not token:
        sys.exit("agents-sim: no agent token: set PREFLIGHT_AGENT_TOKEN or pass --agent-token-file FILE")
    if len(token) < 16:
        sys.exit("agents-sim: the agent token is shorter than 16 bytes")
    return token


async def main_async(args):
    token = read_token(args.agent_token_file)
    if args.insecure:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # the benchmark only: never for a real agent
    else:
        context = ssl.create_default_context(cafile=args.ca_file)
    shared = Shared(args)
    agents = [SimAgent(args.first_agent + i, shared, context, token) for i in range(args.agents)]
    progress = asyncio.ensure_future(progress_loop(shared))
    monitor = asyncio.ensure_future(loop_monitor(shared))
    cpu0 = os.times()

    async def one(agent):
        if args.connect_spread > 0:
            await asyncio.sleep((agent.number - args.first_agent) * args.connect_spread / max(1, args.agents))
        try:
            await agent.run()
            return 0, "done"
        except AgentFailed as e:
            return e.code, str(e)
        except Exception as e:  # a bug here, not the coordinator's
            return 1, "%s: %s" % (type(e).__name__, e)

    results = await asyncio.gather(*(one(a) for a in agents))
    progress.cancel()
    monitor.cancel()
    write_progress(shared, force=True)
    cpu1 = os.times()
    for code, text in results:
        key = "%d %s" % (code, text)
        shared.outcomes[key] = shared.outcomes.get(key, 0) + 1
    return shared, results, (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system)


def quantiles(values):
    v = sorted(values)
    if not v:
        return None
    at = lambda q: round(v[min(len(v) - 1, int(q * len(v)))], 2)
    return {"n": len(v), "p50": at(0.5), "p90": at(0.9), "p99": at(0.99), "max": round(v[-1], 2)}


def stats_of(shared, sim_cpu_s):
    requests, status, merged = shared.totals() if shared.traffic else ({}, {}, {})
    total = Histogram()
    for h in merged.values():
        total.merge(h)
    lags = sorted(shared.lag_ms)
    pct = lambda q: round(lags[min(len(lags) - 1, int(q * len(lags)))], 2) if lags else None
    return {
        "agents": shared.args.agents,
        "snapshots_sent": shared.sent,
        "agents_done": shared.done,
        "outcomes": shared.outcomes,
        "requests_by_endpoint": {str(e): n for e, n in sorted(requests.items())},
        "requests": sum(requests.values()),
        "status_by_endpoint": {str(e): s for e, s in sorted(status.items())},
        "error_samples_sent": shared.error_samples,
        "latency_ms": total.summary_ms() if total.count else None,
        "latency_ms_by_endpoint": {str(e): h.summary_ms() for e, h in sorted(merged.items())},
        # What this process sent, merged per endpoint (LatencyHistogram::serialize, base64): to merge processes.
        "histograms": {str(e): base64.b64encode(h.serialize()).decode() for e, h in sorted(merged.items())},
        "sim_lag_ms": {"p50": pct(0.5), "p99": pct(0.99), "max": round(lags[-1], 2) if lags else None},
        "sim_cpu_s": round(sim_cpu_s, 3),
        "sim_loop_lag_max_ms": {k: round(max(v), 1) for k, v in shared.loop_lag_ms.items()},
        "sim_loop_lag_ms": {k: quantiles(v) for k, v in shared.loop_lag_ms.items()},
        "ping_forward_ms": quantiles(shared.ping_forward_ms),
        "ping_return_ms": quantiles(shared.ping_return_ms),
        "gathered_after_s": None if shared.start_at_received_s is None else round(shared.start_at_received_s, 2),
        "start_wall_ms": shared.first_start_wall_ms,
    }


def selftest(paths):
    # Known encodings, worked by hand from latencyhistogram.cpp.
    assert [bucket_index(v) for v in (0, 255, 256, 257, 258, 511, 512, 1023, 1024)] == \
        [0, 255, 256, 256, 257, 383, 384, 511, 512]
    assert bucket_lowest(384) == 512 and bucket_highest(383) == 511 and bucket_highest(256) == 257
    for i in range(0, BUCKET_COUNT, 7):
        assert bucket_index(bucket_lowest(i)) == i and bucket_index(bucket_highest(i)) == i
    h = Histogram()
    h.record(100)
    assert h.serialize() == bytes([1, 1, 100, 100, 100, 101, 1])
    assert Histogram().serialize() == bytes([1, 0])
    h.record(300, 2)  # 300 -> bucket 256 + 22 = 278: gap 178 = 0xB2 0x01; sum 700 = 0xBC 0x05; max 0xAC 0x02
    assert h.serialize() == bytes([1, 3, 0xBC, 0x05, 100, 0xAC, 0x02, 101, 1, 0xB2, 0x01, 2]), h.serialize()
    rnd = random.Random(1)
    for _ in range(200):
        h = Histogram()
        for _ in range(rnd.randint(0, 400)):
            h.record(int(rnd.lognormvariate(7.5, 1.2)))
        g = Histogram.deserialize(h.serialize())
        assert g.serialize() == h.serialize()
    # Histograms written by the C++ code (store JSON exports): decode, re-encode byte for byte, and check that
    # min and max fall into the first and last bucket, which pins bucket_index to LatencyHistogram's.
    checked = 0
    for path in paths:
        with open(path) as f:
            doc = json.load(f)
        stack = [doc]
        while stack:
            o = stack.pop()
            if isinstance(o, dict):
                for k, v in o.items():
                    if k in ("latency_hist", "latency_uncorrected_hist") and isinstance(v, str):
                        raw = base64.b64decode(v)
                        g = Histogram.deserialize(raw)
                        assert g.serialize() == raw, path
                        if g.count:
                            keys = sorted(g.buckets)
                            assert bucket_index(g.min_us) == keys[0], (path, g.min_us, keys[0])
                            if g.max_us <= MAX_TRACKABLE_US:
                                assert bucket_index(g.max_us) == keys[-1], (path, g.max_us, keys[-1])
                        checked += 1
                    else:
                        stack.append(v)
            elif isinstance(o, list):
                stack.extend(o)
    t = Traffic(2, 300, 8, 0.002, 1)
    for pool in t.variants:
        for text, n, _s, h in pool:
            stats = json.loads(text)
            assert Histogram.deserialize(base64.b64decode(stats["latency_hist"])).count == n == stats["requests"]
            assert stats["ok"] + stats["http_errors"] == n
    print("agents-sim selftest: ok (%d C++-written histograms re-encoded byte for byte; %d distinct buckets in a "
          "pooled interval)" % (checked, len(t.variants[0][0][3].buckets)))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--coordinator", help="wss://HOST:PORT")
    p.add_argument("--agents", type=int, default=1)
    p.add_argument("--first-agent", type=int, default=0,
                   help="number of this process's first agent (to split K agents over several processes)")
    p.add_argument("--ca-file", help="the CA that signed the coordinator's certificate")
    p.add_argument("--insecure", action="store_true",
                   help="do not verify the coordinator's certificate (benchmark only)")
    p.add_argument("--agent-token-file", help="the shared token (or PREFLIGHT_AGENT_TOKEN)")
    p.add_argument("--workers", type=int, default=1, help="load threads each agent offers (hello.workers)")
    p.add_argument("--requests", type=int, default=300, help="requests per endpoint per 250 ms interval")
    p.add_argument("--error-rate", type=float, default=0.002, help="share of 503 answers")
    p.add_argument("--variants", type=int, default=61, help="pooled interval contents per endpoint")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--engine-id", default="raw", help="what assigned.engine reports (a real agent: raw for http://)")
    p.add_argument("--name-prefix", default="sim")
    p.add_argument("--no-drain", dest="drain", action="store_false",
                   help="no short drain interval after the schedule")
    p.add_argument("--connect-timeout", type=float, default=60)
    p.add_argument("--connect-spread", type=float, default=1.0,
                   help="seconds over which the K agents dial (0: all at once)")
    p.add_argument("--clock-skew-ms", type=float, default=0.0, help="added to every wall-clock reading")
    p.add_argument("--stats", help="write the totals and the simulator's own figures here (JSON)")
    p.add_argument("--progress", help="rewrite this JSON file every 0.5 s with the snapshots sent so far")
    p.add_argument("--selftest", nargs="*", metavar="RUN_JSON",
                   help="check the histogram encoding (optionally against run JSON files written by Preflight)")
    args = p.parse_args()
    if args.selftest is not None:
        return selftest(args.selftest)
    if not args.coordinator or not args.coordinator.startswith("wss://"):
        p.error("--coordinator wss://HOST:PORT is required")
    if not args.insecure and not args.ca_file:
        p.error("give --ca-file CA.pem (or --insecure, for a benchmark only)")
    shared, results, sim_cpu_s = asyncio.run(main_async(args))
    stats = stats_of(shared, sim_cpu_s)
    if args.stats:
        with open(args.stats, "w") as f:
            json.dump(stats, f, indent=1)
    failed = [r for r in results if r[0] != 0]
    print("agents-sim: %d agents, %d done, %d snapshots, %d requests reported, lateness p99 %s ms max %s ms, "
          "simulator CPU %.1f s%s" % (args.agents, shared.done, shared.sent, stats["requests"],
                                      stats["sim_lag_ms"]["p99"], stats["sim_lag_ms"]["max"], sim_cpu_s,
                                      "" if not failed else "; %d failed: %s" % (len(failed), failed[0][1])),
          file=sys.stderr)
    sys.exit(0 if not failed else max(r[0] for r in failed))


if __name__ == "__main__":
    main()
