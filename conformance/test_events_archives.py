"""EventBridge archives and replays through boto3 (issue #18): every operation, AWS's error
cases (nothing changed by a refused call), archiving in PutEvents, retention settings, and
replays re-delivering a window of archived events with `replay-name`."""
import json
import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, REGION, code, make_client, message, receive


def name(prefix="a"):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def unchecked(endpoint):
    """A client that sends what boto3 would refuse itself, to see the server's answer."""
    return make_client("events", endpoint, parameter_validation=False)


def bus_arn(bus):
    return f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/{bus}"


def archive_arn(archive):
    return f"arn:aws:events:{REGION}:{ACCOUNT}:archive/{archive}"


@pytest.fixture
def bus(events):
    bus = name("bus")
    events.create_event_bus(Name=bus)
    yield bus
    try:
        events.delete_event_bus(Name=bus)
    except ClientError:
        pass


BASE = datetime(2026, 1, 2, 3, 0, 0, tzinfo=timezone.utc)


def put(events, bus, count, source="shop", start=0, **detail):
    """Puts `count` events one second apart from BASE + start seconds; returns their ids."""
    ids = []
    for first in range(0, count, 10):
        entries = [{"EventBusName": bus, "Source": source, "DetailType": "order",
                    "Time": BASE + timedelta(seconds=start + i), "Detail": json.dumps({"n": start + i, **detail})}
                   for i in range(first, min(first + 10, count))]
        result = events.put_events(Entries=entries)
        assert result["FailedEntryCount"] == 0
        ids += [e["EventId"] for e in result["Entries"]]
    return ids


def wait_for_state(events, replay, states, timeout=30.0):
    deadline = time.monotonic() + timeout
    while True:
        described = events.describe_replay(ReplayName=replay)
        if described["State"] in states or time.monotonic() > deadline:
            return described
        time.sleep(0.1)


def drain(sqs, url, expected, timeout=20.0):
    """The bodies of `expected` messages (fewer at the timeout), received and deleted."""
    return receive(sqs, url, expected, timeout)


# Archives ---------------------------------------------------------------------------------------

def test_archive_lifecycle(events, bus):
    archive = name()
    created = events.create_archive(ArchiveName=archive, EventSourceArn=bus_arn(bus), Description="orders",
                                    EventPattern=json.dumps({"source": ["shop"]}), RetentionDays=7)
    assert created["ArchiveArn"] == archive_arn(archive)
    assert created["State"] == "ENABLED"
    assert isinstance(created["CreationTime"], datetime)
    described = events.describe_archive(ArchiveName=archive)
    assert described["ArchiveName"] == archive and described["ArchiveArn"] == archive_arn(archive)
    assert described["EventSourceArn"] == bus_arn(bus)
    assert described["Description"] == "orders"
    assert json.loads(described["EventPattern"]) == {"source": ["shop"]}
    assert described["RetentionDays"] == 7
    assert described["EventCount"] == 0 and described["SizeBytes"] == 0

    updated = events.update_archive(ArchiveName=archive, Description="all orders", RetentionDays=0)
    assert updated["ArchiveArn"] == archive_arn(archive) and updated["State"] == "ENABLED"
    described = events.describe_archive(ArchiveName=archive)
    assert described["Description"] == "all orders" and described["RetentionDays"] == 0
    assert json.loads(described["EventPattern"]) == {"source": ["shop"]}  # not given: kept

    events.delete_archive(ArchiveName=archive)
    with pytest.raises(ClientError) as error:
        events.describe_archive(ArchiveName=archive)
    assert code(error) == "ResourceNotFoundException"
    assert message(error) == f"Archive {archive} does not exist."


def test_put_events_are_archived_by_pattern(events, bus):
    everything, shop_only = name(), name()
    events.create_archive(ArchiveName=everything, EventSourceArn=bus_arn(bus))
    events.create_archive(ArchiveName=shop_only, EventSourceArn=bus_arn(bus), EventPattern=json.dumps({"source": ["shop"]}))
    put(events, bus, 12, source="shop")
    put(events, bus, 3, source="billing")
    put(events, "default", 2, source="shop")  # another bus: not archived here
    all_described = events.describe_archive(ArchiveName=everything)
    shop_described = events.describe_archive(ArchiveName=shop_only)
    assert all_described["EventCount"] == 15
    assert shop_described["EventCount"] == 12
    assert 0 < shop_described["SizeBytes"] < all_described["SizeBytes"]
    events.delete_archive(ArchiveName=everything)
    events.delete_archive(ArchiveName=shop_only)


