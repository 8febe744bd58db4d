"""Issue #18's operations through the real AWS CLI (`aws --endpoint-url …`), as a user types them:
EventBridge archives, replays and resource policies, connections and API destinations (with a
rule delivering to the loopback HTTP server of conftest's `hooks`), the SQS details, Cloud Map
DNS namespaces, and regions (`--region`). Each asserts on the CLI's JSON output, and on its
error message and exit code for bad input."""
import json
import subprocess
import time

from conftest import ACCOUNT, REGION, aws_cli, uniq


def cli_major_version():
    result = subprocess.run(["aws", "--version"], capture_output=True, text=True)
    return 2 if (result.stdout + result.stderr).startswith("aws-cli/2.") else 1


# The CLI's exit codes: for an error the service answered, 255 in AWS CLI v1 (the one installed
# here) and 254 in v2; for a command line it refuses itself (a required option missing), 2 in v1
# (argparse's) and 252 in v2.
SERVICE_ERROR, USAGE_ERROR = (254, 252) if cli_major_version() == 2 else (255, 2)


def run(endpoint, *args):
    out = aws_cli(endpoint, *args).stdout
    return json.loads(out) if out.strip() else {}


def fails(endpoint, *args):
    """The CLI's stderr for a call the service refuses (its exit code for a service error)."""
    result = aws_cli(endpoint, *args, check=False)
    assert result.returncode == SERVICE_ERROR, (result.returncode, result.stdout, result.stderr)
    return result.stderr.strip()


def error_line(code, operation, message):
    return f"An error occurred ({code}) when calling the {operation} operation: {message}"


# --- EventBridge: archives and replays ---------------------------------------------------------

def test_cli_archives_and_replays(endpoint):
    bus, archive, replay, qname = uniq("cli-bus"), uniq("cli-arch"), uniq("cli-replay"), uniq("cli-q")
    bus_arn = run(endpoint, "events", "create-event-bus", "--name", bus)["EventBusArn"]
    queue_url = run(endpoint, "sqs", "create-queue", "--queue-name", qname)["QueueUrl"]
    try:
        created = run(endpoint, "events", "create-archive", "--archive-name", archive, "--event-source-arn", bus_arn,
                      "--event-pattern", json.dumps({"source": ["cli"]}), "--retention-days", "7",
                      "--description", "cli archive")
        archive_arn = f"arn:aws:events:{REGION}:{ACCOUNT}:archive/{archive}"
        assert created["ArchiveArn"] == archive_arn and created["State"] == "ENABLED"
        entries = [{"Source": "cli", "DetailType": "t", "Detail": json.dumps({"n": i}), "EventBusName": bus,
                    "Time": f"2026-01-02T03:00:{i:02d}Z"} for i in range(5)]
        entries.append({"Source": "other", "DetailType": "t", "Detail": "{}", "EventBusName": bus})
        assert run(endpoint, "events", "put-events", "--entries", json.dumps(entries))["FailedEntryCount"] == 0
        described = run(endpoint, "events", "describe-archive", "--archive-name", archive)
        assert described["EventCount"] == 5 and described["RetentionDays"] == 7
        assert described["EventPattern"] == json.dumps({"source": ["cli"]})
        listed = run(endpoint, "events", "list-archives", "--name-prefix", archive)["Archives"]
        assert [a["ArchiveName"] for a in listed] == [archive]
        updated = run(endpoint, "events", "update-archive", "--archive-name", archive, "--retention-days", "0",
                      "--description", "kept")
        assert updated["ArchiveArn"] == archive_arn
        assert run(endpoint, "events", "describe-archive", "--archive-name", archive)["RetentionDays"] == 0

        # A rule made after the events: only the replay reaches the queue.
        run(endpoint, "events", "put-rule", "--name", "to-q", "--event-bus-name", bus,
            "--event-pattern", json.dumps({"source": ["cli"]}))
        run(endpoint, "events", "put-targets", "--rule", "to-q", "--event-bus-name", bus, "--targets",
            json.dumps([{"Id": "q", "Arn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:{qname}"}]))
        started = run(endpoint, "events", "start-replay", "--replay-name", replay, "--event-source-arn", archive_arn,
                      "--event-start-time", "2026-01-02T03:00:01Z", "--event-end-time", "2026-01-02T03:00:04Z",
                      "--destination", f"Arn={bus_arn}")
        assert started["ReplayArn"] == f"arn:aws:events:{REGION}:{ACCOUNT}:replay/{replay}"
        deadline = time.monotonic() + 30
        while (state := run(endpoint, "events", "describe-replay", "--replay-name", replay))["State"] != "COMPLETED":
            assert time.monotonic() < deadline, state
            time.sleep(0.2)
        assert state["EventSourceArn"] == archive_arn and state["Destination"] == {"Arn": bus_arn}
        replays = run(endpoint, "events", "list-replays", "--name-prefix", replay)["Replays"]
        assert [(r["ReplayName"], r["State"]) for r in replays] == [(replay, "COMPLETED")]
        bodies = []
        while len(bodies) < 3 and time.monotonic() < deadline:
            got = run(endpoint, "sqs", "receive-message", "--queue-url", queue_url, "--max-number-of-messages", "10",
                      "--wait-time-seconds", "1")
            bodies += [json.loads(m["Body"]) for m in got.get("Messages", [])]
        assert sorted(b["detail"]["n"] for b in bodies) == [1, 2, 3]
        assert {b["replay-name"] for b in bodies} == {replay}

        # Bad input: AWS's errors and the CLI's exit code for them.
        assert "(IllegalStatusException)" in fails(endpoint, "events", "cancel-replay", "--replay-name", replay)
        assert fails(endpoint, "events", "start-replay", "--replay-name", uniq("bad"), "--event-source-arn", archive_arn,
                     "--event-start-time", "2026-01-02T03:00:04Z", "--event-end-time", "2026-01-02T03:00:01Z",
                     "--destination", f"Arn={bus_arn}") == error_line(
            "ValidationException", "StartReplay",
            "Parameter EventEndTime is not valid. Reason: EventStartTime must be before EventEndTime.")
        assert fails(endpoint, "events", "describe-archive", "--archive-name", "no-such-archive") == error_line(
            "ResourceNotFoundException", "DescribeArchive", "Archive no-such-archive does not exist.")
        assert "ResourceNotFoundException" in fails(endpoint, "events", "describe-replay", "--replay-name", "no-such-replay")
        assert "ResourceAlreadyExistsException" in fails(endpoint, "events", "create-archive", "--archive-name", archive,
                                                         "--event-source-arn", bus_arn)
        run(endpoint, "events", "delete-archive", "--archive-name", archive)
        assert "ResourceNotFoundException" in fails(endpoint, "events", "delete-archive", "--archive-name", archive)
    finally:
        aws_cli(endpoint, "events", "remove-targets", "--rule", "to-q", "--event-bus-name", bus, "--ids", "q", check=False)
        aws_cli(endpoint, "events", "delete-rule", "--name", "to-q", "--event-bus-name", bus, check=False)
        aws_cli(endpoint, "events", "delete-archive", "--archive-name", archive, check=False)
        aws_cli(endpoint, "events", "delete-event-bus", "--name", bus, check=False)
        aws_cli(endpoint, "sqs", "delete-queue", "--queue-url", queue_url, check=False)


