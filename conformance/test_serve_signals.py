"""Shutdown of `signalbox serve` by signals: SIGTERM is graceful (requests in progress finish),
and a second SIGTERM during a shutdown that a client keeps busy exits at once."""
import signal
import socket
import subprocess
from urllib.parse import urlparse

from conftest import make_client


def test_first_sigterm_is_graceful(fresh_server):
    sqs = make_client("sqs", fresh_server.endpoint)
    url = sqs.create_queue(QueueName="kept")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="acknowledged")
    fresh_server.proc.send_signal(signal.SIGTERM)
    assert fresh_server.proc.wait(timeout=60) == 0


def test_second_sigterm_exits_while_a_client_holds_a_request_open(fresh_server):
    sqs = make_client("sqs", fresh_server.endpoint)
    url = sqs.create_queue(QueueName="kept")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="acknowledged")
    # A client that sends half a request and stalls: a graceful shutdown waits for it.
    address = urlparse(fresh_server.endpoint)
    stalled = socket.create_connection((address.hostname, address.port))
    stalled.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.0\r\n"
                    b"X-Amz-Target: AmazonSQS.ListQueues\r\nContent-Length: 100\r\n\r\n{")
    try:
        fresh_server.proc.send_signal(signal.SIGTERM)
        try:
            code = fresh_server.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            fresh_server.proc.send_signal(signal.SIGTERM)
            code = fresh_server.proc.wait(timeout=30)
            assert code == 128 + signal.SIGTERM
            assert any("second signal" in line for line in fresh_server.log_lines)
        assert code in (0, 128 + signal.SIGTERM)
    finally:
        stalled.close()
    # What was acknowledged before the forced exit is there after a restart.
    fresh_server.start()
    sqs = make_client("sqs", fresh_server.endpoint)
    url = sqs.get_queue_url(QueueName="kept")["QueueUrl"]
    bodies = [m["Body"] for m in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2).get("Messages", [])]
    assert bodies == ["acknowledged"]


def test_a_connection_that_never_sends_a_request_does_not_hold_the_shutdown(fresh_server):
    # A client's spare pooled connection, a port probe, `nc` left open: connected, silent. The
    # graceful shutdown closes it rather than waiting for the peer (it used to wait for ever).
    make_client("sqs", fresh_server.endpoint).create_queue(QueueName="kept")
    address = urlparse(fresh_server.endpoint)
    silent = socket.create_connection((address.hostname, address.port))
    try:
        fresh_server.proc.send_signal(signal.SIGTERM)
        assert fresh_server.proc.wait(timeout=30) == 0
        silent.settimeout(5)
        assert silent.recv(1) == b"", "the server closed the silent connection"
    finally:
        silent.close()
