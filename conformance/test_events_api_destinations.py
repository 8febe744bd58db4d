"""EventBridge connections and API destinations through boto3 (issue #18): every operation and
its errors (nothing changed by a refused call), and API-destination targets delivering to an
HTTP server this suite starts on loopback: each authorization type (API key, basic, OAuth client
credentials with the token endpoint served by the same server, and the token fetched again after
a 401), HttpParameters and InputPath, a 500 that is retried and then dead-lettered with AWS's
attributes, a 400 that is not retried, an unreachable endpoint, the rate limit, and a call that
survives a `kill -9` of the stack."""
import base64
import json
import time
import uuid

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, REGION, make_client


def name(prefix="c"):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def code(error):
    return error.value.response["Error"]["Code"]


def message(error):
    return error.value.response["Error"]["Message"]


@pytest.fixture
def events(endpoint):
    return make_client("events", endpoint)


@pytest.fixture
def unchecked(endpoint):
    """A client that sends what boto3 would refuse itself, to see the server's answer."""
    return make_client("events", endpoint, parameter_validation=False)


API_KEY = {"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": "k-secret-123"}}
BASIC = {"BasicAuthParameters": {"Username": "courier", "Password": "pa55-secret"}}


def oauth_parameters(hooks, secret="secret"):
    return {"OAuthParameters": {
        "ClientParameters": {"ClientID": "client", "ClientSecret": secret},
        "AuthorizationEndpoint": hooks.url + "/token", "HttpMethod": "POST",
        "OAuthHttpParameters": {"BodyParameters": [{"Key": "grant_type", "Value": "client_credentials"}]}}}


def wait_state(events, connection, wanted, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        described = events.describe_connection(Name=connection)
        if described["ConnectionState"] in wanted:
            return described
        time.sleep(0.05)
    return events.describe_connection(Name=connection)


def without_metadata(call, **kwargs):
    answer = call(**kwargs)
    answer.pop("ResponseMetadata", None)
    return answer


def receive_all(sqs, url, expected, timeout=30):
    got = []
    deadline = time.monotonic() + timeout
    while len(got) < expected and time.monotonic() < deadline:
        answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                     MessageAttributeNames=["All"])
        for msg in answer.get("Messages", []):
            got.append(msg)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=msg["ReceiptHandle"])
    return got


# MARK: Connections


