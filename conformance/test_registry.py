"""Cloud Map (servicediscovery) through boto3: every operation and its error cases.

The client turns host-prefix injection off (conftest.make_client), as any SDK user pointing a
custom endpoint at the stack must for DiscoverInstances / DiscoverInstancesRevision.
"""
import time

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, REGION, code, delete_namespace_with_contents, make_client, uniq


def create_namespace(sd, name=None, **kwargs):
    name = name or uniq("ns") + ".local"
    op = sd.create_http_namespace(Name=name, **kwargs)["OperationId"]
    operation = sd.get_operation(OperationId=op)["Operation"]
    assert operation["Status"] == "SUCCESS"
    assert operation["Type"] == "CREATE_NAMESPACE"
    return operation["Targets"]["NAMESPACE"], name


@pytest.fixture
def namespace(sd):
    ns_id, name = create_namespace(sd)
    yield ns_id, name
    delete_namespace_with_contents(sd, ns_id)


@pytest.fixture
def service(sd, namespace):
    ns_id, ns_name = namespace
    svc = sd.create_service(Name=uniq("svc"), NamespaceId=ns_id, HealthCheckCustomConfig={})["Service"]
    return svc, ns_name


# --- namespaces -------------------------------------------------------------------------------

def test_namespace_lifecycle(sd):
    ns_id, name = create_namespace(sd, Description="orders", Tags=[{"Key": "team", "Value": "core"}])
    assert ns_id.startswith("ns-")
    got = sd.get_namespace(Id=ns_id)["Namespace"]
    assert got["Name"] == name and got["Type"] == "HTTP" and got["Description"] == "orders"
    assert got["Arn"] == f"arn:aws:servicediscovery:{REGION}:{ACCOUNT}:namespace/{ns_id}"
    assert got["Properties"]["HttpProperties"]["HttpName"] == name
    assert got["ServiceCount"] == 0
    assert abs(got["CreateDate"].timestamp() - time.time()) < 300
    listed = sd.list_namespaces(Filters=[{"Name": "NAME", "Values": [name], "Condition": "EQ"}])["Namespaces"]
    assert [n["Id"] for n in listed] == [ns_id]
    assert sd.list_tags_for_resource(ResourceARN=got["Arn"])["Tags"] == [{"Key": "team", "Value": "core"}]
    op = sd.delete_namespace(Id=ns_id)["OperationId"]
    assert sd.get_operation(OperationId=op)["Operation"]["Type"] == "DELETE_NAMESPACE"
    with pytest.raises(ClientError) as e:
        sd.get_namespace(Id=ns_id)
    assert code(e) == "NamespaceNotFound"


def test_namespace_errors(sd, namespace):
    ns_id, name = namespace
    with pytest.raises(ClientError) as e:
        sd.create_http_namespace(Name=name)
    assert code(e) == "NamespaceAlreadyExists"
    with pytest.raises(ClientError) as e:
        sd.create_http_namespace(Name="has space")
    assert code(e) == "InvalidInput"
    with pytest.raises(ClientError) as e:
        sd.get_namespace(Id="ns-doesnotexist0000")
    assert code(e) == "NamespaceNotFound"
    with pytest.raises(ClientError) as e:
        sd.delete_namespace(Id="ns-doesnotexist0000")
    assert code(e) == "NamespaceNotFound"
    sd.create_service(Name="busy", NamespaceId=ns_id)
    with pytest.raises(ClientError) as e:
        sd.delete_namespace(Id=ns_id)
    assert code(e) == "ResourceInUse"
    assert sd.get_namespace(Id=ns_id)["Namespace"]["ServiceCount"] == 1


def test_create_namespace_is_idempotent_with_creator_request_id(sd):
    name, token = uniq("idem") + ".local", uniq("req")
    first = sd.create_http_namespace(Name=name, CreatorRequestId=token)["OperationId"]
    again = sd.create_http_namespace(Name=name, CreatorRequestId=token)["OperationId"]
    assert first == again
    ns_id = sd.get_operation(OperationId=first)["Operation"]["Targets"]["NAMESPACE"]
    sd.delete_namespace(Id=ns_id)


