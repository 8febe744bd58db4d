"""A replay survives `kill -9`: the stack is killed while a replay is RUNNING (slowed down with
SIGNALBOX_REPLAY_RATE), restarted on the same data directory, and the replay carries on to
COMPLETED; every event of the window reaches the queue exactly once, each with `replay-name`.
(Each batch's deliveries and the replay's progress are one transaction.)"""
import json
import time
from datetime import datetime, timedelta, timezone

from conftest import ACCOUNT, REGION, Server, make_client

BASE = datetime(2026, 3, 4, 5, 0, 0, tzinfo=timezone.utc)
EVENTS = 300


def test_replay_carries_on_after_kill9(tmp_path, monkeypatch):
    monkeypatch.setenv("SIGNALBOX_REPLAY_RATE", "100")
    server = Server(tmp_path / "data")
    server.start()
    try:
        events = make_client("events", server.endpoint)
        sqs = make_client("sqs", server.endpoint)
        events.create_archive(ArchiveName="crash", EventSourceArn=f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/default")
        for first in range(0, EVENTS, 10):
            events.put_events(Entries=[{"Source": "replay-crash", "DetailType": "t", "Time": BASE + timedelta(seconds=i),
                                        "Detail": json.dumps({"n": i})} for i in range(first, first + 10)])
        url = sqs.create_queue(QueueName="replayed")["QueueUrl"]
        events.put_rule(Name="replayed", EventPattern=json.dumps({"source": ["replay-crash"]}))
        events.put_targets(Rule="replayed", Targets=[{"Id": "q", "Arn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:replayed"}])
        events.start_replay(ReplayName="crash", EventSourceArn=f"arn:aws:events:{REGION}:{ACCOUNT}:archive/crash",
                            EventStartTime=BASE, EventEndTime=BASE + timedelta(seconds=EVENTS),
                            Destination={"Arn": f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/default"})
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            described = events.describe_replay(ReplayName="crash")
            if described["State"] == "RUNNING" and described.get("EventLastReplayedTime"):
                break
            time.sleep(0.05)
        assert described["State"] == "RUNNING", described
        server.kill9()
        # Killed in the middle: some of the window delivered, not all of it.
        assert described["EventLastReplayedTime"] < BASE + timedelta(seconds=EVENTS - 1)

        server.start()
        events = make_client("events", server.endpoint)
        sqs = make_client("sqs", server.endpoint)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            described = events.describe_replay(ReplayName="crash")
            if described["State"] not in ("STARTING", "RUNNING"):
                break
            time.sleep(0.2)
        assert described["State"] == "COMPLETED", described
        assert described["EventLastReplayedTime"] == BASE + timedelta(seconds=EVENTS - 1)
        seen = []
        deadline = time.monotonic() + 60
        while len(seen) < EVENTS and time.monotonic() < deadline:
            for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", []):
                body = json.loads(m["Body"])
                assert body["replay-name"] == "crash"
                seen.append(body["detail"]["n"])
                sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        assert sorted(seen) == list(range(EVENTS))  # every event once: none lost, none repeated
        assert "Messages" not in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)
    finally:
        server.stop()
