"""SQS through boto3 (which verifies MD5 digests itself): every operation and its error cases."""
import base64
import hashlib
import json
import time
import uuid

import pytest
from botocore.exceptions import ClientError

ACCOUNT = "000000000000"


def name(prefix="q"):
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def code(error):
    return error.value.response["Error"]["Code"]


@pytest.fixture
def fifo(sqs):
    url = sqs.create_queue(QueueName=name("f") + ".fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    yield url
    try:
        sqs.delete_queue(QueueUrl=url)
    except ClientError:
        pass


def arn_of(sqs, url):
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


# Queues ---------------------------------------------------------------------------------------

def test_create_get_list_delete(sqs, endpoint):
    qname = name()
    url = sqs.create_queue(QueueName=qname)["QueueUrl"]
    assert url == f"{endpoint}/{ACCOUNT}/{qname}"
    assert sqs.get_queue_url(QueueName=qname)["QueueUrl"] == url
    assert url in sqs.list_queues(QueueNamePrefix=qname)["QueueUrls"]
    # Creating again with the same attributes answers the same URL.
    assert sqs.create_queue(QueueName=qname)["QueueUrl"] == url
    sqs.delete_queue(QueueUrl=url)
    with pytest.raises(ClientError) as error:
        sqs.get_queue_url(QueueName=qname)
    assert code(error) == "AWS.SimpleQueueService.NonExistentQueue"
    assert "QueueUrls" not in sqs.list_queues(QueueNamePrefix=qname)


def test_modeled_exception_class_matches(sqs):
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.get_queue_url(QueueName=name("missing"))


def test_create_with_different_attributes_conflicts(sqs, queue):
    qname = queue.rsplit("/", 1)[1]
    with pytest.raises(ClientError) as error:
        sqs.create_queue(QueueName=qname, Attributes={"VisibilityTimeout": "99"})
    assert code(error) == "QueueAlreadyExists"


@pytest.mark.parametrize("bad", ["", "has space", "x" * 81, "bad!name", "a.fifo"])
def test_invalid_queue_names(sqs, bad):
    with pytest.raises(ClientError) as error:
        sqs.create_queue(QueueName=bad)
    assert code(error) == "InvalidParameterValue"


def test_fifo_name_and_attribute_must_agree(sqs):
    with pytest.raises(ClientError) as error:
        sqs.create_queue(QueueName=name(), Attributes={"FifoQueue": "true"})
    assert code(error) == "InvalidParameterValue"


def test_list_queues_pagination(sqs):
    prefix = name("page")
    urls = [sqs.create_queue(QueueName=f"{prefix}-{i}")["QueueUrl"] for i in range(5)]
    page = sqs.list_queues(QueueNamePrefix=prefix, MaxResults=2)
    assert len(page["QueueUrls"]) == 2 and "NextToken" in page
    seen = list(page["QueueUrls"])
    while "NextToken" in page:
        page = sqs.list_queues(QueueNamePrefix=prefix, MaxResults=2, NextToken=page["NextToken"])
        seen += page.get("QueueUrls", [])
    assert seen == sorted(urls)
    for url in urls:
        sqs.delete_queue(QueueUrl=url)


def test_attributes_defaults_and_set(sqs, queue):
    attrs = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["All"])["Attributes"]
    assert attrs["VisibilityTimeout"] == "30"
    assert attrs["MaximumMessageSize"] == "1048576"
    assert attrs["MessageRetentionPeriod"] == "345600"
    assert attrs["DelaySeconds"] == "0"
    assert attrs["ReceiveMessageWaitTimeSeconds"] == "0"
    assert attrs["ApproximateNumberOfMessages"] == "0"
    assert attrs["QueueArn"] == f"arn:aws:sqs:us-east-1:{ACCOUNT}:{queue.rsplit('/', 1)[1]}"
    assert int(attrs["CreatedTimestamp"]) > 1_600_000_000
    assert "FifoQueue" not in attrs
    sqs.set_queue_attributes(QueueUrl=queue, Attributes={"VisibilityTimeout": "5", "DelaySeconds": "1"})
    attrs = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["VisibilityTimeout", "DelaySeconds"])["Attributes"]
    assert attrs == {"VisibilityTimeout": "5", "DelaySeconds": "1"}