def test_list_namespaces_filters_and_pages(sd):
    prefix = uniq("page")
    ids = [create_namespace(sd, f"{prefix}-{i}.local")[0] for i in range(3)]
    try:
        flt = [{"Name": "NAME", "Values": [prefix], "Condition": "BEGINS_WITH"}]
        page1 = sd.list_namespaces(Filters=flt, MaxResults=2)
        assert len(page1["Namespaces"]) == 2 and "NextToken" in page1
        page2 = sd.list_namespaces(Filters=flt, MaxResults=2, NextToken=page1["NextToken"])
        assert [n["Id"] for n in page1["Namespaces"] + page2["Namespaces"]] == ids
        assert "NextToken" not in page2
        assert all(n["Type"] == "HTTP" for n in sd.list_namespaces(
            Filters=[{"Name": "TYPE", "Values": ["HTTP"]}])["Namespaces"])
        assert sd.list_namespaces(Filters=[{"Name": "TYPE", "Values": ["DNS_PRIVATE"]}])["Namespaces"] == []
        paginator = sd.get_paginator("list_namespaces")
        seen = [n["Id"] for p in paginator.paginate(Filters=flt, PaginationConfig={"PageSize": 1}) for n in p["Namespaces"]]
        assert seen == ids
        with pytest.raises(ClientError) as e:
            sd.list_namespaces(NextToken="garbage!")
        assert code(e) == "InvalidInput"
        with pytest.raises(ClientError) as e:
            sd.list_namespaces(Filters=[{"Name": "TYPE", "Values": ["HTTP"], "Condition": "BETWEEN"}])
        assert code(e) == "InvalidInput"
    finally:
        for ns_id in ids:
            sd.delete_namespace(Id=ns_id)


# --- operations -------------------------------------------------------------------------------

def test_operations(sd, namespace):
    ns_id, _ = namespace
    svc = sd.create_service(Name="ops", NamespaceId=ns_id)["Service"]
    reg = sd.register_instance(ServiceId=svc["Id"], InstanceId="i-1", Attributes={"k": "v"})["OperationId"]
    operation = sd.get_operation(OperationId=reg)["Operation"]
    assert operation["Type"] == "REGISTER_INSTANCE" and operation["Status"] == "SUCCESS"
    assert operation["Targets"] == {"INSTANCE": "i-1", "SERVICE": svc["Id"]}
    assert "CreateDate" in operation and "UpdateDate" in operation
    by_service = sd.list_operations(Filters=[{"Name": "SERVICE_ID", "Values": [svc["Id"]]}])["Operations"]
    assert [o["Id"] for o in by_service] == [reg]
    by_ns = sd.list_operations(Filters=[{"Name": "NAMESPACE_ID", "Values": [ns_id]},
                                        {"Name": "TYPE", "Values": ["CREATE_NAMESPACE"]}])["Operations"]
    assert len(by_ns) == 1 and by_ns[0]["Status"] == "SUCCESS"
    now = time.time()
    recent = sd.list_operations(Filters=[{"Name": "UPDATE_DATE", "Values": [str(now - 600), str(now + 600)],
                                          "Condition": "BETWEEN"}, {"Name": "SERVICE_ID", "Values": [svc["Id"]]}])
    assert [o["Id"] for o in recent["Operations"]] == [reg]
    assert sd.list_operations(Filters=[{"Name": "STATUS", "Values": ["FAIL"]}])["Operations"] == []
    with pytest.raises(ClientError) as e:
        sd.get_operation(OperationId="nope")
    assert code(e) == "OperationNotFound"
    with pytest.raises(ClientError) as e:
        sd.list_operations(Filters=[{"Name": "TYPE", "Values": ["EXPLODE"]}])
    assert code(e) == "InvalidInput"
    with pytest.raises(ClientError) as e:
        sd.list_operations(Filters=[{"Name": "UPDATE_DATE", "Values": ["x", "y"], "Condition": "BETWEEN"}])
    assert code(e) == "InvalidInput"


# --- services ---------------------------------------------------------------------------------