# --- EventBridge: resource policies -----------------------------------------------------------

def test_cli_bus_permissions(endpoint):
    bus = uniq("cli-pol")
    bus_arn = run(endpoint, "events", "create-event-bus", "--name", bus)["EventBusArn"]
    try:
        run(endpoint, "events", "put-permission", "--event-bus-name", bus, "--action", "events:PutEvents",
            "--principal", "111122223333", "--statement-id", "acct")
        run(endpoint, "events", "put-permission", "--event-bus-name", bus, "--action", "events:PutEvents",
            "--principal", "*", "--statement-id", "org",
            "--condition", "Type=StringEquals,Key=aws:PrincipalOrgID,Value=o-cli123")
        policy = json.loads(run(endpoint, "events", "describe-event-bus", "--name", bus)["Policy"])
        assert policy["Version"] == "2012-10-17"
        assert policy["Statement"] == [
            {"Sid": "acct", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
             "Action": "events:PutEvents", "Resource": bus_arn},
            {"Sid": "org", "Effect": "Allow", "Principal": "*", "Action": "events:PutEvents", "Resource": bus_arn,
             "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-cli123"}}},
        ]
        run(endpoint, "events", "remove-permission", "--event-bus-name", bus, "--statement-id", "acct")
        policy = json.loads(run(endpoint, "events", "describe-event-bus", "--name", bus)["Policy"])
        assert [s["Sid"] for s in policy["Statement"]] == ["org"]
        assert fails(endpoint, "events", "remove-permission", "--event-bus-name", bus, "--statement-id", "acct") == error_line(
            "ResourceNotFoundException", "RemovePermission", "Statement with the provided id does not exist.")
        assert fails(endpoint, "events", "put-permission", "--event-bus-name", bus, "--action", "events:DeleteRule",
                     "--principal", "111122223333", "--statement-id", "x") == error_line(
            "ValidationException", "PutPermission", "Provided value in parameter 'action' is not supported.")
        run(endpoint, "events", "remove-permission", "--event-bus-name", bus, "--remove-all-permissions")
        assert "Policy" not in run(endpoint, "events", "describe-event-bus", "--name", bus)
        assert fails(endpoint, "events", "remove-permission", "--event-bus-name", bus, "--statement-id", "org") == error_line(
            "ResourceNotFoundException", "RemovePermission", "EventBus does not have a policy.")
    finally:
        aws_cli(endpoint, "events", "delete-event-bus", "--name", bus, check=False)