@pytest.mark.parametrize("attribute,value", [
    ("VisibilityTimeout", "43201"), ("DelaySeconds", "901"), ("MaximumMessageSize", "1023"),
    ("MessageRetentionPeriod", "59"), ("ReceiveMessageWaitTimeSeconds", "21"), ("VisibilityTimeout", "abc"),
])
def test_invalid_attribute_values(sqs, queue, attribute, value):
    with pytest.raises(ClientError) as error:
        sqs.set_queue_attributes(QueueUrl=queue, Attributes={attribute: value})
    assert code(error) == "InvalidAttributeValue"


def test_invalid_attribute_names(sqs, queue):
    with pytest.raises(ClientError) as error:
        sqs.set_queue_attributes(QueueUrl=queue, Attributes={"NoSuchThing": "1"})
    assert code(error) == "InvalidAttributeName"
    with pytest.raises(ClientError) as error:
        sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["NoSuchThing"])
    assert code(error) == "InvalidAttributeName"
    with pytest.raises(ClientError) as error:
        sqs.set_queue_attributes(QueueUrl=queue, Attributes={"ContentBasedDeduplication": "true"})
    assert code(error) == "InvalidAttributeName"


def test_tags(sqs):
    url = sqs.create_queue(QueueName=name(), tags={"team": "orders"})["QueueUrl"]
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"team": "orders"}
    sqs.tag_queue(QueueUrl=url, Tags={"env": "dev", "team": "payments"})
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"env": "dev", "team": "payments"}
    sqs.untag_queue(QueueUrl=url, TagKeys=["env", "team"])
    assert "Tags" not in sqs.list_queue_tags(QueueUrl=url)
    sqs.delete_queue(QueueUrl=url)


def test_permissions(sqs, queue):
    sqs.add_permission(QueueUrl=queue, Label="allow-other", AWSAccountIds=["111122223333"], Actions=["SendMessage"])
    policy = json.loads(sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["Policy"])["Attributes"]["Policy"])
    assert policy["Statement"][0]["Sid"] == "allow-other"
    assert policy["Statement"][0]["Action"] == "SQS:SendMessage"
    with pytest.raises(ClientError) as error:
        sqs.add_permission(QueueUrl=queue, Label="allow-other", AWSAccountIds=["111122223333"], Actions=["*"])
    assert code(error) == "InvalidParameterValue"
    sqs.remove_permission(QueueUrl=queue, Label="allow-other")
    with pytest.raises(ClientError) as error:
        sqs.remove_permission(QueueUrl=queue, Label="allow-other")
    assert code(error) == "InvalidParameterValue"


def test_purge_and_purge_in_progress(sqs, queue):
    for i in range(3):
        sqs.send_message(QueueUrl=queue, MessageBody=f"m{i}")
    sqs.purge_queue(QueueUrl=queue)
    attrs = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]
    assert attrs["ApproximateNumberOfMessages"] == "0"
    with pytest.raises(ClientError) as error:
        sqs.purge_queue(QueueUrl=queue)
    assert code(error) == "AWS.SimpleQueueService.PurgeQueueInProgress"


def test_unknown_queue_url(sqs, endpoint):
    for url in (f"{endpoint}/{ACCOUNT}/{name('nope')}", f"{endpoint}/123456789012/x", "not-a-url"):
        with pytest.raises(ClientError) as error:
            sqs.send_message(QueueUrl=url, MessageBody="x")
        assert code(error) == "AWS.SimpleQueueService.NonExistentQueue"


# Messages -------------------------------------------------------------------------------------