def test_connection_lifecycle_api_key(events):
    connection = name("conn")
    created = events.create_connection(Name=connection, Description="orders webhook", AuthorizationType="API_KEY",
                                       AuthParameters={**API_KEY, "InvocationHttpParameters": {"HeaderParameters": [
                                           {"Key": "x-team", "Value": "payments", "IsValueSecret": False},
                                           {"Key": "x-signing", "Value": "hush", "IsValueSecret": True}]}})
    assert created["ConnectionState"] == "AUTHORIZED"
    assert created["ConnectionArn"].startswith(f"arn:aws:events:{REGION}:{ACCOUNT}:connection/{connection}/")
    assert "LastAuthorizedTime" not in created
    described = events.describe_connection(Name=connection)
    assert described["Name"] == connection
    assert described["Description"] == "orders webhook"
    assert described["AuthorizationType"] == "API_KEY"
    assert described["ConnectionState"] == "AUTHORIZED"
    assert described["SecretArn"].startswith(
        f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:events!connection/{connection}/")
    assert described["AuthParameters"]["ApiKeyAuthParameters"] == {"ApiKeyName": "x-api-key"}
    headers = described["AuthParameters"]["InvocationHttpParameters"]["HeaderParameters"]
    assert headers[0] == {"Key": "x-team", "Value": "payments", "IsValueSecret": False}
    assert headers[1] == {"Key": "x-signing", "IsValueSecret": True}
    assert "k-secret-123" not in json.dumps(described, default=str)
    assert "hush" not in json.dumps(described, default=str)
    assert "LastAuthorizedTime" in described

    listed = events.list_connections(NamePrefix=connection)["Connections"]
    assert [c["Name"] for c in listed] == [connection]
    assert "AuthParameters" not in listed[0] and listed[0]["ConnectionState"] == "AUTHORIZED"
    assert connection in [c["Name"] for c in events.list_connections(ConnectionState="AUTHORIZED")["Connections"]]
    assert connection not in [c["Name"] for c in events.list_connections(ConnectionState="DEAUTHORIZED")["Connections"]]

    updated = events.update_connection(Name=connection, Description="renamed key",
                                       AuthParameters={"ApiKeyAuthParameters": {"ApiKeyName": "x-key"}})
    assert updated["ConnectionState"] == "AUTHORIZED"
    described = events.describe_connection(Name=connection)
    assert described["Description"] == "renamed key"
    assert described["AuthParameters"]["ApiKeyAuthParameters"] == {"ApiKeyName": "x-key"}

    deauthorized = events.deauthorize_connection(Name=connection)
    assert deauthorized["ConnectionState"] == "DEAUTHORIZING"
    assert events.describe_connection(Name=connection)["ConnectionState"] == "DEAUTHORIZED"
    assert connection in [c["Name"] for c in events.list_connections(ConnectionState="DEAUTHORIZED")["Connections"]]
    # Authorized again by giving the secret anew.
    events.update_connection(Name=connection, AuthParameters={"ApiKeyAuthParameters": {"ApiKeyValue": "k-2"}})
    assert events.describe_connection(Name=connection)["ConnectionState"] == "AUTHORIZED"

    deleted = events.delete_connection(Name=connection)
    assert deleted["ConnectionState"] == "DELETING"
    assert deleted["ConnectionArn"] == created["ConnectionArn"]
    with pytest.raises(ClientError) as error:
        events.describe_connection(Name=connection)
    assert code(error) == "ResourceNotFoundException"
    assert message(error) == f"Failed to describe the connection(s). Connection '{connection}' does not exist."


def test_connection_errors_change_nothing(events, unchecked):
    connection = name("conn")
    events.create_connection(Name=connection, AuthorizationType="BASIC", AuthParameters=BASIC)
    before = without_metadata(events.describe_connection, Name=connection)
    with pytest.raises(ClientError) as error:
        events.create_connection(Name=connection, AuthorizationType="API_KEY", AuthParameters=API_KEY)
    assert code(error) == "ResourceAlreadyExistsException"
    assert message(error) == f"Connection {connection} already exists."
    with pytest.raises(ClientError) as error:
        unchecked.create_connection(Name=name(), AuthorizationType="DIGEST", AuthParameters=BASIC)
    assert code(error) == "ValidationException"
    assert message(error) == ("1 validation error detected: Value 'DIGEST' at 'authorizationType' failed to satisfy "
                              "constraint: Member must satisfy enum value set: [BASIC, OAUTH_CLIENT_CREDENTIALS, API_KEY]")
    with pytest.raises(ClientError) as error:
        unchecked.create_connection(Name="bad name", AuthorizationType="BASIC", AuthParameters=BASIC)
    assert code(error) == "ValidationException"
    assert "at 'name' failed to satisfy constraint" in message(error)
    with pytest.raises(ClientError) as error:
        events.create_connection(Name=name(), AuthorizationType="API_KEY", AuthParameters=BASIC)
    assert code(error) == "ValidationException"
    with pytest.raises(ClientError) as error:
        unchecked.create_connection(Name=name(), AuthorizationType="BASIC",
                                    AuthParameters={"BasicAuthParameters": {"Username": "u"}})
    assert code(error) == "ValidationException"
    assert "authParameters.basicAuthParameters.password" in message(error)
    with pytest.raises(ClientError) as error:
        events.update_connection(Name=name("missing"), Description="x")
    assert code(error) == "ResourceNotFoundException"
    for call in (events.delete_connection, events.deauthorize_connection):
        with pytest.raises(ClientError) as error:
            call(Name=name("missing"))
        assert code(error) == "ResourceNotFoundException"
    assert without_metadata(events.describe_connection, Name=connection) == before
    events.delete_connection(Name=connection)


def test_oauth_connection_authorizes_against_its_token_endpoint(events, hooks):
    connection = name("oauth")
    created = events.create_connection(Name=connection, AuthorizationType="OAUTH_CLIENT_CREDENTIALS",
                                       AuthParameters=oauth_parameters(hooks))
    assert created["ConnectionState"] == "AUTHORIZING"
    described = wait_state(events, connection, {"AUTHORIZED", "DEAUTHORIZED"})
    assert described["ConnectionState"] == "AUTHORIZED"
    token_calls = hooks.matching("/token")
    assert len(token_calls) == 1
    assert token_calls[0]["method"] == "POST"
    assert token_calls[0]["body"] == "grant_type=client_credentials"
    oauth = described["AuthParameters"]["OAuthParameters"]
    assert oauth["ClientParameters"] == {"ClientID": "client"}
    assert oauth["AuthorizationEndpoint"] == hooks.url + "/token"

    refused = name("oauth")
    events.create_connection(Name=refused, AuthorizationType="OAUTH_CLIENT_CREDENTIALS",
                             AuthParameters=oauth_parameters(hooks, secret="wrong"))
    described = wait_state(events, refused, {"AUTHORIZED", "DEAUTHORIZED"})
    assert described["ConnectionState"] == "DEAUTHORIZED"
    assert "401" in described["StateReason"]
    events.delete_connection(Name=connection)
    events.delete_connection(Name=refused)


# MARK: API destinations


def test_api_destination_lifecycle_and_errors(events, unchecked, hooks):
    connection = name("conn")
    connection_arn = events.create_connection(Name=connection, AuthorizationType="API_KEY",
                                              AuthParameters=API_KEY)["ConnectionArn"]
    destination = name("dest")
    created = events.create_api_destination(Name=destination, ConnectionArn=connection_arn,
                                            InvocationEndpoint=hooks.url + "/orders/*", HttpMethod="POST")
    assert created["ApiDestinationState"] == "ACTIVE"
    arn = created["ApiDestinationArn"]
    assert arn.startswith(f"arn:aws:events:{REGION}:{ACCOUNT}:api-destination/{destination}/")
    described = events.describe_api_destination(Name=destination)
    assert described["InvocationRateLimitPerSecond"] == 300
    assert described["InvocationEndpoint"] == hooks.url + "/orders/*"
    assert described["ConnectionArn"] == connection_arn
    assert described["HttpMethod"] == "POST"
    listed = events.list_api_destinations(ConnectionArn=connection_arn)["ApiDestinations"]
    assert [d["Name"] for d in listed] == [destination]
    assert [d["Name"] for d in events.list_api_destinations(NamePrefix=destination)["ApiDestinations"]] == [destination]
    updated = events.update_api_destination(Name=destination, InvocationRateLimitPerSecond=5, HttpMethod="PUT")
    assert updated["ApiDestinationArn"] == arn
    described = events.describe_api_destination(Name=destination)
    assert (described["InvocationRateLimitPerSecond"], described["HttpMethod"]) == (5, "PUT")
    assert described["InvocationEndpoint"] == hooks.url + "/orders/*"

    before = without_metadata(events.describe_api_destination, Name=destination)
    with pytest.raises(ClientError) as error:
        events.create_api_destination(Name=destination, ConnectionArn=connection_arn,
                                      InvocationEndpoint=hooks.url, HttpMethod="POST")
    assert code(error) == "ResourceAlreadyExistsException"
    assert message(error) == f"An api-destination '{destination}' already exists."
    missing_arn = f"arn:aws:events:{REGION}:{ACCOUNT}:connection/nope/0000-1111"
    with pytest.raises(ClientError) as error:
        events.create_api_destination(Name=name(), ConnectionArn=missing_arn, InvocationEndpoint=hooks.url,
                                      HttpMethod="POST")
    assert code(error) == "ResourceNotFoundException"
    assert message(error) == "Failed to describe the connection(s). Connection 'nope' does not exist."
    with pytest.raises(ClientError) as error:
        unchecked.create_api_destination(Name=name(), ConnectionArn=connection_arn, InvocationEndpoint=hooks.url,
                                         HttpMethod="TRACE")
    assert code(error) == "ValidationException"
    assert message(error) == ("1 validation error detected: Value 'TRACE' at 'httpMethod' failed to satisfy constraint: "
                              "Member must satisfy enum value set: [HEAD, POST, PATCH, DELETE, PUT, GET, OPTIONS]")
    with pytest.raises(ClientError) as error:
        unchecked.create_api_destination(Name=name(), ConnectionArn="not-an-arn", InvocationEndpoint="has space",
                                         HttpMethod="POST")
    assert message(error).startswith("2 validation errors detected: Value 'not-an-arn' at 'connectionArn'")
    with pytest.raises(ClientError) as error:
        events.create_api_destination(Name=name(), ConnectionArn=connection_arn,
                                      InvocationEndpoint="ftp://files.example.com/x", HttpMethod="POST")
    assert code(error) == "ValidationException"
    with pytest.raises(ClientError) as error:
        unchecked.update_api_destination(Name=destination, InvocationRateLimitPerSecond=0)
    assert code(error) == "ValidationException"
    with pytest.raises(ClientError) as error:
        events.describe_api_destination(Name="nope")
    assert code(error) == "ResourceNotFoundException"
    assert message(error) == "Failed to describe the api-destination(s). An api-destination 'nope' does not exist."
    assert without_metadata(events.describe_api_destination, Name=destination) == before

    # INACTIVE while the connection is not authorized.
    events.deauthorize_connection(Name=connection)
    assert events.describe_api_destination(Name=destination)["ApiDestinationState"] == "INACTIVE"
    assert events.delete_api_destination(Name=destination)["ResponseMetadata"]["HTTPStatusCode"] == 200
    with pytest.raises(ClientError) as error:
        events.delete_api_destination(Name=destination)
    assert code(error) == "ResourceNotFoundException"
    events.delete_connection(Name=connection)


# MARK: Delivery


def make_target(events, hooks, auth_type, auth, path, rate=None, method="POST"):
    """A connection, an API destination to `hooks.url + path` and its ARN."""
    connection = name("conn")
    connection_arn = events.create_connection(Name=connection, AuthorizationType=auth_type,
                                              AuthParameters=auth)["ConnectionArn"]
    extra = {"InvocationRateLimitPerSecond": rate} if rate else {}
    destination = name("dest")
    arn = events.create_api_destination(Name=destination, ConnectionArn=connection_arn,
                                        InvocationEndpoint=hooks.url + path, HttpMethod=method,
                                        **extra)["ApiDestinationArn"]
    return connection, destination, arn


def route(events, source, target):
    rule = name("rule")
    events.put_rule(Name=rule, EventPattern=json.dumps({"source": [source]}))
    answer = events.put_targets(Rule=rule, Targets=[target])
    assert answer["FailedEntryCount"] == 0, answer
    return rule


def put(events, source, detail, count=1):
    answer = events.put_events(Entries=[{"Source": source, "DetailType": "order", "Detail": json.dumps(detail)}] * count)
    assert answer["FailedEntryCount"] == 0
    return [entry["EventId"] for entry in answer["Entries"]]


def test_api_key_delivery_with_http_parameters_and_input_path(events, hooks):
    _, _, arn = make_target(events, hooks, "API_KEY", {**API_KEY, "InvocationHttpParameters": {
        "QueryStringParameters": [{"Key": "via", "Value": "connection"}]}}, "/orders/*/lines/*")
    source = name("src")
    route(events, source, {"Id": "hook", "Arn": arn, "InputPath": "$.detail", "HttpParameters": {
        "PathParameterValues": ["o-17", "line 2"], "HeaderParameters": {"x-tenant": "acme"},
        "QueryStringParameters": {"page": "1"}}})
    put(events, source, {"order": "o-17", "total": 42})
    [request] = hooks.wait_for("/orders/", 1)
    assert request["method"] == "POST"
    assert request["path"] == "/orders/o-17/lines/line%202"
    assert request["query"] == {"page": ["1"], "via": ["connection"]}
    assert request["headers"]["x-api-key"] == "k-secret-123"
    assert request["headers"]["x-tenant"] == "acme"
    assert request["headers"]["content-type"] == "application/json; charset=utf-8"
    assert request["headers"]["user-agent"] == "Amazon/EventBridge/ApiDestinations"
    assert json.loads(request["body"]) == {"order": "o-17", "total": 42}


def test_basic_delivery_with_input_transformer(events, hooks):
    _, _, arn = make_target(events, hooks, "BASIC", BASIC, "/basic", method="PUT")
    source = name("src")
    route(events, source, {"Id": "hook", "Arn": arn, "InputTransformer": {
        "InputPathsMap": {"order": "$.detail.order"}, "InputTemplate": '{"ref": <order>}'}})
    put(events, source, {"order": "o-9"})
    [request] = hooks.wait_for("/basic", 1)
    assert request["method"] == "PUT"
    assert request["headers"]["authorization"] == "Basic " + base64.b64encode(b"courier:pa55-secret").decode()
    assert json.loads(request["body"]) == {"ref": "o-9"}


def test_oauth_delivery_uses_a_bearer_token_and_fetches_a_new_one_after_a_401(events, hooks):
    connection, _, arn = make_target(events, hooks, "OAUTH_CLIENT_CREDENTIALS", oauth_parameters(hooks), "/oauth/hook")
    assert wait_state(events, connection, {"AUTHORIZED"})["ConnectionState"] == "AUTHORIZED"
    source = name("src")
    route(events, source, {"Id": "hook", "Arn": arn, "RetryPolicy": {"MaximumRetryAttempts": 3}})
    event_id = put(events, source, {"n": 1})[0]
    [first] = hooks.wait_for("/oauth/", 1)
    assert first["headers"]["authorization"] == "Bearer tok-1"
    assert json.loads(first["body"])["id"] == event_id
    # The endpoint stops taking tok-1: the call answers 401, the token is dropped, and the retry
    # goes out with a new one.
    hooks.revoked.add("tok-1")
    put(events, source, {"n": 2})
    calls = hooks.wait_for("/oauth/", 3)
    assert [c["headers"]["authorization"] for c in calls[1:3]] == ["Bearer tok-1", "Bearer tok-2"]
    assert json.loads(calls[2]["body"])["detail"] == {"n": 2}
    assert len(hooks.matching("/token")) == 2


def test_500_is_retried_then_dead_lettered_with_aws_attributes(events, hooks, sqs):
    _, _, arn = make_target(events, hooks, "API_KEY", API_KEY, "/status/500/orders")
    dlq = sqs.create_queue(QueueName=name("dlq"))["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    source = name("src")
    rule = route(events, source, {"Id": "hook", "Arn": arn, "RetryPolicy": {"MaximumRetryAttempts": 2},
                                  "DeadLetterConfig": {"Arn": dlq_arn}})
    event_id = put(events, source, {"order": "o-1"})[0]
    [dead] = receive_all(sqs, dlq, 1)
    assert len(hooks.matching("/status/500/")) == 3
    assert json.loads(dead["Body"])["id"] == event_id
    attributes = {k: v["StringValue"] for k, v in dead["MessageAttributes"].items()}
    assert attributes["TARGET_ARN"] == arn
    assert attributes["RULE_ARN"] == f"arn:aws:events:{REGION}:{ACCOUNT}:rule/{rule}"
    assert attributes["ERROR_CODE"] == "SDK_CLIENT_ERROR"
    assert attributes["ERROR_MESSAGE"].startswith("Unable to invoke ApiDestination endpoint:")
    assert "500" in attributes["ERROR_MESSAGE"]
    assert attributes["RETRY_ATTEMPTS"] == "2"
    assert attributes["EXHAUSTED_RETRY_CONDITION"] == "MaximumRetryAttempts"


def test_400_is_not_retried(events, hooks, sqs):
    _, _, arn = make_target(events, hooks, "API_KEY", API_KEY, "/status/400/orders")
    dlq = sqs.create_queue(QueueName=name("dlq"))["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    source = name("src")
    route(events, source, {"Id": "hook", "Arn": arn, "RetryPolicy": {"MaximumRetryAttempts": 5},
                           "DeadLetterConfig": {"Arn": dlq_arn}})
    put(events, source, {"order": "o-2"})
    [dead] = receive_all(sqs, dlq, 1)
    attributes = {k: v["StringValue"] for k, v in dead["MessageAttributes"].items()}
    assert attributes["RETRY_ATTEMPTS"] == "0"
    assert "EXHAUSTED_RETRY_CONDITION" not in attributes
    assert len(hooks.matching("/status/400/")) == 1


def test_unreachable_endpoint_is_dead_lettered(events, sqs):
    connection = name("conn")
    connection_arn = events.create_connection(Name=connection, AuthorizationType="API_KEY",
                                              AuthParameters=API_KEY)["ConnectionArn"]
    # Port 1 on loopback: nothing listens, the connection is refused.
    arn = events.create_api_destination(Name=name("dest"), ConnectionArn=connection_arn,
                                        InvocationEndpoint="http://127.0.0.1:1/hook",
                                        HttpMethod="POST")["ApiDestinationArn"]
    dlq = sqs.create_queue(QueueName=name("dlq"))["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    source = name("src")
    route(events, source, {"Id": "hook", "Arn": arn, "RetryPolicy": {"MaximumRetryAttempts": 0},
                           "DeadLetterConfig": {"Arn": dlq_arn}})
    put(events, source, {})
    [dead] = receive_all(sqs, dlq, 1)
    assert dead["MessageAttributes"]["ERROR_MESSAGE"]["StringValue"] == (
        "Unable to invoke ApiDestination endpoint: API destination endpoint cannot be reached.")


def test_rate_limit_spaces_calls_and_drops_none(events, hooks):
    _, _, arn = make_target(events, hooks, "API_KEY", API_KEY, "/rate", rate=2)
    source = name("src")
    route(events, source, {"Id": "hook", "Arn": arn})
    ids = put(events, source, {"burst": True}, count=6)
    calls = hooks.wait_for("/rate", 6)
    assert sorted(json.loads(c["body"])["id"] for c in calls) == sorted(ids)
    times = sorted(c["at"] for c in calls)
    # Two a second (one second's burst, then one each half second): six calls cannot all
    # arrive within half a second, and they spread over well over a second.
    assert times[-1] - times[0] > 0.5
    assert times[-1] - times[0] >= 1.0


def test_a_call_pending_at_a_kill_9_is_made_after_the_restart(fresh_server, hooks):
    events = make_client("events", fresh_server.endpoint)
    _, _, arn = make_target(events, hooks, "API_KEY", API_KEY, "/flaky/orders")
    source = name("src")
    route(events, source, {"Id": "hook", "Arn": arn})
    hooks.down = True
    event_id = put(events, source, {"order": "survives"})[0]
    hooks.wait_for("/flaky/", 1)
    fresh_server.kill9()
    hooks.down = False
    fresh_server.start()
    deadline = time.monotonic() + 30
    delivered = []
    while time.monotonic() < deadline and not delivered:
        delivered = [r for r in hooks.matching("/flaky/")
                     if r.get("status") == 200 and json.loads(r["body"])["id"] == event_id]
        time.sleep(0.1)
    assert delivered, "the call was not made again after the restart"