def test_service_lifecycle(sd, namespace):
    ns_id, _ = namespace
    svc = sd.create_service(Name="payment", NamespaceId=ns_id, Description="pays",
                            HealthCheckCustomConfig={"FailureThreshold": 1}, CreatorRequestId="r1",
                            Tags=[{"Key": "tier", "Value": "1"}])["Service"]
    assert svc["Id"].startswith("srv-")
    assert svc["Arn"] == f"arn:aws:servicediscovery:{REGION}:{ACCOUNT}:service/{svc['Id']}"
    assert svc["NamespaceId"] == ns_id and svc["HealthCheckCustomConfig"] == {"FailureThreshold": 1}
    got = sd.get_service(Id=svc["Id"])["Service"]
    assert got["Name"] == "payment" and got["Description"] == "pays" and got["InstanceCount"] == 0
    again = sd.create_service(Name="payment", NamespaceId=ns_id, CreatorRequestId="r1")["Service"]
    assert again["Id"] == svc["Id"]
    other = sd.create_service(Name="shipping", NamespaceId=ns_id, Type="HTTP")["Service"]
    listed = sd.list_services(Filters=[{"Name": "NAMESPACE_ID", "Values": [ns_id], "Condition": "EQ"}])["Services"]
    assert [s["Id"] for s in listed] == [svc["Id"], other["Id"]]
    assert "NamespaceId" not in listed[0] and listed[0]["HealthCheckCustomConfig"] == {"FailureThreshold": 1}
    op = sd.update_service(Id=other["Id"], Service={"Description": "ships",
                                                   "HealthCheckConfig": {"Type": "HTTP", "ResourcePath": "/health"}})
    assert sd.get_operation(OperationId=op["OperationId"])["Operation"]["Type"] == "UPDATE_SERVICE"
    updated = sd.get_service(Id=other["Id"])["Service"]
    assert updated["Description"] == "ships" and updated["HealthCheckConfig"]["ResourcePath"] == "/health"
    sd.tag_resource(ResourceARN=svc["Arn"], Tags=[{"Key": "owner", "Value": "ops"}])
    sd.untag_resource(ResourceARN=svc["Arn"], TagKeys=["tier"])
    assert sd.list_tags_for_resource(ResourceARN=svc["Arn"])["Tags"] == [{"Key": "owner", "Value": "ops"}]
    sd.delete_service(Id=other["Id"])
    with pytest.raises(ClientError) as e:
        sd.get_service(Id=other["Id"])
    assert code(e) == "ServiceNotFound"


def test_service_errors(sd, namespace):
    ns_id, _ = namespace
    svc = sd.create_service(Name="dup", NamespaceId=ns_id)["Service"]
    cases = [
        (lambda: sd.create_service(Name="dup", NamespaceId=ns_id), "ServiceAlreadyExists"),
        (lambda: sd.create_service(Name="x", NamespaceId="ns-missing00000000"), "NamespaceNotFound"),
        (lambda: sd.create_service(Name="bad name", NamespaceId=ns_id), "InvalidInput"),
        (lambda: sd.create_service(Name="-lead", NamespaceId=ns_id), "InvalidInput"),
        (lambda: sd.create_service(Name="x"), "InvalidInput"),
        (lambda: sd.create_service(Name="dns", NamespaceId=ns_id,
                                   DnsConfig={"DnsRecords": [{"Type": "A", "TTL": 60}]}), "InvalidInput"),
        (lambda: sd.create_service(Name="both", NamespaceId=ns_id, HealthCheckConfig={"Type": "HTTP"},
                                   HealthCheckCustomConfig={}), "InvalidInput"),
        (lambda: sd.create_service(Name="hc", NamespaceId=ns_id, HealthCheckConfig={"Type": "UDP"}), "InvalidInput"),
        (lambda: sd.create_service(Name="t", NamespaceId=ns_id, Type="DNS_HTTP"), "InvalidInput"),
        (lambda: sd.get_service(Id="srv-missing000000000"), "ServiceNotFound"),
        (lambda: sd.update_service(Id="srv-missing000000000", Service={"Description": "x"}), "ServiceNotFound"),
        (lambda: sd.delete_service(Id="srv-missing000000000"), "ServiceNotFound"),
        (lambda: sd.list_services(Filters=[{"Name": "NAME", "Values": ["x"]}]), "InvalidInput"),
        (lambda: sd.list_tags_for_resource(ResourceARN="arn:aws:servicediscovery:us-east-1:000000000000:service/srv-nope"),
         "ResourceNotFoundException"),
    ]
    for call, expected in cases:
        with pytest.raises(ClientError) as e:
            call()
        assert code(e) == expected, (expected, e.value.response["Error"])
    sd.register_instance(ServiceId=svc["Id"], InstanceId="busy", Attributes={"k": "v"})
    with pytest.raises(ClientError) as e:
        sd.delete_service(Id=svc["Id"])
    assert code(e) == "ResourceInUse"
    assert sd.get_service(Id=svc["Id"])["Service"]["InstanceCount"] == 1