def test_send_receive_delete_with_attributes(sqs, queue):
    sent = sqs.send_message(
        QueueUrl=queue, MessageBody="héllo ✓",
        MessageAttributes={
            "kind": {"DataType": "String", "StringValue": "order"},
            "count": {"DataType": "Number", "StringValue": "42"},
            "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xff"},
            "custom": {"DataType": "String.json", "StringValue": "{}"},
        },
        MessageSystemAttributes={"AWSTraceHeader": {"DataType": "String", "StringValue": "Root=1-5759e988-bd862e3fe1be46a994272793"}})
    assert sent["MD5OfMessageBody"] == hashlib.md5("héllo ✓".encode()).hexdigest()
    assert "MD5OfMessageAttributes" in sent and "MD5OfMessageSystemAttributes" in sent
    got = sqs.receive_message(QueueUrl=queue, MessageAttributeNames=["All"], MessageSystemAttributeNames=["All"])
    (message,) = got["Messages"]
    assert message["MessageId"] == sent["MessageId"]
    assert message["Body"] == "héllo ✓"
    assert message["MessageAttributes"]["blob"]["BinaryValue"] == b"\x00\x01\xff"
    assert message["MessageAttributes"]["count"] == {"DataType": "Number", "StringValue": "42"}
    assert message["Attributes"]["ApproximateReceiveCount"] == "1"
    assert message["Attributes"]["AWSTraceHeader"].startswith("Root=1-")
    assert int(message["Attributes"]["SentTimestamp"]) > 1_600_000_000_000
    sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
    assert "Messages" not in sqs.receive_message(QueueUrl=queue, VisibilityTimeout=0)


def test_attribute_name_selection(sqs, queue):
    sqs.send_message(QueueUrl=queue, MessageBody="x", MessageAttributes={
        "order.id": {"DataType": "String", "StringValue": "1"},
        "order.kind": {"DataType": "String", "StringValue": "2"},
        "other": {"DataType": "String", "StringValue": "3"}})
    message = sqs.receive_message(QueueUrl=queue, MessageAttributeNames=["order.*"])["Messages"][0]
    assert set(message["MessageAttributes"]) == {"order.id", "order.kind"}
    assert "Attributes" not in message


def test_visibility_timeout_and_change(sqs, queue):
    sqs.send_message(QueueUrl=queue, MessageBody="x")
    first = sqs.receive_message(QueueUrl=queue, VisibilityTimeout=30)["Messages"][0]
    assert "Messages" not in sqs.receive_message(QueueUrl=queue)
    counts = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["All"])["Attributes"]
    assert counts["ApproximateNumberOfMessagesNotVisible"] == "1"
    sqs.change_message_visibility(QueueUrl=queue, ReceiptHandle=first["ReceiptHandle"], VisibilityTimeout=0)
    second = sqs.receive_message(QueueUrl=queue, MessageSystemAttributeNames=["ApproximateReceiveCount"])["Messages"][0]
    assert second["Attributes"]["ApproximateReceiveCount"] == "2"
    assert second["ReceiptHandle"] != first["ReceiptHandle"]
    # The old handle no longer names the current receive.
    with pytest.raises(ClientError) as error:
        sqs.change_message_visibility(QueueUrl=queue, ReceiptHandle=first["ReceiptHandle"], VisibilityTimeout=10)
    assert code(error) == "AWS.SimpleQueueService.MessageNotInflight"
    # Deleting with a stale handle succeeds but does not delete.
    sqs.delete_message(QueueUrl=queue, ReceiptHandle=first["ReceiptHandle"])
    counts = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["ApproximateNumberOfMessagesNotVisible"])
    assert counts["Attributes"]["ApproximateNumberOfMessagesNotVisible"] == "1"
    with pytest.raises(ClientError) as error:
        sqs.change_message_visibility(QueueUrl=queue, ReceiptHandle=second["ReceiptHandle"], VisibilityTimeout=43201)
    assert code(error) == "InvalidParameterValue"


