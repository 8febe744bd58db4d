"""Shared fixtures for the conformance suites: a real `signalbox serve` on an ephemeral port.

Every suite drives the server through boto3 or the AWS CLI with only an endpoint override,
exactly as a user would. The binary is $SIGNALBOX_BIN, else the debug build's `signalbox`.
"""
import atexit
import base64
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

ROOT = Path(__file__).resolve().parent.parent
LISTENING = re.compile(r"listening on (http://\S+)")
REGION = "us-east-1"
ACCOUNT = "000000000000"


def signalbox_bin() -> str:
    if os.environ.get("SIGNALBOX_BIN"):
        return os.environ["SIGNALBOX_BIN"]
    out = subprocess.run(["swift", "build", "--show-bin-path"], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout.strip()
    return str(Path(out) / "signalbox")


class Server:
    """One running `signalbox serve` process; restartable on the same data directory."""

    def __init__(self, data_dir: Path, extra_args=()):
        self.data_dir = data_dir
        self.extra_args = list(extra_args)
        self.proc = None
        self.endpoint = None
        self.log_lines = []

    def start(self, timeout=60.0):
        self.proc = subprocess.Popen(
            [signalbox_bin(), "serve", "--port", "0", "--data", str(self.data_dir), *self.extra_args],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + timeout
        found = threading.Event()

        def pump():
            for line in self.proc.stdout:
                self.log_lines.append(line.rstrip("\n"))
                match = LISTENING.search(line)
                if match and not found.is_set():
                    self.endpoint = match.group(1)
                    found.set()

        threading.Thread(target=pump, daemon=True).start()
        while not found.wait(0.05):
            if self.proc.poll() is not None:
                raise RuntimeError("signalbox serve exited early:\n" + "\n".join(self.log_lines))
            if time.monotonic() > deadline:
                self.proc.kill()
                raise RuntimeError("signalbox serve did not log its endpoint:\n" + "\n".join(self.log_lines))
        return self.endpoint

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode if self.proc else None


@pytest.fixture(scope="session")
def server():
    """A session-wide server; yields its object (`.endpoint`)."""
    data = Path(tempfile.mkdtemp(prefix="signalbox-conformance-"))
    srv = Server(data)
    srv.start()
    yield srv
    srv.stop()
    shutil.rmtree(data, ignore_errors=True)


@pytest.fixture(scope="session")
def endpoint(server):
    """The base URL of the session's server, e.g. http://127.0.0.1:41234."""
    return server.endpoint


@pytest.fixture
def fresh_server(tmp_path):
    """A server of its own on a fresh data directory (for restart and crash tests)."""
    srv = Server(tmp_path / "data")
    srv.start()
    yield srv
    srv.stop()


def uniq(prefix):
    """A fresh resource name: `prefix-` and 10 hex digits."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def code(error):
    """The AWS error code of a `pytest.raises(ClientError)` result."""
    return error.value.response["Error"]["Code"]


def message(error):
    """The AWS error message of a `pytest.raises(ClientError)` result."""
    return error.value.response["Error"]["Message"]


def make_client(service, endpoint, access_key="AKIDSIGNALBOX", secret_key="signalbox-secret", **config):
    return boto3.client(
        service, endpoint_url=endpoint, region_name=REGION,
        aws_access_key_id=access_key, aws_secret_access_key=secret_key,
        config=Config(retries={"max_attempts": 1}, inject_host_prefix=False, **config))


@pytest.fixture
def sqs(endpoint):
    return make_client("sqs", endpoint)


@pytest.fixture
def events(endpoint):
    return make_client("events", endpoint)


@pytest.fixture
def sd(endpoint):
    """Cloud Map (servicediscovery), host-prefix injection off as make_client sets it."""
    return make_client("servicediscovery", endpoint)


@pytest.fixture
def queue(sqs):
    """A standard queue of a fresh name, deleted afterwards if the test left it (a suite with
    another shape of queue defines its own `queue`)."""
    url = sqs.create_queue(QueueName=f"q-{uuid.uuid4().hex[:12]}")["QueueUrl"]
    yield url
    try:
        sqs.delete_queue(QueueUrl=url)
    except ClientError:
        pass


def receive(sqs, url, expected, timeout):
    """The JSON bodies of up to `expected` messages of `url` (fewer if `timeout` seconds pass
    first), each deleted once received."""
    got = []
    deadline = time.monotonic() + timeout
    while len(got) < expected and time.monotonic() < deadline:
        for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", []):
            got.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return got


def delete_namespace_with_contents(sd, ns_id):
    """Deregisters every instance and deletes every service of a Cloud Map namespace, then the
    namespace itself (if it still exists)."""
    for svc in sd.list_services(Filters=[{"Name": "NAMESPACE_ID", "Values": [ns_id]}])["Services"]:
        for inst in sd.list_instances(ServiceId=svc["Id"])["Instances"]:
            sd.deregister_instance(ServiceId=svc["Id"], InstanceId=inst["Id"])
        sd.delete_service(Id=svc["Id"])
    try:
        sd.delete_namespace(Id=ns_id)
    except ClientError:
        pass


def cli_config_file():
    """An AWS CLI config file with `cli_follow_urlparam = false`, made once per test run. AWS CLI
    v1 reads a parameter whose value starts with http:// or https:// as a URL to fetch, and
    sends what it fetched instead (an API destination's InvocationEndpoint would become the
    endpoint's answer); v2 no longer does. A v1 user turns that off this way."""
    global _CLI_CONFIG
    if _CLI_CONFIG is None:
        directory = tempfile.mkdtemp(prefix="signalbox-cli-")
        atexit.register(shutil.rmtree, directory, True)
        _CLI_CONFIG = os.path.join(directory, "config")
        with open(_CLI_CONFIG, "w") as config:
            config.write("[default]\ncli_follow_urlparam = false\n")
    return _CLI_CONFIG


_CLI_CONFIG = None


def aws_cli(endpoint, *args, check=True):
    """Runs the AWS CLI against the server; returns the CompletedProcess (JSON on stdout)."""
    # As any CLI user pointing at a custom endpoint must: without it, DiscoverInstances goes to
    # the `data-` host prefix of the endpoint (data-127.0.0.1), which does not resolve.
    env = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDSIGNALBOX", AWS_SECRET_ACCESS_KEY="signalbox-secret",
               AWS_DEFAULT_REGION=REGION, AWS_PAGER="", AWS_MAX_ATTEMPTS="1",
               AWS_DISABLE_HOST_PREFIX_INJECTION="true", AWS_CONFIG_FILE=cli_config_file())
    result = subprocess.run(["aws", "--endpoint-url", endpoint, "--output", "json", *args],
                            capture_output=True, text=True, env=env, timeout=120)
    if check and result.returncode != 0:
        raise AssertionError(f"aws {' '.join(args)} failed: {result.stderr}")
    return result


class Hooks:
    """A loopback HTTP server recording every request. Paths: `/token` is an OAuth token
    endpoint (client `client`/`secret`, tokens `tok-1`, `tok-2`, …); `/oauth/…` needs a bearer
    token it issued and not revoked; `/status/NNN/…` answers NNN (503 while `down` is set for
    `/flaky/…`); anything else answers 200."""

    def __init__(self):
        self.requests = []
        self.lock = threading.Lock()
        self.issued = []
        self.revoked = set()
        self.down = False
        hooks = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def handle_any(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                parts = urlsplit(self.path)
                record = {"method": self.command, "path": parts.path, "query": parse_qs(parts.query),
                          "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body,
                          "at": time.monotonic()}
                with hooks.lock:
                    hooks.requests.append(record)
                status, answer = hooks.answer(record)
                record["status"] = status
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = handle_any

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def answer(self, record):
        path = record["path"]
        if path == "/token":
            expected = "Basic " + base64.b64encode(b"client:secret").decode()
            if record["headers"].get("authorization") != expected:
                return 401, {"error": "invalid_client"}
            with self.lock:
                token = f"tok-{len(self.issued) + 1}"
                self.issued.append(token)
            return 200, {"access_token": token, "token_type": "bearer", "expires_in": 3600}
        if path.startswith("/oauth/"):
            token = record["headers"].get("authorization", "").removeprefix("Bearer ")
            with self.lock:
                good = token in self.issued and token not in self.revoked
            return (200, {"ok": True}) if good else (401, {"error": "invalid_token"})
        if path.startswith("/status/"):
            return int(path.split("/")[2]), {"status": "as asked"}
        if path.startswith("/flaky/") and self.down:
            return 503, {"error": "down"}
        return 200, {"ok": True}

    def matching(self, prefix):
        with self.lock:
            return [r for r in self.requests if r["path"].startswith(prefix)]

    def wait_for(self, prefix, count, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.matching(prefix)
            if len(found) >= count:
                return found
            time.sleep(0.05)
        return self.matching(prefix)

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@pytest.fixture
def hooks():
    server = Hooks()
    yield server
    server.close()