# --- instances --------------------------------------------------------------------------------

def test_instance_lifecycle(sd, service):
    svc, _ = service
    sd.register_instance(ServiceId=svc["Id"], InstanceId="pay-1", CreatorRequestId="c1",
                         Attributes={"AWS_INSTANCE_IPV4": "10.0.0.1", "AWS_INSTANCE_PORT": "8080", "zone": "a"})
    sd.register_instance(ServiceId=svc["Id"], InstanceId="pay-2",
                         Attributes={"AWS_INSTANCE_IPV4": "10.0.0.2", "AWS_INSTANCE_PORT": "8080", "zone": "b"})
    got = sd.get_instance(ServiceId=svc["Id"], InstanceId="pay-1")["Instance"]
    assert got == {"Id": "pay-1", "CreatorRequestId": "c1",
                   "Attributes": {"AWS_INSTANCE_IPV4": "10.0.0.1", "AWS_INSTANCE_PORT": "8080", "zone": "a"}}
    listed = sd.list_instances(ServiceId=svc["Id"])["Instances"]
    assert [i["Id"] for i in listed] == ["pay-1", "pay-2"]
    page = sd.list_instances(ServiceId=svc["Id"], MaxResults=1)
    assert len(page["Instances"]) == 1 and page["NextToken"]
    # Re-registering replaces the attributes.
    sd.register_instance(ServiceId=svc["Id"], InstanceId="pay-2", Attributes={"zone": "c"})
    assert sd.get_instance(ServiceId=svc["Id"], InstanceId="pay-2")["Instance"]["Attributes"] == {"zone": "c"}
    assert sd.get_instances_health_status(ServiceId=svc["Id"])["Status"] == {"pay-1": "HEALTHY", "pay-2": "HEALTHY"}
    sd.update_instance_custom_health_status(ServiceId=svc["Id"], InstanceId="pay-2", Status="UNHEALTHY")
    assert sd.get_instances_health_status(ServiceId=svc["Id"], Instances=["pay-2"])["Status"] == {"pay-2": "UNHEALTHY"}
    op = sd.deregister_instance(ServiceId=svc["Id"], InstanceId="pay-1")["OperationId"]
    assert sd.get_operation(OperationId=op)["Operation"]["Type"] == "DEREGISTER_INSTANCE"
    assert [i["Id"] for i in sd.list_instances(ServiceId=svc["Id"])["Instances"]] == ["pay-2"]


def test_instance_errors(sd, service, namespace):
    svc, _ = service
    sid = svc["Id"]
    plain = sd.create_service(Name="plain", NamespaceId=namespace[0])["Service"]
    sd.register_instance(ServiceId=sid, InstanceId="ok", Attributes={"k": "v"})
    many = {f"k{i}": "v" for i in range(31)}
    cases = [
        (lambda: sd.register_instance(ServiceId="srv-missing000000000", InstanceId="i", Attributes={"k": "v"}), "ServiceNotFound"),
        (lambda: sd.register_instance(ServiceId=sid, InstanceId="i", Attributes=many), "InvalidInput"),
        (lambda: sd.register_instance(ServiceId=sid, InstanceId="i", Attributes={"bad key": "v"}), "InvalidInput"),
        (lambda: sd.register_instance(ServiceId=sid, InstanceId="i", Attributes={"k": "trailing "}), "InvalidInput"),
        (lambda: sd.register_instance(ServiceId=sid, InstanceId="i", Attributes={"k": "\u00e9"}), "InvalidInput"),
        (lambda: sd.register_instance(ServiceId=sid, InstanceId="i", Attributes={"AWS_INSTANCE_IPV4": "1.2.3"}), "InvalidInput"),
        (lambda: sd.register_instance(ServiceId=sid, InstanceId="i", Attributes={"AWS_INSTANCE_PORT": "0"}), "InvalidInput"),
        (lambda: sd.register_instance(ServiceId=sid, InstanceId="i", Attributes={"AWS_INIT_HEALTH_STATUS": "MAYBE"}), "InvalidInput"),
        (lambda: sd.register_instance(ServiceId=plain["Id"], InstanceId="i",
                                      Attributes={"AWS_INIT_HEALTH_STATUS": "HEALTHY"}), "InvalidInput"),
        (lambda: sd.register_instance(ServiceId=sid, InstanceId="bad id!", Attributes={"k": "v"}), "InvalidInput"),
        (lambda: sd.deregister_instance(ServiceId=sid, InstanceId="ghost"), "InstanceNotFound"),
        (lambda: sd.get_instance(ServiceId=sid, InstanceId="ghost"), "InstanceNotFound"),
        (lambda: sd.get_instance(ServiceId="srv-missing000000000", InstanceId="ghost"), "ServiceNotFound"),
        (lambda: sd.list_instances(ServiceId="srv-missing000000000"), "ServiceNotFound"),
        (lambda: sd.get_instances_health_status(ServiceId=sid, Instances=["ghost"]), "InstanceNotFound"),
        (lambda: sd.get_instances_health_status(ServiceId="srv-missing000000000"), "ServiceNotFound"),
        (lambda: sd.update_instance_custom_health_status(ServiceId=sid, InstanceId="ghost", Status="HEALTHY"), "InstanceNotFound"),
        (lambda: sd.update_instance_custom_health_status(ServiceId="srv-missing000000000", InstanceId="ok",
                                                         Status="HEALTHY"), "ServiceNotFound"),
        (lambda: sd.update_instance_custom_health_status(ServiceId=plain["Id"], InstanceId="ok", Status="HEALTHY"),
         "CustomHealthNotFound"),
    ]
    for call, expected in cases:
        with pytest.raises(ClientError) as e:
            call()
        assert code(e) == expected, (expected, e.value.response["Error"])
    # Nothing the rejected calls carried was stored.
    assert [i["Id"] for i in sd.list_instances(ServiceId=sid)["Instances"]] == ["ok"]
    assert sd.get_instance(ServiceId=sid, InstanceId="ok")["Instance"]["Attributes"] == {"k": "v"}