def test_receipt_handles_are_checked(sqs, queue):
    other = sqs.create_queue(QueueName=name())["QueueUrl"]
    sqs.send_message(QueueUrl=other, MessageBody="x")
    handle = sqs.receive_message(QueueUrl=other)["Messages"][0]["ReceiptHandle"]
    for bad in (handle, "garbage", base64.b64encode(b"nope").decode()):
        with pytest.raises(ClientError) as error:
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=bad)
        assert code(error) == "ReceiptHandleIsInvalid"
    # The message in the other queue is untouched.
    attrs = sqs.get_queue_attributes(QueueUrl=other, AttributeNames=["ApproximateNumberOfMessagesNotVisible"])
    assert attrs["Attributes"]["ApproximateNumberOfMessagesNotVisible"] == "1"
    sqs.delete_queue(QueueUrl=other)


def test_delay_seconds(sqs, queue):
    sqs.send_message(QueueUrl=queue, MessageBody="later", DelaySeconds=2)
    attrs = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["ApproximateNumberOfMessagesDelayed"])
    assert attrs["Attributes"]["ApproximateNumberOfMessagesDelayed"] == "1"
    assert "Messages" not in sqs.receive_message(QueueUrl=queue)
    got = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=10)
    assert got["Messages"][0]["Body"] == "later"


def test_long_poll_wakes_on_send(sqs, queue):
    import threading
    result = {}

    def poll():
        result["got"] = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=20)

    thread = threading.Thread(target=poll)
    thread.start()
    time.sleep(0.5)
    sqs.send_message(QueueUrl=queue, MessageBody="wake")
    thread.join(timeout=25)
    assert result["got"]["Messages"][0]["Body"] == "wake"


def test_long_poll_times_out_empty(sqs, queue):
    got = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1)
    assert "Messages" not in got


@pytest.mark.parametrize("kwargs,expected", [
    ({"MaxNumberOfMessages": 11}, "InvalidParameterValue"),
    ({"MaxNumberOfMessages": 0}, "InvalidParameterValue"),
    ({"WaitTimeSeconds": 21}, "InvalidParameterValue"),
    ({"VisibilityTimeout": 43201}, "InvalidParameterValue"),
])
def test_receive_parameter_limits(sqs, queue, kwargs, expected):
    with pytest.raises(ClientError) as error:
        sqs.receive_message(QueueUrl=queue, **kwargs)
    assert code(error) == expected


def test_message_content_rules(sqs, queue):
    with pytest.raises(ClientError) as error:
        sqs.send_message(QueueUrl=queue, MessageBody="bad \x01 char")
    assert code(error) == "InvalidMessageContents"
    sqs.set_queue_attributes(QueueUrl=queue, Attributes={"MaximumMessageSize": "1024"})
    with pytest.raises(ClientError) as error:
        sqs.send_message(QueueUrl=queue, MessageBody="x" * 1025)
    assert code(error) == "InvalidParameterValue"
    sqs.send_message(QueueUrl=queue, MessageBody="x" * 1024)
    with pytest.raises(ClientError) as error:
        sqs.send_message(QueueUrl=queue, MessageBody="x", DelaySeconds=901)
    assert code(error) == "InvalidParameterValue"
    with pytest.raises(ClientError) as error:
        sqs.send_message(QueueUrl=queue, MessageBody="x", MessageDeduplicationId="d")
    assert code(error) == "InvalidParameterValue"


@pytest.mark.parametrize("attributes", [
    {"AWS.reserved": {"DataType": "String", "StringValue": "x"}},
    {"bad..name": {"DataType": "String", "StringValue": "x"}},
    {"n": {"DataType": "Number", "StringValue": "twelve"}},
    {"n": {"DataType": "Float", "StringValue": "1"}},
    {f"a{i}": {"DataType": "String", "StringValue": "x"} for i in range(11)},
])
def test_invalid_message_attributes(sqs, queue, attributes):
    with pytest.raises(ClientError) as error:
        sqs.send_message(QueueUrl=queue, MessageBody="x", MessageAttributes=attributes)
    assert code(error) == "InvalidParameterValue"