# --- EventBridge: connections and API destinations -------------------------------------------

API_KEY = {"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": "cli-key-secret"}}
BASIC = {"BasicAuthParameters": {"Username": "courier", "Password": "cli-pa55"}}


def oauth_auth(hooks, secret="secret"):
    """Client-credentials parameters whose token endpoint is the suite's loopback server."""
    return {"OAuthParameters": {
        "ClientParameters": {"ClientID": "client", "ClientSecret": secret},
        "AuthorizationEndpoint": hooks.url + "/token", "HttpMethod": "POST",
        "OAuthHttpParameters": {"BodyParameters": [{"Key": "grant_type", "Value": "client_credentials"}]}}}


def connection_state(endpoint, name, wanted, timeout=20):
    """DescribeConnection until its state is one of `wanted` (an OAuth connection authorizes
    after CreateConnection answers)."""
    deadline = time.monotonic() + timeout
    while (described := run(endpoint, "events", "describe-connection", "--name", name))["ConnectionState"] not in wanted:
        assert time.monotonic() < deadline, described
        time.sleep(0.1)
    return described


def connection_missing(operation, name):
    return error_line("ResourceNotFoundException", operation,
                      f"Failed to describe the connection(s). Connection '{name}' does not exist.")


def test_cli_connection_of_each_auth_type(endpoint, hooks):
    api_key, basic, oauth = uniq("cli-key"), uniq("cli-basic"), uniq("cli-oauth")
    try:
        # API key: authorized at once; the secret never comes back.
        created = run(endpoint, "events", "create-connection", "--name", api_key, "--description", "orders hook",
                      "--authorization-type", "API_KEY", "--auth-parameters", json.dumps(API_KEY))
        assert created["ConnectionState"] == "AUTHORIZED"
        key_arn = created["ConnectionArn"]
        assert key_arn.startswith(f"arn:aws:events:{REGION}:{ACCOUNT}:connection/{api_key}/")
        described = run(endpoint, "events", "describe-connection", "--name", api_key)
        assert (described["Name"], described["Description"], described["AuthorizationType"]) == \
            (api_key, "orders hook", "API_KEY")
        assert described["AuthParameters"] == {"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key"}}
        assert described["SecretArn"].startswith(
            f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:events!connection/{api_key}/")
        assert "cli-key-secret" not in json.dumps(described)
        listed = run(endpoint, "events", "list-connections", "--name-prefix", api_key)["Connections"]
        assert [(c["Name"], c["ConnectionState"]) for c in listed] == [(api_key, "AUTHORIZED")]
        assert "AuthParameters" not in listed[0]
        run(endpoint, "events", "update-connection", "--name", api_key, "--description", "renamed",
            "--auth-parameters", json.dumps({"ApiKeyAuthParameters": {"ApiKeyName": "x-key"}}))
        described = run(endpoint, "events", "describe-connection", "--name", api_key)
        assert described["Description"] == "renamed"
        assert described["AuthParameters"]["ApiKeyAuthParameters"] == {"ApiKeyName": "x-key"}
        assert run(endpoint, "events", "deauthorize-connection", "--name", api_key)["ConnectionState"] == "DEAUTHORIZING"
        assert run(endpoint, "events", "describe-connection", "--name", api_key)["ConnectionState"] == "DEAUTHORIZED"
        deauthorized = run(endpoint, "events", "list-connections", "--connection-state", "DEAUTHORIZED")["Connections"]
        assert api_key in [c["Name"] for c in deauthorized]
        # A new secret authorizes it again.
        run(endpoint, "events", "update-connection", "--name", api_key,
            "--auth-parameters", json.dumps({"ApiKeyAuthParameters": {"ApiKeyValue": "cli-key-2"}}))
        assert run(endpoint, "events", "describe-connection", "--name", api_key)["ConnectionState"] == "AUTHORIZED"

        # Basic: the user name is shown, the password is not.
        run(endpoint, "events", "create-connection", "--name", basic, "--authorization-type", "BASIC",
            "--auth-parameters", json.dumps(BASIC))
        described = run(endpoint, "events", "describe-connection", "--name", basic)
        assert described["AuthParameters"] == {"BasicAuthParameters": {"Username": "courier"}}
        assert "cli-pa55" not in json.dumps(described)
        run(endpoint, "events", "update-connection", "--name", basic, "--auth-parameters",
            json.dumps({"BasicAuthParameters": {"Username": "courier-2", "Password": "new-pa55"}}))
        assert run(endpoint, "events", "describe-connection", "--name", basic)["AuthParameters"] == \
            {"BasicAuthParameters": {"Username": "courier-2"}}

        # OAuth client credentials: AUTHORIZING until the token endpoint (the suite's server) answers.
        created = run(endpoint, "events", "create-connection", "--name", oauth,
                      "--authorization-type", "OAUTH_CLIENT_CREDENTIALS", "--auth-parameters", json.dumps(oauth_auth(hooks)))
        assert created["ConnectionState"] == "AUTHORIZING"
        described = connection_state(endpoint, oauth, {"AUTHORIZED", "DEAUTHORIZED"})
        assert described["ConnectionState"] == "AUTHORIZED", described
        token_calls = hooks.matching("/token")
        assert [(c["method"], c["body"]) for c in token_calls] == [("POST", "grant_type=client_credentials")]
        parameters = described["AuthParameters"]["OAuthParameters"]
        assert parameters["ClientParameters"] == {"ClientID": "client"}
        assert parameters["AuthorizationEndpoint"] == hooks.url + "/token"
        assert run(endpoint, "events", "deauthorize-connection", "--name", oauth)["ConnectionState"] == "DEAUTHORIZING"
        assert run(endpoint, "events", "describe-connection", "--name", oauth)["ConnectionState"] == "DEAUTHORIZED"

        # Deleting answers DELETING with the ARN; the connection is then gone.
        deleted = run(endpoint, "events", "delete-connection", "--name", api_key)
        assert (deleted["ConnectionState"], deleted["ConnectionArn"]) == ("DELETING", key_arn)
        assert fails(endpoint, "events", "describe-connection", "--name", api_key) == \
            connection_missing("DescribeConnection", api_key)
    finally:
        for name in (api_key, basic, oauth):
            aws_cli(endpoint, "events", "delete-connection", "--name", name, check=False)


def test_cli_connection_errors(endpoint, hooks):
    name = uniq("cli-conn")
    run(endpoint, "events", "create-connection", "--name", name, "--authorization-type", "BASIC",
        "--auth-parameters", json.dumps(BASIC))
    try:
        before = run(endpoint, "events", "describe-connection", "--name", name)
        assert fails(endpoint, "events", "create-connection", "--name", name, "--authorization-type", "API_KEY",
                     "--auth-parameters", json.dumps(API_KEY)) == error_line(
            "ResourceAlreadyExistsException", "CreateConnection", f"Connection {name} already exists.")
        # The CLI does not check enums itself: the service's message names the member.
        assert fails(endpoint, "events", "create-connection", "--name", uniq("cli-conn"), "--authorization-type", "DIGEST",
                     "--auth-parameters", json.dumps(BASIC)) == error_line(
            "ValidationException", "CreateConnection",
            "1 validation error detected: Value 'DIGEST' at 'authorizationType' failed to satisfy constraint: "
            "Member must satisfy enum value set: [BASIC, OAUTH_CLIENT_CREDENTIALS, API_KEY]")
        assert fails(endpoint, "events", "create-connection", "--name", uniq("cli-conn"), "--authorization-type", "API_KEY",
                     "--auth-parameters", json.dumps(BASIC)) == error_line(
            "ValidationException", "CreateConnection",
            "AuthParameters must contain only ApiKeyAuthParameters for AuthorizationType API_KEY.")
        missing = uniq("cli-missing")
        for command, operation in (("describe-connection", "DescribeConnection"), ("delete-connection", "DeleteConnection"),
                                   ("deauthorize-connection", "DeauthorizeConnection")):
            assert fails(endpoint, "events", command, "--name", missing) == connection_missing(operation, missing)
        assert fails(endpoint, "events", "update-connection", "--name", missing, "--description", "x") == \
            connection_missing("UpdateConnection", missing)
        assert fails(endpoint, "events", "list-connections", "--connection-state", "SLEEPING").startswith(
            "An error occurred (ValidationException) when calling the ListConnections operation: "
            "1 validation error detected: Value 'SLEEPING' at 'connectionState'")
        # A token endpoint that refuses the client leaves the connection DEAUTHORIZED, saying why.
        refused = uniq("cli-oauth")
        run(endpoint, "events", "create-connection", "--name", refused, "--authorization-type", "OAUTH_CLIENT_CREDENTIALS",
            "--auth-parameters", json.dumps(oauth_auth(hooks, secret="wrong")))
        described = connection_state(endpoint, refused, {"AUTHORIZED", "DEAUTHORIZED"})
        assert described["ConnectionState"] == "DEAUTHORIZED" and "401" in described["StateReason"]
        run(endpoint, "events", "delete-connection", "--name", refused)
        # A required parameter left out is refused by the CLI itself, before any request.
        result = aws_cli(endpoint, "events", "create-connection", "--name", uniq("cli-conn"), check=False)
        assert result.returncode == USAGE_ERROR and "--authorization-type" in result.stderr, result
        assert run(endpoint, "events", "describe-connection", "--name", name) == before
    finally:
        aws_cli(endpoint, "events", "delete-connection", "--name", name, check=False)


def test_cli_api_destination_lifecycle_and_errors(endpoint, hooks):
    connection, destination = uniq("cli-conn"), uniq("cli-dest")
    connection_arn = run(endpoint, "events", "create-connection", "--name", connection, "--authorization-type", "API_KEY",
                         "--auth-parameters", json.dumps(API_KEY))["ConnectionArn"]
    try:
        created = run(endpoint, "events", "create-api-destination", "--name", destination, "--description", "orders",
                      "--connection-arn", connection_arn, "--invocation-endpoint", hooks.url + "/orders/*",
                      "--http-method", "POST")
        assert created["ApiDestinationState"] == "ACTIVE"
        arn = created["ApiDestinationArn"]
        assert arn.startswith(f"arn:aws:events:{REGION}:{ACCOUNT}:api-destination/{destination}/")
        described = run(endpoint, "events", "describe-api-destination", "--name", destination)
        assert (described["ConnectionArn"], described["InvocationEndpoint"], described["HttpMethod"],
                described["InvocationRateLimitPerSecond"], described["Description"]) == \
            (connection_arn, hooks.url + "/orders/*", "POST", 300, "orders")
        by_connection = run(endpoint, "events", "list-api-destinations", "--connection-arn", connection_arn)
        assert [d["Name"] for d in by_connection["ApiDestinations"]] == [destination]
        by_prefix = run(endpoint, "events", "list-api-destinations", "--name-prefix", destination)
        assert [d["ApiDestinationArn"] for d in by_prefix["ApiDestinations"]] == [arn]
        updated = run(endpoint, "events", "update-api-destination", "--name", destination,
                      "--invocation-rate-limit-per-second", "5", "--http-method", "PUT")
        assert updated["ApiDestinationArn"] == arn
        described = run(endpoint, "events", "describe-api-destination", "--name", destination)
        assert (described["InvocationRateLimitPerSecond"], described["HttpMethod"]) == (5, "PUT")

        # Bad input: AWS's errors, the destination unchanged.
        assert fails(endpoint, "events", "create-api-destination", "--name", destination, "--connection-arn",
                     connection_arn, "--invocation-endpoint", hooks.url, "--http-method", "POST") == error_line(
            "ResourceAlreadyExistsException", "CreateApiDestination", f"An api-destination '{destination}' already exists.")
        assert fails(endpoint, "events", "create-api-destination", "--name", uniq("cli-dest"), "--connection-arn",
                     f"arn:aws:events:{REGION}:{ACCOUNT}:connection/nope/0000-1111", "--invocation-endpoint", hooks.url,
                     "--http-method", "POST") == connection_missing("CreateApiDestination", "nope")
        assert fails(endpoint, "events", "create-api-destination", "--name", uniq("cli-dest"), "--connection-arn",
                     connection_arn, "--invocation-endpoint", hooks.url, "--http-method", "TRACE") == error_line(
            "ValidationException", "CreateApiDestination",
            "1 validation error detected: Value 'TRACE' at 'httpMethod' failed to satisfy constraint: "
            "Member must satisfy enum value set: [HEAD, POST, PATCH, DELETE, PUT, GET, OPTIONS]")
        assert "(ValidationException)" in fails(
            endpoint, "events", "create-api-destination", "--name", uniq("cli-dest"), "--connection-arn", connection_arn,
            "--invocation-endpoint", "ftp://files.example.com/x", "--http-method", "POST")
        assert fails(endpoint, "events", "describe-api-destination", "--name", "nope") == error_line(
            "ResourceNotFoundException", "DescribeApiDestination",
            "Failed to describe the api-destination(s). An api-destination 'nope' does not exist.")
        assert run(endpoint, "events", "describe-api-destination", "--name", destination) == described

        # INACTIVE while its connection is deauthorized; deleted, it is gone.
        run(endpoint, "events", "deauthorize-connection", "--name", connection)
        assert run(endpoint, "events", "describe-api-destination", "--name", destination)["ApiDestinationState"] == "INACTIVE"
        assert run(endpoint, "events", "delete-api-destination", "--name", destination) == {}
        assert "(ResourceNotFoundException)" in fails(endpoint, "events", "delete-api-destination", "--name", destination)
    finally:
        aws_cli(endpoint, "events", "delete-api-destination", "--name", destination, check=False)
        aws_cli(endpoint, "events", "delete-connection", "--name", connection, check=False)


def test_cli_rule_delivers_to_an_api_destination(endpoint, hooks):
    """Everything made with the CLI: connection, API destination, rule and target with
    HttpParameters, then put-events; the suite's server sees the call with the connection's key."""
    connection, destination, rule, source = uniq("cli-conn"), uniq("cli-dest"), uniq("cli-rule"), uniq("cli-src")
    auth = {**API_KEY, "InvocationHttpParameters": {"QueryStringParameters": [{"Key": "via", "Value": "connection"}]}}
    connection_arn = run(endpoint, "events", "create-connection", "--name", connection, "--authorization-type", "API_KEY",
                         "--auth-parameters", json.dumps(auth))["ConnectionArn"]
    try:
        arn = run(endpoint, "events", "create-api-destination", "--name", destination, "--connection-arn", connection_arn,
                  "--invocation-endpoint", hooks.url + "/cli/*/lines", "--http-method", "POST")["ApiDestinationArn"]
        run(endpoint, "events", "put-rule", "--name", rule, "--event-pattern", json.dumps({"source": [source]}))
        answer = run(endpoint, "events", "put-targets", "--rule", rule, "--targets", json.dumps([{
            "Id": "hook", "Arn": arn, "InputPath": "$.detail", "HttpParameters": {
                "PathParameterValues": ["o-42"], "HeaderParameters": {"x-tenant": "acme"},
                "QueryStringParameters": {"page": "2"}}}]))
        assert answer["FailedEntryCount"] == 0
        assert [t["Arn"] for t in run(endpoint, "events", "list-targets-by-rule", "--rule", rule)["Targets"]] == [arn]
        put = run(endpoint, "events", "put-events", "--entries", json.dumps([
            {"Source": source, "DetailType": "order", "Detail": json.dumps({"order": "o-42", "total": 7})}]))
        assert put["FailedEntryCount"] == 0
        [request] = hooks.wait_for("/cli/", 1)
        assert (request["method"], request["path"]) == ("POST", "/cli/o-42/lines")
        assert request["query"] == {"page": ["2"], "via": ["connection"]}
        assert request["headers"]["x-api-key"] == "cli-key-secret"
        assert request["headers"]["x-tenant"] == "acme"
        assert json.loads(request["body"]) == {"order": "o-42", "total": 7}
    finally:
        aws_cli(endpoint, "events", "remove-targets", "--rule", rule, "--ids", "hook", check=False)
        aws_cli(endpoint, "events", "delete-rule", "--name", rule, check=False)
        aws_cli(endpoint, "events", "delete-api-destination", "--name", destination, check=False)
        aws_cli(endpoint, "events", "delete-connection", "--name", connection, check=False)


# --- SQS details ------------------------------------------------------------------------------

def test_cli_sqs_details(endpoint):
    name, dlq_name, fifo_name = uniq("cli-q"), uniq("cli-dlq"), uniq("cli-f") + ".fifo"
    url = run(endpoint, "sqs", "create-queue", "--queue-name", name)["QueueUrl"]
    dlq_url = run(endpoint, "sqs", "create-queue", "--queue-name", dlq_name)["QueueUrl"]
    fifo_url = run(endpoint, "sqs", "create-queue", "--queue-name", fifo_name, "--attributes",
                   "FifoQueue=true,ContentBasedDeduplication=true")["QueueUrl"]
    try:
        # A bare queue name where a QueueUrl is expected.
        assert run(endpoint, "sqs", "send-message", "--queue-url", name, "--message-body", "by name")["MessageId"]
        received = run(endpoint, "sqs", "receive-message", "--queue-url", name)["Messages"]
        assert [m["Body"] for m in received] == ["by name"]
        run(endpoint, "sqs", "delete-message", "--queue-url", name, "--receipt-handle", received[0]["ReceiptHandle"])
        # FIFO: DelaySeconds 0 is accepted, a real delay is not.
        assert run(endpoint, "sqs", "send-message", "--queue-url", fifo_url, "--message-body", "zero",
                   "--message-group-id", "g", "--delay-seconds", "0")["SequenceNumber"]
        assert "InvalidParameterValue" in fails(endpoint, "sqs", "send-message", "--queue-url", fifo_url,
                                                "--message-body", "late", "--message-group-id", "g", "--delay-seconds", "3")
        # DeleteMessage on a queue that does not exist names the queue first.
        missing = url.rsplit("/", 1)[0] + "/" + uniq("gone")
        assert "NonExistentQueue" in fails(endpoint, "sqs", "delete-message", "--queue-url", missing,
                                           "--receipt-handle", "not-a-handle")
        # AddPermission's policy shape, and its limits.
        run(endpoint, "sqs", "add-permission", "--queue-url", url, "--label", "one",
            "--aws-account-ids", "111122223333", "--actions", "ReceiveMessage")
        attributes = run(endpoint, "sqs", "get-queue-attributes", "--queue-url", url, "--attribute-names", "Policy")
        statement = json.loads(attributes["Attributes"]["Policy"])["Statement"][0]
        assert statement["Principal"] == {"AWS": "arn:aws:iam::111122223333:root"}
        assert statement["Action"] == "SQS:ReceiveMessage"
        assert "OverLimit" in fails(endpoint, "sqs", "add-permission", "--queue-url", url, "--label", "eight",
                                    "--aws-account-ids", "111122223333", "--actions", "SendMessage", "ReceiveMessage",
                                    "DeleteMessage", "ChangeMessageVisibility", "GetQueueAttributes", "GetQueueUrl",
                                    "PurgeQueue", "ListDeadLetterSourceQueues")
        assert "InvalidParameterValue" in fails(endpoint, "sqs", "add-permission", "--queue-url", url, "--label", "bad",
                                                "--aws-account-ids", "111122223333", "--actions", "DeleteQueue")
        # Empty tag calls.
        assert "MissingParameter" in fails(endpoint, "sqs", "tag-queue", "--queue-url", url, "--tags", "{}")
        assert "MissingParameter" in fails(endpoint, "sqs", "untag-queue", "--queue-url", url, "--tag-keys", "[]")
        # maxReceiveCount given as a string comes back as a number.
        dlq_arn = f"arn:aws:sqs:{REGION}:{ACCOUNT}:{dlq_name}"
        redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "4"})
        run(endpoint, "sqs", "set-queue-attributes", "--queue-url", url, "--attributes",
            json.dumps({"RedrivePolicy": redrive}))
        text = run(endpoint, "sqs", "get-queue-attributes", "--queue-url", url, "--attribute-names",
                   "RedrivePolicy")["Attributes"]["RedrivePolicy"]
        assert json.loads(text) == {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 4}
    finally:
        for queue in (url, dlq_url, fifo_url):
            aws_cli(endpoint, "sqs", "delete-queue", "--queue-url", queue, check=False)


