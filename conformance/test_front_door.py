"""The front door: routing, AWS error shapes, request ids, limits, health and metrics."""
import json
import urllib.error
import urllib.request

import pytest

from conftest import Server, make_client


def post(endpoint, body, headers):
    request = urllib.request.Request(endpoint + "/", data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_health_lists_services(endpoint):
    with urllib.request.urlopen(endpoint + "/_signalbox/health", timeout=10) as response:
        health = json.loads(response.read())
    assert health["status"] == "ok"
    assert "AmazonSQS" in health["services"]


def test_metrics_are_prometheus_text(endpoint, sqs):
    sqs.list_queues()
    with urllib.request.urlopen(endpoint + "/metrics", timeout=10) as response:
        text = response.read().decode()
        assert response.headers["Content-Type"].startswith("text/plain")
    assert "# TYPE signalbox_requests_total counter" in text
    assert 'signalbox_requests_total{service="AmazonSQS",operation="ListQueues",code="OK"}' in text


def test_unknown_operation_is_aws_error(endpoint):
    status, headers, body = post(endpoint, b"{}", {
        "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AmazonSQS.Frobnicate"})
    assert status == 400
    assert json.loads(body)["__type"].endswith("UnknownOperationException")
    assert headers.get("x-amzn-RequestId")


def test_unknown_service_prefix(endpoint):
    status, _, body = post(endpoint, b"{}", {
        "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "NoSuchService_2020.DoIt"})
    assert status == 400
    assert "UnknownOperationException" in json.loads(body)["__type"]


def test_missing_target(endpoint):
    status, _, body = post(endpoint, b"{}", {"Content-Type": "application/x-amz-json-1.0"})
    assert status == 400
    assert "X-Amz-Target" in json.loads(body)["message"]


@pytest.mark.parametrize("payload", [b"{not json", b"[1,2]", b"\"text\"", b"{\"QueueName\": 5}"])
def test_malformed_bodies(endpoint, payload):
    status, _, body = post(endpoint, payload, {
        "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AmazonSQS.CreateQueue"})
    assert status == 400
    assert json.loads(body)["__type"].endswith("SerializationException")


def test_oversized_body_refused(endpoint):
    status, _, body = post(endpoint, b"{\"a\":\"" + b"x" * (5 * 1024 * 1024) + b"\"}", {
        "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AmazonSQS.ListQueues"})
    assert status == 413
    assert "RequestEntityTooLarge" in json.loads(body)["__type"]


def test_host_header_is_ignored(endpoint):
    status, _, body = post(endpoint, b"{}", {
        "Host": "data-whatever.example:1", "Content-Type": "application/x-amz-json-1.0",
        "X-Amz-Target": "AmazonSQS.ListQueues"})
    assert status == 200


def test_sigv4_verification(tmp_path):
    auth = tmp_path / "auth"
    auth.write_text("# test keys\nAKIDGOOD goodsecret\n")
    srv = Server(tmp_path / "data", ["--auth", str(auth)])
    endpoint = srv.start()
    try:
        good = make_client("sqs", endpoint, access_key="AKIDGOOD", secret_key="goodsecret")
        assert good.list_queues()["ResponseMetadata"]["HTTPStatusCode"] == 200
        bad_secret = make_client("sqs", endpoint, access_key="AKIDGOOD", secret_key="wrong")
        with pytest.raises(bad_secret.exceptions.ClientError) as error:
            bad_secret.list_queues()
        assert error.value.response["Error"]["Code"] == "SignatureDoesNotMatch"
        unknown = make_client("sqs", endpoint)
        with pytest.raises(unknown.exceptions.ClientError) as error:
            unknown.list_queues()
        assert error.value.response["Error"]["Code"] == "InvalidClientTokenId"
        status, _, body = post(endpoint, b"{}", {
            "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AmazonSQS.ListQueues"})
        assert status == 403
        assert "MissingAuthenticationToken" in json.loads(body)["__type"]
        # Presigned (query) form, signed by botocore's own SigV4QueryAuth.
        from botocore.auth import SigV4QueryAuth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials
        for secret, expected in (("goodsecret", 200), ("wrong", 403)):
            aws_request = AWSRequest(method="POST", url=endpoint + "/", data=b"{}", headers={
                "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AmazonSQS.ListQueues"})
            SigV4QueryAuth(Credentials("AKIDGOOD", secret), "sqs", "us-east-1", expires=60).add_auth(aws_request)
            prepared = aws_request.prepare()
            body = prepared.body.encode() if isinstance(prepared.body, str) else prepared.body
            request = urllib.request.Request(prepared.url, data=body, headers=dict(prepared.headers),
                                             method="POST")
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    status = response.status
            except urllib.error.HTTPError as error:
                status = error.code
            assert status == expected, (secret, status)
    finally:
        srv.stop()


def test_sigterm_shuts_down_cleanly(tmp_path):
    srv = Server(tmp_path / "data")
    srv.start()
    assert srv.stop() == 0


def test_peer_disconnecting_mid_request_changes_nothing(endpoint, sqs):
    import socket
    from urllib.parse import urlparse
    parsed = urlparse(endpoint)
    body = json.dumps({"QueueName": "half-sent"}).encode()
    head = (f"POST / HTTP/1.1\r\nHost: {parsed.netloc}\r\nContent-Type: application/x-amz-json-1.0\r\n"
            f"X-Amz-Target: AmazonSQS.CreateQueue\r\nContent-Length: {len(body) + 100}\r\n\r\n").encode()
    for _ in range(5):
        with socket.create_connection((parsed.hostname, parsed.port)) as connection:
            connection.sendall(head + body)
    # The server still answers, and the half-sent request created nothing.
    with urllib.request.urlopen(endpoint + "/_signalbox/health", timeout=10) as response:
        assert response.status == 200
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.get_queue_url(QueueName="half-sent")


def test_sigterm_releases_long_polls(tmp_path):
    import threading
    srv = Server(tmp_path / "data")
    endpoint = srv.start()
    sqs = make_client("sqs", endpoint, read_timeout=60)
    url = sqs.create_queue(QueueName="waiting")["QueueUrl"]
    result = {}

    def poll():
        result["response"] = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20)

    thread = threading.Thread(target=poll)
    thread.start()
    # Wait until the poll is parked on the server, then ask it to stop.
    import urllib.request as request
    parked = False
    for _ in range(200):
        with request.urlopen(endpoint + "/metrics", timeout=10) as response:
            if "signalbox_sqs_long_polls_waiting 1" in response.read().decode():
                parked = True
                break
        threading.Event().wait(0.05)
    assert parked, "the long poll never showed up as waiting"
    srv.proc.send_signal(__import__("signal").SIGTERM)
    # The parked poll is answered (empty) and the server exits well before the poll's 20 s.
    assert srv.proc.wait(timeout=10) == 0
    thread.join(timeout=5)
    assert "Messages" not in result["response"]