def test_batches(sqs, queue):
    sent = sqs.send_message_batch(QueueUrl=queue, Entries=[
        {"Id": "a", "MessageBody": "one"},
        {"Id": "b", "MessageBody": "two", "MessageAttributes": {"k": {"DataType": "String", "StringValue": "v"}}},
        {"Id": "c", "MessageBody": "bad\x02"},
    ])
    assert sorted(e["Id"] for e in sent["Successful"]) == ["a", "b"]
    assert sent["Failed"] == [{"Id": "c", "SenderFault": True, "Code": "InvalidMessageContents",
                               "Message": sent["Failed"][0]["Message"]}]
    got = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, MessageAttributeNames=["All"])["Messages"]
    assert sorted(m["Body"] for m in got) == ["one", "two"]
    changed = sqs.change_message_visibility_batch(QueueUrl=queue, Entries=[
        {"Id": "x", "ReceiptHandle": got[0]["ReceiptHandle"], "VisibilityTimeout": 60},
        {"Id": "y", "ReceiptHandle": "garbage", "VisibilityTimeout": 60}])
    assert [e["Id"] for e in changed["Successful"]] == ["x"]
    assert changed["Failed"][0]["Code"] == "ReceiptHandleIsInvalid"
    deleted = sqs.delete_message_batch(QueueUrl=queue, Entries=[
        {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)])
    assert len(deleted["Successful"]) == 2 and deleted.get("Failed", []) == []
    attrs = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["All"])["Attributes"]
    assert attrs["ApproximateNumberOfMessages"] == "0" and attrs["ApproximateNumberOfMessagesNotVisible"] == "0"


def test_batch_shape_errors(sqs, queue):
    with pytest.raises(ClientError) as error:
        sqs.send_message_batch(QueueUrl=queue, Entries=[{"Id": str(i), "MessageBody": "x"} for i in range(11)])
    assert code(error) == "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"
    with pytest.raises(ClientError) as error:
        sqs.send_message_batch(QueueUrl=queue, Entries=[{"Id": "a", "MessageBody": "x"}, {"Id": "a", "MessageBody": "y"}])
    assert code(error) == "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"
    with pytest.raises(ClientError) as error:
        sqs.send_message_batch(QueueUrl=queue, Entries=[{"Id": "no spaces!", "MessageBody": "x"}])
    assert code(error) == "AWS.SimpleQueueService.InvalidBatchEntryId"
    with pytest.raises(ClientError) as error:
        sqs.send_message_batch(QueueUrl=queue, Entries=[{"Id": str(i), "MessageBody": "x" * 200_000} for i in range(6)])
    assert code(error) == "AWS.SimpleQueueService.BatchRequestTooLong"
    with pytest.raises(ClientError) as error:
        sqs.delete_message_batch(QueueUrl=queue, Entries=[])
    assert code(error) == "AWS.SimpleQueueService.EmptyBatchRequest"
    attrs = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]
    assert attrs["ApproximateNumberOfMessages"] == "0"


# Redrive --------------------------------------------------------------------------------------