# --- Cloud Map: DNS namespaces ----------------------------------------------------------------

def test_cli_dns_namespaces(endpoint):
    sd = ("servicediscovery",)
    name = uniq("cli") + ".internal"
    op = run(endpoint, *sd, "create-private-dns-namespace", "--name", name, "--vpc", "vpc-0cli",
             "--properties", "DnsProperties={SOA={TTL=30}}")["OperationId"]
    operation = run(endpoint, *sd, "get-operation", "--operation-id", op)["Operation"]
    assert operation["Type"] == "CREATE_NAMESPACE" and operation["Status"] == "SUCCESS"
    ns_id = operation["Targets"]["NAMESPACE"]
    service_id = None
    try:
        namespace = run(endpoint, *sd, "get-namespace", "--id", ns_id)["Namespace"]
        assert namespace["Type"] == "DNS_PRIVATE" and namespace["Properties"]["DnsProperties"]["SOA"] == {"TTL": 30}
        op = run(endpoint, *sd, "update-private-dns-namespace", "--id", ns_id, "--namespace",
                 json.dumps({"Description": "via cli", "Properties": {"DnsProperties": {"SOA": {"TTL": 90}}}}))["OperationId"]
        assert run(endpoint, *sd, "get-operation", "--operation-id", op)["Operation"]["Type"] == "UPDATE_NAMESPACE"
        assert run(endpoint, *sd, "get-namespace", "--id", ns_id)["Namespace"]["Description"] == "via cli"
        service = run(endpoint, *sd, "create-service", "--name", "api", "--namespace-id", ns_id, "--dns-config",
                      json.dumps({"RoutingPolicy": "MULTIVALUE", "DnsRecords": [{"Type": "A", "TTL": 60}]}))["Service"]
        service_id = service["Id"]
        assert service["Type"] == "DNS_HTTP" and service["DnsConfig"]["DnsRecords"] == [{"Type": "A", "TTL": 60}]
        run(endpoint, *sd, "register-instance", "--service-id", service_id, "--instance-id", "api-1",
            "--attributes", "AWS_INSTANCE_IPV4=10.0.0.5,stage=prod")
        found = run(endpoint, *sd, "discover-instances", "--namespace-name", name, "--service-name", "api")["Instances"]
        assert [(i["InstanceId"], i["Attributes"]["AWS_INSTANCE_IPV4"]) for i in found] == [("api-1", "10.0.0.5")]
        run(endpoint, *sd, "update-service", "--id", service_id, "--service",
            json.dumps({"DnsConfig": {"DnsRecords": [{"Type": "A", "TTL": 10}]}}))
        assert run(endpoint, *sd, "get-service", "--id", service_id)["Service"]["DnsConfig"]["DnsRecords"] == \
            [{"Type": "A", "TTL": 10}]
        # Bad input: AWS's error codes and the CLI's exit code for them.
        assert fails(endpoint, *sd, "register-instance", "--service-id", service_id, "--instance-id", "api-2",
                     "--attributes", "stage=prod").startswith(
            "An error occurred (InvalidInput) when calling the RegisterInstance operation: AWS_INSTANCE_IPV4 is required")
        assert "(InvalidInput)" in fails(endpoint, *sd, "create-public-dns-namespace", "--name", "not a domain")
        assert "(InvalidInput)" in fails(endpoint, *sd, "update-http-namespace", "--id", ns_id,
                                         "--namespace", "Description=wrong kind")
        assert "(NamespaceNotFound)" in fails(endpoint, *sd, "get-namespace", "--id", "ns-missing0000000000")
        assert "(NamespaceAlreadyExists)" in fails(endpoint, *sd, "create-private-dns-namespace", "--name", name,
                                                   "--vpc", "vpc-0cli")
    finally:
        if service_id:
            aws_cli(endpoint, *sd, "deregister-instance", "--service-id", service_id, "--instance-id", "api-1", check=False)
            aws_cli(endpoint, *sd, "delete-service", "--id", service_id, check=False)
        delete_op = run(endpoint, *sd, "delete-namespace", "--id", ns_id)["OperationId"]
    # After the deletion, the namespace's operations are no longer listed.
    listed = run(endpoint, *sd, "list-operations", "--filters", f"Name=NAMESPACE_ID,Values={ns_id},Condition=EQ")
    assert listed["Operations"] == []
    assert run(endpoint, *sd, "get-operation", "--operation-id", delete_op)["Operation"]["Status"] == "SUCCESS"