def test_thirty_attributes_is_the_limit(sd, service):
    svc, _ = service
    attrs = {f"k{i}": f"v{i}" for i in range(30)}
    sd.register_instance(ServiceId=svc["Id"], InstanceId="full", Attributes=attrs)
    assert sd.get_instance(ServiceId=svc["Id"], InstanceId="full")["Instance"]["Attributes"] == attrs


# --- discovery --------------------------------------------------------------------------------

def test_discover_instances(sd, service):
    svc, ns_name = service
    sid = svc["Id"]
    for iid, zone, stage in [("a", "z1", "prod"), ("b", "z2", "prod"), ("c", "z1", "dev")]:
        sd.register_instance(ServiceId=sid, InstanceId=iid,
                             Attributes={"AWS_INSTANCE_IPV4": "10.0.0.9", "AWS_INSTANCE_PORT": "80", "zone": zone, "stage": stage})
    found = sd.discover_instances(NamespaceName=ns_name, ServiceName=svc["Name"])
    assert sorted(i["InstanceId"] for i in found["Instances"]) == ["a", "b", "c"]
    first = found["Instances"][0]
    assert first["NamespaceName"] == ns_name and first["ServiceName"] == svc["Name"]
    assert first["HealthStatus"] == "HEALTHY" and first["Attributes"]["AWS_INSTANCE_PORT"] == "80"
    rev = found["InstancesRevision"]
    assert sd.discover_instances_revision(NamespaceName=ns_name, ServiceName=svc["Name"])["InstancesRevision"] == rev

    def ids(**kw):
        return sorted(i["InstanceId"] for i in sd.discover_instances(
            NamespaceName=ns_name, ServiceName=svc["Name"], **kw)["Instances"])

    assert ids(QueryParameters={"stage": "prod"}) == ["a", "b"]
    assert ids(QueryParameters={"stage": "prod"}, OptionalParameters={"zone": "z2"}) == ["b"]
    assert ids(QueryParameters={"stage": "prod"}, OptionalParameters={"zone": "z9"}) == ["a", "b"]
    assert len(ids(MaxResults=2)) == 2
    sd.update_instance_custom_health_status(ServiceId=sid, InstanceId="a", Status="UNHEALTHY")
    assert ids() == ["b", "c"]
    assert ids(HealthStatus="HEALTHY") == ["b", "c"]
    assert ids(HealthStatus="UNHEALTHY") == ["a"]
    assert ids(HealthStatus="ALL") == ["a", "b", "c"]
    assert ids(HealthStatus="HEALTHY_OR_ELSE_ALL", QueryParameters={"stage": "prod", "zone": "z1"}) == ["a"]
    newer = sd.discover_instances_revision(NamespaceName=ns_name, ServiceName=svc["Name"])["InstancesRevision"]
    assert newer > rev