def test_redrive_to_dlq_and_back(sqs):
    dlq = sqs.create_queue(QueueName=name("dlq"))["QueueUrl"]
    dlq_arn = arn_of(sqs, dlq)
    src = sqs.create_queue(QueueName=name("src"), Attributes={
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2})})["QueueUrl"]
    src_arn = arn_of(sqs, src)
    sqs.send_message(QueueUrl=src, MessageBody="poison")
    for _ in range(2):
        assert sqs.receive_message(QueueUrl=src, VisibilityTimeout=0)["Messages"][0]["Body"] == "poison"
    assert "Messages" not in sqs.receive_message(QueueUrl=src)
    moved = sqs.receive_message(QueueUrl=dlq, VisibilityTimeout=0, MessageSystemAttributeNames=["All"])["Messages"][0]
    assert moved["Body"] == "poison"
    assert moved["Attributes"]["DeadLetterQueueSourceArn"] == src_arn
    assert sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"] == [src]
    # Redrive back to the source with a move task.
    handle = sqs.start_message_move_task(SourceArn=dlq_arn, MaxNumberOfMessagesPerSecond=10)["TaskHandle"]
    deadline = time.time() + 15
    while time.time() < deadline:
        task = sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"][0]
        if task["Status"] != "RUNNING":
            break
        time.sleep(0.2)
    assert task["Status"] == "COMPLETED"
    assert task["ApproximateNumberOfMessagesMoved"] == 1
    assert task["ApproximateNumberOfMessagesToMove"] == 1
    back = sqs.receive_message(QueueUrl=src, MessageSystemAttributeNames=["ApproximateReceiveCount"])["Messages"][0]
    assert back["Body"] == "poison" and back["Attributes"]["ApproximateReceiveCount"] == "1"
    with pytest.raises(ClientError) as error:
        sqs.cancel_message_move_task(TaskHandle=handle)
    assert code(error) == "ResourceNotFoundException"
    for url in (src, dlq):
        sqs.delete_queue(QueueUrl=url)


def test_move_task_rate_limit_progress_and_cancel(sqs):
    dlq = sqs.create_queue(QueueName=name("dlq"))["QueueUrl"]
    dlq_arn = arn_of(sqs, dlq)
    sqs.create_queue(QueueName=name("src"), Attributes={
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1})})
    dest = sqs.create_queue(QueueName=name("dest"))["QueueUrl"]
    for start in range(0, 30, 10):
        sqs.send_message_batch(QueueUrl=dlq, Entries=[{"Id": str(i), "MessageBody": str(start + i)} for i in range(10)])
    handle = sqs.start_message_move_task(SourceArn=dlq_arn, DestinationArn=arn_of(sqs, dest),
                                         MaxNumberOfMessagesPerSecond=1)["TaskHandle"]
    with pytest.raises(ClientError) as error:
        sqs.start_message_move_task(SourceArn=dlq_arn)
    assert code(error) == "AWS.SimpleQueueService.UnsupportedOperation"
    time.sleep(1.5)
    task = sqs.list_message_move_tasks(SourceArn=dlq_arn, MaxResults=10)["Results"][0]
    assert task["Status"] == "RUNNING" and task["TaskHandle"] == handle
    assert 1 <= task["ApproximateNumberOfMessagesMoved"] < 30
    assert task["ApproximateNumberOfMessagesToMove"] == 30
    moved = sqs.cancel_message_move_task(TaskHandle=handle)["ApproximateNumberOfMessagesMoved"]
    assert moved < 30
    task = sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"][0]
    assert task["Status"] == "CANCELLED"


def test_move_task_errors(sqs, queue):
    with pytest.raises(ClientError) as error:
        sqs.start_message_move_task(SourceArn=arn_of(sqs, queue))
    assert code(error) == "InvalidParameterValue"
    with pytest.raises(ClientError) as error:
        sqs.start_message_move_task(SourceArn=f"arn:aws:sqs:us-east-1:{ACCOUNT}:{name('none')}")
    assert code(error) == "ResourceNotFoundException"
    with pytest.raises(ClientError) as error:
        sqs.cancel_message_move_task(TaskHandle="bm90LWEtaGFuZGxl")
    assert code(error) == "ResourceNotFoundException"


