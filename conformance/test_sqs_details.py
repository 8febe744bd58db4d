"""SQS details found by peers' tests (issue #18): bare queue names, FIFO DelaySeconds=0, the order
of DeleteMessage's checks, AddPermission's policy shape and limits, empty tag calls, and a
RedrivePolicy's maxReceiveCount given as a string. Each against AWS's documented behaviour."""
import json
import uuid

import pytest
from botocore.exceptions import ClientError

ACCOUNT = "000000000000"


def name(prefix="q"):
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def code(error):
    return error.value.response["Error"]["Code"]


def policy_of(sqs, url):
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"]).get("Attributes", {})
    return json.loads(attributes["Policy"]) if "Policy" in attributes else None


@pytest.fixture
def fifo(sqs):
    url = sqs.create_queue(QueueName=name("f") + ".fifo",
                           Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
    yield url
    try:
        sqs.delete_queue(QueueUrl=url)
    except ClientError:
        pass


# A bare queue name where a QueueUrl is expected names the caller's queue, as SQS accepts.

def test_bare_queue_name_is_resolved(sqs, queue):
    bare = queue.rsplit("/", 1)[1]
    sqs.send_message(QueueUrl=bare, MessageBody="by name")
    attributes = sqs.get_queue_attributes(QueueUrl=bare, AttributeNames=["QueueArn", "ApproximateNumberOfMessages"])
    assert attributes["Attributes"]["QueueArn"].endswith(":" + bare)
    assert attributes["Attributes"]["ApproximateNumberOfMessages"] == "1"
    received = sqs.receive_message(QueueUrl=bare)["Messages"]
    assert [m["Body"] for m in received] == ["by name"]
    sqs.delete_message(QueueUrl=bare, ReceiptHandle=received[0]["ReceiptHandle"])
    assert "Messages" not in sqs.receive_message(QueueUrl=queue)


def test_bare_name_of_missing_queue_is_nonexistent(sqs):
    with pytest.raises(ClientError) as error:
        sqs.send_message(QueueUrl=name("missing"), MessageBody="x")
    assert code(error) == "AWS.SimpleQueueService.NonExistentQueue"
    with pytest.raises(ClientError) as error:
        sqs.get_queue_attributes(QueueUrl="not a name!", AttributeNames=["All"])
    assert code(error) == "AWS.SimpleQueueService.NonExistentQueue"


# FIFO: DelaySeconds=0 asks for no delay and is accepted; only a non-zero per-message delay is refused.

def test_fifo_send_with_zero_delay_is_accepted(sqs, fifo):
    sent = sqs.send_message(QueueUrl=fifo, MessageBody="zero", MessageGroupId="g", DelaySeconds=0)
    assert sent["SequenceNumber"]
    batch = sqs.send_message_batch(QueueUrl=fifo, Entries=[
        {"Id": "a", "MessageBody": "one", "MessageGroupId": "g", "DelaySeconds": 0},
        {"Id": "b", "MessageBody": "two", "MessageGroupId": "g", "DelaySeconds": 5},
    ])
    assert [e["Id"] for e in batch["Successful"]] == ["a"]
    assert [(e["Id"], e["Code"]) for e in batch["Failed"]] == [("b", "InvalidParameterValue")]
    bodies = [m["Body"] for m in sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=10)["Messages"]]
    assert bodies == ["zero", "one"]


def test_fifo_send_with_nonzero_delay_is_refused(sqs, fifo):
    with pytest.raises(ClientError) as error:
        sqs.send_message(QueueUrl=fifo, MessageBody="late", MessageGroupId="g", DelaySeconds=1)
    assert code(error) == "InvalidParameterValue"
    assert "Messages" not in sqs.receive_message(QueueUrl=fifo)


# DeleteMessage on a queue that does not exist: NonExistentQueue, whatever the handle.

def test_delete_message_on_missing_queue_names_the_queue(sqs, queue):
    missing = queue.rsplit("/", 1)[0] + "/" + name("gone")
    with pytest.raises(ClientError) as error:
        sqs.delete_message(QueueUrl=missing, ReceiptHandle="not-a-handle")
    assert code(error) == "AWS.SimpleQueueService.NonExistentQueue"
    with pytest.raises(ClientError) as error:
        sqs.change_message_visibility(QueueUrl=missing, ReceiptHandle="not-a-handle", VisibilityTimeout=5)
    assert code(error) == "AWS.SimpleQueueService.NonExistentQueue"
    # On a queue that exists, the same handle is the handle's error.
    with pytest.raises(ClientError) as error:
        sqs.delete_message(QueueUrl=queue, ReceiptHandle="not-a-handle")
    assert code(error) == "ReceiptHandleIsInvalid"