# --- Regions: `--region` chooses where a call acts ---------------------------------------------

def test_cli_regions(endpoint):
    other = "eu-west-1"
    qname, bus = uniq("cli-eu-q"), uniq("cli-eu-bus")
    home, away = ("--region", REGION), ("--region", other)
    queue_url = run(endpoint, *away, "sqs", "create-queue", "--queue-name", qname)["QueueUrl"]
    bus_arn = run(endpoint, *away, "events", "create-event-bus", "--name", bus)["EventBusArn"]
    try:
        # Outside the default region a queue URL names its region, as the ARNs do.
        assert queue_url == f"{endpoint}/queue/{other}/{ACCOUNT}/{qname}"
        assert bus_arn == f"arn:aws:events:{other}:{ACCOUNT}:event-bus/{bus}"
        assert run(endpoint, *away, "sqs", "get-queue-url", "--queue-name", qname)["QueueUrl"] == queue_url
        attributes = run(endpoint, *away, "sqs", "get-queue-attributes", "--queue-url", queue_url,
                         "--attribute-names", "QueueArn")["Attributes"]
        assert attributes["QueueArn"] == f"arn:aws:sqs:{other}:{ACCOUNT}:{qname}"
        assert run(endpoint, *away, "sqs", "list-queues", "--queue-name-prefix", qname)["QueueUrls"] == [queue_url]
        assert bus in [b["Name"] for b in run(endpoint, *away, "events", "list-event-buses")["EventBuses"]]
        # us-east-1 lists neither.
        assert "QueueUrls" not in run(endpoint, *home, "sqs", "list-queues", "--queue-name-prefix", qname)
        assert bus not in [b["Name"] for b in run(endpoint, *home, "events", "list-event-buses")["EventBuses"]]
        # Errors: AWS's codes and messages, the CLI's exit code for a service error.
        assert fails(endpoint, *home, "sqs", "get-queue-url", "--queue-name", qname) == error_line(
            "AWS.SimpleQueueService.NonExistentQueue", "GetQueueUrl", "The specified queue does not exist.")
        assert fails(endpoint, *home, "events", "describe-event-bus", "--name", bus) == error_line(
            "ResourceNotFoundException", "DescribeEventBus", f"Event bus {bus} does not exist.")
        # A rule's queue target in another region is refused as AWS refuses it.
        run(endpoint, *home, "events", "put-rule", "--name", qname, "--event-pattern", json.dumps({"source": ["cli"]}))
        assert fails(endpoint, *home, "events", "put-targets", "--rule", qname, "--targets",
                     json.dumps([{"Id": "q", "Arn": f"arn:aws:sqs:{other}:{ACCOUNT}:{qname}"}])) == error_line(
            "ValidationException", "PutTargets", "Cross-region api call is not allowed.")
    finally:
        aws_cli(endpoint, *home, "events", "delete-rule", "--name", qname, check=False)
        aws_cli(endpoint, *away, "sqs", "delete-queue", "--queue-url", queue_url, check=False)
        aws_cli(endpoint, *away, "events", "delete-event-bus", "--name", bus, check=False)