def test_redrive_policy_validation(sqs, queue, fifo):
    with pytest.raises(ClientError) as error:
        sqs.set_queue_attributes(QueueUrl=queue, Attributes={"RedrivePolicy": json.dumps(
            {"deadLetterTargetArn": f"arn:aws:sqs:us-east-1:{ACCOUNT}:{name('none')}", "maxReceiveCount": 3})})
    assert code(error) == "InvalidParameterValue"
    with pytest.raises(ClientError) as error:
        sqs.set_queue_attributes(QueueUrl=queue, Attributes={"RedrivePolicy": json.dumps(
            {"deadLetterTargetArn": arn_of(sqs, fifo), "maxReceiveCount": 3})})
    assert code(error) == "InvalidParameterValue"
    dlq = sqs.create_queue(QueueName=name("dlq"), Attributes={
        "RedriveAllowPolicy": json.dumps({"redrivePermission": "denyAll"})})["QueueUrl"]
    with pytest.raises(ClientError) as error:
        sqs.set_queue_attributes(QueueUrl=queue, Attributes={"RedrivePolicy": json.dumps(
            {"deadLetterTargetArn": arn_of(sqs, dlq), "maxReceiveCount": 3})})
    assert code(error) == "InvalidParameterValue"
    with pytest.raises(ClientError) as error:
        sqs.set_queue_attributes(QueueUrl=queue, Attributes={"RedrivePolicy": json.dumps(
            {"deadLetterTargetArn": arn_of(sqs, dlq), "maxReceiveCount": 0})})
    assert code(error) == "InvalidParameterValue"
    sqs.delete_queue(QueueUrl=dlq)


# FIFO -----------------------------------------------------------------------------------------

def test_fifo_group_ordering(sqs, fifo):
    for i in range(4):
        sqs.send_message(QueueUrl=fifo, MessageBody=f"a{i}", MessageGroupId="A", MessageDeduplicationId=f"a{i}")
        sqs.send_message(QueueUrl=fifo, MessageBody=f"b{i}", MessageGroupId="B", MessageDeduplicationId=f"b{i}")
    first = sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=10, VisibilityTimeout=30,
                                MessageSystemAttributeNames=["All"])["Messages"]
    bodies = [m["Body"] for m in first]
    assert [b for b in bodies if b.startswith("a")] == ["a0", "a1", "a2", "a3"]
    assert [b for b in bodies if b.startswith("b")] == ["b0", "b1", "b2", "b3"]
    seqs = [int(m["Attributes"]["SequenceNumber"]) for m in first]
    assert seqs == sorted(seqs)
    # While group messages are in flight, nothing else from those groups is handed out.
    sqs.send_message(QueueUrl=fifo, MessageBody="a4", MessageGroupId="A", MessageDeduplicationId="a4")
    assert "Messages" not in sqs.receive_message(QueueUrl=fifo)


def test_fifo_blocked_group_does_not_block_others(sqs, fifo):
    sqs.send_message(QueueUrl=fifo, MessageBody="a0", MessageGroupId="A", MessageDeduplicationId="1")
    sqs.send_message(QueueUrl=fifo, MessageBody="a1", MessageGroupId="A", MessageDeduplicationId="2")
    sqs.send_message(QueueUrl=fifo, MessageBody="b0", MessageGroupId="B", MessageDeduplicationId="3")
    a0 = sqs.receive_message(QueueUrl=fifo)["Messages"][0]
    assert a0["Body"] == "a0"
    nxt = sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in nxt] == ["b0"]


def test_fifo_deduplication(sqs, fifo):
    one = sqs.send_message(QueueUrl=fifo, MessageBody="x", MessageGroupId="g", MessageDeduplicationId="same")
    two = sqs.send_message(QueueUrl=fifo, MessageBody="y", MessageGroupId="g", MessageDeduplicationId="same")
    assert one["MessageId"] == two["MessageId"] and one["SequenceNumber"] == two["SequenceNumber"]
    got = sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in got] == ["x"]