def test_event_arriving_by_a_bus_hop_is_archived(events, bus):
    archive = name()
    events.create_archive(ArchiveName=archive, EventSourceArn=bus_arn(bus))
    source = name("hop")
    events.put_rule(Name="hop", EventPattern=json.dumps({"source": [source]}))
    events.put_targets(Rule="hop", Targets=[{"Id": "b", "Arn": bus_arn(bus)}])
    try:
        put(events, "default", 4, source=source)
        assert events.describe_archive(ArchiveName=archive)["EventCount"] == 4
    finally:
        events.remove_targets(Rule="hop", Ids=["b"])
        events.delete_rule(Name="hop")
        events.delete_archive(ArchiveName=archive)


def test_create_archive_errors_change_nothing(events, unchecked, bus):
    archive = name()
    events.create_archive(ArchiveName=archive, EventSourceArn=bus_arn(bus))
    with pytest.raises(ClientError) as error:
        events.create_archive(ArchiveName=archive, EventSourceArn=bus_arn(bus))
    assert code(error) == "ResourceAlreadyExistsException"
    assert message(error) == f"Archive {archive} already exists."
    with pytest.raises(ClientError) as error:
        events.create_archive(ArchiveName=name(), EventSourceArn=bus_arn(name("nobus")))
    assert code(error) == "ResourceNotFoundException"
    other_region = f"arn:aws:events:eu-west-1:{ACCOUNT}:event-bus/{bus}"
    with pytest.raises(ClientError) as error:
        events.create_archive(ArchiveName=name(), EventSourceArn=other_region)
    assert code(error) == "ResourceNotFoundException"
    with pytest.raises(ClientError) as error:
        events.create_archive(ArchiveName=name(), EventSourceArn=bus_arn(bus), EventPattern='{"source": "shop"}')
    assert code(error) == "InvalidEventPatternException"
    with pytest.raises(ClientError) as error:
        unchecked.create_archive(ArchiveName="x" * 49, EventSourceArn=bus_arn(bus))
    assert code(error) == "ValidationException"
    assert "Member must have length between 1 and 48" in message(error)
    with pytest.raises(ClientError) as error:
        unchecked.create_archive(ArchiveName="bad name", EventSourceArn=bus_arn(bus))
    assert code(error) == "ValidationException"
    with pytest.raises(ClientError) as error:
        unchecked.create_archive(ArchiveName=name(), EventSourceArn=bus_arn(bus), RetentionDays=-1)
    assert code(error) == "ValidationException"
    names = [a["ArchiveName"] for a in events.list_archives(EventSourceArn=bus_arn(bus))["Archives"]]
    assert names == [archive]
    with pytest.raises(ClientError) as error:
        events.update_archive(ArchiveName=archive, EventPattern="not json")
    assert code(error) == "InvalidEventPatternException"
    assert "EventPattern" not in events.describe_archive(ArchiveName=archive)
    for call in (events.update_archive, events.delete_archive):
        with pytest.raises(ClientError) as error:
            call(ArchiveName=name("missing"))
        assert code(error) == "ResourceNotFoundException"
    events.delete_archive(ArchiveName=archive)


def test_list_archives_filters_and_paging(events, unchecked, bus):
    prefix = name("list")
    archives = [f"{prefix}-{i}" for i in range(5)]
    for archive in archives:
        events.create_archive(ArchiveName=archive, EventSourceArn=bus_arn(bus))
    listed = events.list_archives(NamePrefix=prefix)["Archives"]
    assert [a["ArchiveName"] for a in listed] == archives
    assert set(listed[0]) >= {"ArchiveName", "EventSourceArn", "State", "RetentionDays", "SizeBytes", "EventCount", "CreationTime"}
    assert "ArchiveArn" not in listed[0]
    assert [a["ArchiveName"] for a in events.list_archives(EventSourceArn=bus_arn(bus))["Archives"]] == archives
    enabled = [a["ArchiveName"] for a in events.list_archives(State="ENABLED")["Archives"]]
    assert set(archives) <= set(enabled)
    assert events.list_archives(State="DISABLED")["Archives"] == []
    page = events.list_archives(NamePrefix=prefix, Limit=2)
    seen = [a["ArchiveName"] for a in page["Archives"]]
    while "NextToken" in page:
        page = events.list_archives(NamePrefix=prefix, Limit=2, NextToken=page["NextToken"])
        seen += [a["ArchiveName"] for a in page["Archives"]]
    assert seen == archives
    with pytest.raises(ClientError) as error:
        events.list_archives(NamePrefix=prefix, State="ENABLED")
    assert code(error) == "ValidationException"
    assert "At most one filter is allowed for ListArchives" in message(error)
    with pytest.raises(ClientError) as error:
        events.list_archives(State="SLEEPING")
    assert code(error) == "ValidationException"
    with pytest.raises(ClientError) as error:
        unchecked.list_archives(Limit=0)
    assert code(error) == "ValidationException"
    for archive in archives:
        events.delete_archive(ArchiveName=archive)


# Replays ----------------------------------------------------------------------------------------