def test_discover_errors(sd, service):
    svc, ns_name = service
    cases = [
        (lambda: sd.discover_instances(NamespaceName="nowhere.local", ServiceName=svc["Name"]), "NamespaceNotFound"),
        (lambda: sd.discover_instances(NamespaceName=ns_name, ServiceName="nobody"), "ServiceNotFound"),
        (lambda: sd.discover_instances_revision(NamespaceName="nowhere.local", ServiceName="x"), "NamespaceNotFound"),
        (lambda: sd.discover_instances_revision(NamespaceName=ns_name, ServiceName="nobody"), "ServiceNotFound"),
        (lambda: sd.discover_instances(NamespaceName=ns_name, ServiceName=svc["Name"], MaxResults=1001), "InvalidInput"),
    ]
    for call, expected in cases:
        with pytest.raises(ClientError) as e:
            call()
        assert code(e) == expected, (expected, e.value.response["Error"])


def test_discover_with_data_host_prefix(endpoint, service):
    """An SDK with host-prefix injection on sends Host: data-<host>; the server must not care."""
    svc, ns_name = service
    import urllib.request, json as _json
    body = _json.dumps({"NamespaceName": ns_name, "ServiceName": svc["Name"]}).encode()
    host = endpoint.split("//", 1)[1]
    req = urllib.request.Request(endpoint + "/", data=body, method="POST", headers={
        "Content-Type": "application/x-amz-json-1.1", "Host": "data-" + host,
        "X-Amz-Target": "Route53AutoNaming_v20170314.DiscoverInstances"})
    with urllib.request.urlopen(req) as resp:
        assert resp.status == 200
        assert _json.loads(resp.read())["Instances"] == []


def test_heartbeat_ttl_extension(sd, service):
    """Signalbox extension: SIGNALBOX_HEARTBEAT_TTL; UpdateInstanceCustomHealthStatus is the heartbeat."""
    svc, ns_name = service
    sd.register_instance(ServiceId=svc["Id"], InstanceId="hb", Attributes={"SIGNALBOX_HEARTBEAT_TTL": "1"})
    assert sd.get_instances_health_status(ServiceId=svc["Id"])["Status"] == {"hb": "HEALTHY"}
    deadline = time.time() + 10
    while sd.get_instances_health_status(ServiceId=svc["Id"])["Status"]["hb"] != "UNHEALTHY":
        assert time.time() < deadline, "silent instance never turned UNHEALTHY"
        time.sleep(0.2)
    sd.update_instance_custom_health_status(ServiceId=svc["Id"], InstanceId="hb", Status="HEALTHY")
    found = sd.discover_instances(NamespaceName=ns_name, ServiceName=svc["Name"], HealthStatus="ALL")["Instances"]
    assert found[0]["InstanceId"] == "hb"


def test_registry_survives_restart(fresh_server):
    sd = make_client("servicediscovery", fresh_server.endpoint)
    ns_id, ns_name = create_namespace(sd)
    svc = sd.create_service(Name="durable", NamespaceId=ns_id, HealthCheckCustomConfig={})["Service"]
    sd.register_instance(ServiceId=svc["Id"], InstanceId="d1", Attributes={"AWS_INSTANCE_PORT": "9"})
    sd.update_instance_custom_health_status(ServiceId=svc["Id"], InstanceId="d1", Status="UNHEALTHY")
    fresh_server.kill9()
    fresh_server.start()
    sd = make_client("servicediscovery", fresh_server.endpoint)
    found = sd.discover_instances(NamespaceName=ns_name, ServiceName="durable", HealthStatus="ALL")["Instances"]
    assert [(i["InstanceId"], i["HealthStatus"]) for i in found] == [("d1", "UNHEALTHY")]


def test_aws_cli_discover(endpoint, service):
    from conftest import aws_cli
    import json as _json
    svc, ns_name = service
    sd = make_client("servicediscovery", endpoint)
    sd.register_instance(ServiceId=svc["Id"], InstanceId="cli", Attributes={"AWS_INSTANCE_PORT": "7"})
    out = aws_cli(endpoint, "servicediscovery", "list-instances", "--service-id", svc["Id"])
    assert [i["Id"] for i in _json.loads(out.stdout)["Instances"]] == ["cli"]