# AddPermission writes AWS's policy shape and holds to what may be granted.

def test_add_permission_single_principal_and_action_are_strings(sqs, queue):
    sqs.add_permission(QueueUrl=queue, Label="one", AWSAccountIds=["111122223333"], Actions=["ReceiveMessage"])
    statement = policy_of(sqs, queue)["Statement"][0]
    assert statement["Principal"] == {"AWS": "arn:aws:iam::111122223333:root"}
    assert statement["Action"] == "SQS:ReceiveMessage"
    assert statement["Effect"] == "Allow"
    assert statement["Resource"].endswith(":" + queue.rsplit("/", 1)[1])


def test_add_permission_several_principals_and_actions_are_lists(sqs, queue):
    sqs.add_permission(QueueUrl=queue, Label="many", AWSAccountIds=["111122223333", "444455556666"],
                       Actions=["SendMessage", "DeleteMessage", "*"])
    statement = policy_of(sqs, queue)["Statement"][0]
    assert statement["Principal"] == {"AWS": ["arn:aws:iam::111122223333:root", "arn:aws:iam::444455556666:root"]}
    assert statement["Action"] == ["SQS:SendMessage", "SQS:DeleteMessage", "SQS:*"]


def test_add_permission_refuses_owner_only_actions(sqs, queue):
    for action in ["AddPermission", "DeleteQueue", "SetQueueAttributes", "NoSuchAction"]:
        with pytest.raises(ClientError) as error:
            sqs.add_permission(QueueUrl=queue, Label="bad", AWSAccountIds=["111122223333"], Actions=[action])
        assert code(error) == "InvalidParameterValue", action
        assert f"SQS:{action}" in error.value.response["Error"]["Message"]
    assert policy_of(sqs, queue) is None


def test_add_permission_at_most_seven_actions(sqs, queue):
    seven = ["SendMessage", "ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility",
             "GetQueueAttributes", "GetQueueUrl", "PurgeQueue"]
    with pytest.raises(ClientError) as error:
        sqs.add_permission(QueueUrl=queue, Label="eight", AWSAccountIds=["111122223333"],
                           Actions=seven + ["ListDeadLetterSourceQueues"])
    assert code(error) == "OverLimit"
    assert policy_of(sqs, queue) is None
    sqs.add_permission(QueueUrl=queue, Label="seven", AWSAccountIds=["111122223333"], Actions=seven)
    assert len(policy_of(sqs, queue)["Statement"][0]["Action"]) == 7


# Empty tag calls are MissingParameter, and change nothing.

def test_tag_queue_without_tags_and_untag_without_keys(sqs):
    url = sqs.create_queue(QueueName=name(), tags={"team": "orders"})["QueueUrl"]
    try:
        with pytest.raises(ClientError) as error:
            sqs.tag_queue(QueueUrl=url, Tags={})
        assert code(error) == "MissingParameter"
        with pytest.raises(ClientError) as error:
            sqs.untag_queue(QueueUrl=url, TagKeys=[])
        assert code(error) == "MissingParameter"
        assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"team": "orders"}
    finally:
        sqs.delete_queue(QueueUrl=url)


# A RedrivePolicy's maxReceiveCount given as a string is stored and returned as a number.

def test_redrive_policy_count_as_string_is_returned_as_number(sqs):
    dlq = sqs.create_queue(QueueName=name("dlq"))["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    src = sqs.create_queue(QueueName=name("src"), Attributes={
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "3"})})["QueueUrl"]
    try:
        text = sqs.get_queue_attributes(QueueUrl=src, AttributeNames=["RedrivePolicy"])["Attributes"]["RedrivePolicy"]
        assert json.loads(text) == {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3}
        sqs.set_queue_attributes(QueueUrl=src, Attributes={
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "7"})})
        text = sqs.get_queue_attributes(QueueUrl=src, AttributeNames=["RedrivePolicy"])["Attributes"]["RedrivePolicy"]
        assert json.loads(text)["maxReceiveCount"] == 7
        with pytest.raises(ClientError) as error:
            sqs.set_queue_attributes(QueueUrl=src, Attributes={
                "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "many"})})
        assert code(error) == "InvalidParameterValue"
        text = sqs.get_queue_attributes(QueueUrl=src, AttributeNames=["RedrivePolicy"])["Attributes"]["RedrivePolicy"]
        assert json.loads(text)["maxReceiveCount"] == 7
    finally:
        sqs.delete_queue(QueueUrl=src)
        sqs.delete_queue(QueueUrl=dlq)