def test_fifo_content_based_deduplication(sqs):
    url = sqs.create_queue(QueueName=name("cbd") + ".fifo", Attributes={
        "FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
    one = sqs.send_message(QueueUrl=url, MessageBody="same body", MessageGroupId="g")
    two = sqs.send_message(QueueUrl=url, MessageBody="same body", MessageGroupId="g")
    assert one["MessageId"] == two["MessageId"]
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"])["Messages"]
    assert len(got) == 1
    assert got[0]["Attributes"]["MessageDeduplicationId"] == hashlib.sha256(b"same body").hexdigest()
    sqs.delete_queue(QueueUrl=url)


def test_fifo_parameter_rules(sqs, fifo):
    with pytest.raises(ClientError) as error:
        sqs.send_message(QueueUrl=fifo, MessageBody="x", MessageDeduplicationId="d")
    assert code(error) == "MissingParameter"
    with pytest.raises(ClientError) as error:
        sqs.send_message(QueueUrl=fifo, MessageBody="x", MessageGroupId="g")
    assert code(error) == "InvalidParameterValue"
    with pytest.raises(ClientError) as error:
        sqs.send_message(QueueUrl=fifo, MessageBody="x", MessageGroupId="g", MessageDeduplicationId="d", DelaySeconds=1)
    assert code(error) == "InvalidParameterValue"
    attrs = sqs.get_queue_attributes(QueueUrl=fifo, AttributeNames=["All"])["Attributes"]
    assert attrs["FifoQueue"] == "true" and attrs["DeduplicationScope"] == "queue"


# AWS CLI --------------------------------------------------------------------------------------

def test_aws_cli_round_trip(endpoint):
    from conftest import aws_cli
    qname = name("cli")
    url = json.loads(aws_cli(endpoint, "sqs", "create-queue", "--queue-name", qname).stdout)["QueueUrl"]
    sent = json.loads(aws_cli(endpoint, "sqs", "send-message", "--queue-url", url, "--message-body", "from cli",
                              "--message-attributes", '{"k":{"DataType":"String","StringValue":"v"}}').stdout)
    assert sent["MD5OfMessageBody"] == hashlib.md5(b"from cli").hexdigest()
    got = json.loads(aws_cli(endpoint, "sqs", "receive-message", "--queue-url", url,
                             "--message-attribute-names", "All").stdout)
    assert got["Messages"][0]["Body"] == "from cli"
    aws_cli(endpoint, "sqs", "delete-message", "--queue-url", url, "--receipt-handle",
            got["Messages"][0]["ReceiptHandle"])
    attrs = json.loads(aws_cli(endpoint, "sqs", "get-queue-attributes", "--queue-url", url,
                               "--attribute-names", "All").stdout)["Attributes"]
    assert attrs["ApproximateNumberOfMessages"] == "0"
    missing = aws_cli(endpoint, "sqs", "get-queue-url", "--queue-name", name("missing"), check=False)
    assert missing.returncode != 0 and "NonExistentQueue" in missing.stderr
    aws_cli(endpoint, "sqs", "delete-queue", "--queue-url", url)


def test_fifo_receive_request_attempt_id(sqs, fifo):
    for i in range(3):
        sqs.send_message(QueueUrl=fifo, MessageBody=f"m{i}", MessageGroupId="g", MessageDeduplicationId=f"d{i}")
    first = sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=2, ReceiveRequestAttemptId="attempt-1")["Messages"]
    again = sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=2, ReceiveRequestAttemptId="attempt-1")["Messages"]
    assert [m["ReceiptHandle"] for m in again] == [m["ReceiptHandle"] for m in first]
    # Once one of them is deleted, the same attempt id is a new receive (the group is still busy).
    sqs.delete_message(QueueUrl=fifo, ReceiptHandle=first[0]["ReceiptHandle"])
    assert "Messages" not in sqs.receive_message(QueueUrl=fifo, ReceiveRequestAttemptId="attempt-1")
    with pytest.raises(ClientError) as error:
        sqs.receive_message(QueueUrl=fifo, ReceiveRequestAttemptId="bad id with spaces")
    assert code(error) == "InvalidParameterValue"