@pytest.fixture
def replay_setup(events, sqs, bus):
    """A bus with an archive holding 30 events one second apart, then a rule to a queue made
    after them (so only replayed events reach the queue)."""
    archive = name()
    events.create_archive(ArchiveName=archive, EventSourceArn=bus_arn(bus))
    ids = put(events, bus, 30)
    qname = name("q")
    url = sqs.create_queue(QueueName=qname)["QueueUrl"]
    rule_arn = events.put_rule(Name="to-queue", EventBusName=bus, EventPattern=json.dumps({"source": ["shop"]}))["RuleArn"]
    events.put_targets(Rule="to-queue", EventBusName=bus, Targets=[{"Id": "q", "Arn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:{qname}"}])
    yield {"archive": archive, "ids": ids, "url": url, "rule_arn": rule_arn, "bus": bus}
    events.remove_targets(Rule="to-queue", EventBusName=bus, Ids=["q"])
    events.delete_rule(Name="to-queue", EventBusName=bus)
    sqs.delete_queue(QueueUrl=url)
    events.delete_archive(ArchiveName=archive)


def test_replay_redelivers_the_window_with_replay_name(events, sqs, replay_setup):
    s = replay_setup
    replay = name("r")
    started = events.start_replay(ReplayName=replay, Description="window", EventSourceArn=archive_arn(s["archive"]),
                                  EventStartTime=BASE + timedelta(seconds=10), EventEndTime=BASE + timedelta(seconds=20),
                                  Destination={"Arn": bus_arn(s["bus"])})
    assert started["ReplayArn"] == f"arn:aws:events:{REGION}:{ACCOUNT}:replay/{replay}"
    assert started["State"] in ("STARTING", "RUNNING", "COMPLETED")
    assert isinstance(started["ReplayStartTime"], datetime)
    described = wait_for_state(events, replay, {"COMPLETED"})
    assert described["State"] == "COMPLETED"
    assert described["ReplayName"] == replay and described["Description"] == "window"
    assert described["EventSourceArn"] == archive_arn(s["archive"])
    assert described["Destination"] == {"Arn": bus_arn(s["bus"])}
    assert described["EventStartTime"] == BASE + timedelta(seconds=10)
    assert described["EventEndTime"] == BASE + timedelta(seconds=20)
    assert described["EventLastReplayedTime"] == BASE + timedelta(seconds=19)
    assert described["ReplayEndTime"] >= described["ReplayStartTime"]
    bodies = drain(sqs, s["url"], 10)
    assert sorted(b["detail"]["n"] for b in bodies) == list(range(10, 20))
    assert all(b["replay-name"] == replay for b in bodies)
    assert {b["id"] for b in bodies} == set(s["ids"][10:20])
    time.sleep(0.5)
    assert "Messages" not in sqs.receive_message(QueueUrl=s["url"])
    # Replayed events are not archived again.
    assert events.describe_archive(ArchiveName=s["archive"])["EventCount"] == 30
    # A finished replay cannot be cancelled.
    with pytest.raises(ClientError) as error:
        events.cancel_replay(ReplayName=replay)
    assert code(error) == "IllegalStatusException"


def test_replay_filter_arns_select_rules(events, sqs, replay_setup):
    s = replay_setup
    other_q = name("q")
    other_url = sqs.create_queue(QueueName=other_q)["QueueUrl"]
    events.put_rule(Name="other", EventBusName=s["bus"], EventPattern=json.dumps({"source": ["shop"]}))
    events.put_targets(Rule="other", EventBusName=s["bus"], Targets=[{"Id": "o", "Arn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:{other_q}"}])
    try:
        replay = name("r")
        events.start_replay(ReplayName=replay, EventSourceArn=archive_arn(s["archive"]),
                            EventStartTime=BASE, EventEndTime=BASE + timedelta(seconds=5),
                            Destination={"Arn": bus_arn(s["bus"]), "FilterArns": [s["rule_arn"]]})
        described = wait_for_state(events, replay, {"COMPLETED"})
        assert described["Destination"] == {"Arn": bus_arn(s["bus"]), "FilterArns": [s["rule_arn"]]}
        assert len(drain(sqs, s["url"], 5)) == 5
        assert "Messages" not in sqs.receive_message(QueueUrl=other_url, WaitTimeSeconds=1)
    finally:
        events.remove_targets(Rule="other", EventBusName=s["bus"], Ids=["o"])
        events.delete_rule(Name="other", EventBusName=s["bus"])
        sqs.delete_queue(QueueUrl=other_url)


def test_start_replay_errors_change_nothing(events, sqs, replay_setup):
    s = replay_setup
    source = archive_arn(s["archive"])
    window = {"EventStartTime": BASE, "EventEndTime": BASE + timedelta(seconds=60)}

    def refused(expected_code, expected_message, **overrides):
        args = {"ReplayName": name("bad"), "EventSourceArn": source, "Destination": {"Arn": bus_arn(s["bus"])}, **window}
        args.update(overrides)
        with pytest.raises(ClientError) as error:
            events.start_replay(**args)
        assert code(error) == expected_code
        assert expected_message in message(error)
        return args["ReplayName"]

    names = [
        refused("ValidationException", "Parameter EventEndTime is not valid. Reason: EventStartTime must be before EventEndTime.",
                EventStartTime=BASE + timedelta(seconds=60), EventEndTime=BASE),
        refused("ValidationException", "Cross event bus replay is not permitted.",
                Destination={"Arn": f"arn:aws:events:eu-west-1:{ACCOUNT}:event-bus/{s['bus']}"}),
        refused("ValidationException", "Cross event bus replay is not permitted.",
                Destination={"Arn": f"arn:aws:events:{REGION}:111122223333:event-bus/{s['bus']}"}),
        refused("ValidationException", "Cross event bus replay is not permitted.",
                Destination={"Arn": bus_arn("default")}),
        refused("ValidationException", "Reason: Must contain an event bus ARN.",
                Destination={"Arn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:queue"}),
        refused("ValidationException", f"Reason: Archive missing-archive does not exist.",
                EventSourceArn=archive_arn("missing-archive")),
        refused("ValidationException", "does not exist.",
                EventSourceArn=f"arn:aws:events:eu-west-1:{ACCOUNT}:archive/{s['archive']}"),
    ]
    listed = {r["ReplayName"] for r in events.list_replays()["Replays"]}
    assert not listed & set(names)
    for n in names:
        with pytest.raises(ClientError) as error:
            events.describe_replay(ReplayName=n)
        assert code(error) == "ResourceNotFoundException"
    time.sleep(0.5)
    assert "Messages" not in sqs.receive_message(QueueUrl=s["url"])
    # A name already used.
    replay = name("r")
    events.start_replay(ReplayName=replay, EventSourceArn=source, Destination={"Arn": bus_arn(s["bus"])}, **window)
    refused("ResourceAlreadyExistsException", f"Replay {replay} already exists.", ReplayName=replay)
    wait_for_state(events, replay, {"COMPLETED"})
    assert len(drain(sqs, s["url"], 30)) == 30


def test_list_replays_and_cancel(events, replay_setup):
    s = replay_setup
    prefix = name("lr")
    replays = [f"{prefix}-{i}" for i in range(3)]
    for replay in replays:
        events.start_replay(ReplayName=replay, EventSourceArn=archive_arn(s["archive"]), EventStartTime=BASE,
                            EventEndTime=BASE + timedelta(seconds=2), Destination={"Arn": bus_arn(s["bus"])})
    for replay in replays:
        wait_for_state(events, replay, {"COMPLETED"})
    listed = events.list_replays(NamePrefix=prefix)["Replays"]
    assert [r["ReplayName"] for r in listed] == replays
    assert all(r["State"] == "COMPLETED" and r["EventSourceArn"] == archive_arn(s["archive"]) for r in listed)
    assert "Destination" not in listed[0]
    by_source = events.list_replays(EventSourceArn=archive_arn(s["archive"]))["Replays"]
    assert {r["ReplayName"] for r in by_source} >= set(replays)
    completed = {r["ReplayName"] for r in events.list_replays(State="COMPLETED")["Replays"]}
    assert set(replays) <= completed
    page = events.list_replays(NamePrefix=prefix, Limit=2)
    seen = [r["ReplayName"] for r in page["Replays"]]
    assert "NextToken" in page
    page = events.list_replays(NamePrefix=prefix, Limit=2, NextToken=page["NextToken"])
    seen += [r["ReplayName"] for r in page["Replays"]]
    assert seen == replays
    with pytest.raises(ClientError) as error:
        events.list_replays(NamePrefix=prefix, EventSourceArn=archive_arn(s["archive"]))
    assert code(error) == "ValidationException"
    with pytest.raises(ClientError) as error:
        events.list_replays(State="PAUSED")
    assert code(error) == "ValidationException"
    for call in (events.describe_replay, events.cancel_replay):
        with pytest.raises(ClientError) as error:
            call(ReplayName=name("missing"))
        assert code(error) == "ResourceNotFoundException"


def test_archived_event_survives_restart_and_replay_is_durable(fresh_server):
    events = make_client("events", fresh_server.endpoint)
    archive = name()
    events.create_archive(ArchiveName=archive, EventSourceArn=bus_arn("default"))
    ids = put(events, "default", 20, source=name("src"))
    fresh_server.kill9()
    fresh_server.start()
    events = make_client("events", fresh_server.endpoint)
    assert events.describe_archive(ArchiveName=archive)["EventCount"] == 20
    assert len(ids) == 20
