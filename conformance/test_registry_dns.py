"""Cloud Map DNS namespaces through boto3 (issue #18): private and public DNS namespaces and their
updates (operations as AWS lists them), services with DnsConfig and AWS's rules for them,
instances registered and discovered through them, UpdateHttpNamespace, and ListOperations
leaving out a deleted namespace's operations. Refused calls change nothing."""
import re

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, REGION, code, delete_namespace_with_contents, make_client, uniq


@pytest.fixture
def unchecked(endpoint):
    """A client that sends what boto3 would refuse itself (a negative TTL), to see the server's answer."""
    return make_client("servicediscovery", endpoint, parameter_validation=False)


def finish(sd, operation_id, kind="CREATE_NAMESPACE"):
    operation = sd.get_operation(OperationId=operation_id)["Operation"]
    assert operation["Status"] == "SUCCESS" and operation["Type"] == kind
    return operation["Targets"]["NAMESPACE"]


@pytest.fixture
def private_ns(sd):
    name = uniq("priv") + ".internal"
    ns_id = finish(sd, sd.create_private_dns_namespace(Name=name, Vpc="vpc-0abc1234")["OperationId"])
    yield ns_id, name
    delete_namespace_with_contents(sd, ns_id)


@pytest.fixture
def public_ns(sd):
    name = uniq("pub") + ".example.com"
    ns_id = finish(sd, sd.create_public_dns_namespace(Name=name)["OperationId"])
    yield ns_id, name
    delete_namespace_with_contents(sd, ns_id)


# --- namespaces -------------------------------------------------------------------------------

def test_private_dns_namespace_as_aws_returns_it(sd):
    name = uniq("orders") + ".internal"
    op = sd.create_private_dns_namespace(Name=name, Vpc="vpc-0abc1234", Description="orders", CreatorRequestId="cr-1",
                                         Properties={"DnsProperties": {"SOA": {"TTL": 60}}},
                                         Tags=[{"Key": "team", "Value": "core"}])["OperationId"]
    ns_id = finish(sd, op)
    try:
        got = sd.get_namespace(Id=ns_id)["Namespace"]
        assert got["Type"] == "DNS_PRIVATE" and got["Name"] == name and got["Description"] == "orders"
        assert got["Arn"] == f"arn:aws:servicediscovery:{REGION}:{ACCOUNT}:namespace/{ns_id}"
        assert got["CreatorRequestId"] == "cr-1" and got["ServiceCount"] == 0
        dns = got["Properties"]["DnsProperties"]
        assert re.fullmatch(r"Z[A-Z0-9]{20}", dns["HostedZoneId"]) and dns["SOA"] == {"TTL": 60}
        assert got["Properties"]["HttpProperties"] == {"HttpName": name}
        again = sd.create_private_dns_namespace(Name=name, Vpc="vpc-0abc1234", CreatorRequestId="cr-1")["OperationId"]
        assert again == op
        listed = sd.list_namespaces(Filters=[{"Name": "TYPE", "Values": ["DNS_PRIVATE"]}])["Namespaces"]
        assert ns_id in [n["Id"] for n in listed] and all(n["Type"] == "DNS_PRIVATE" for n in listed)
        assert sd.list_tags_for_resource(ResourceARN=got["Arn"])["Tags"] == [{"Key": "team", "Value": "core"}]
    finally:
        delete_namespace_with_contents(sd, ns_id)


def test_public_dns_namespace_defaults_and_updates(sd, public_ns):
    ns_id, name = public_ns
    got = sd.get_namespace(Id=ns_id)["Namespace"]
    assert got["Type"] == "DNS_PUBLIC" and "Description" not in got
    assert got["Properties"]["DnsProperties"]["SOA"] == {"TTL": 15}
    op = sd.update_public_dns_namespace(Id=ns_id, UpdaterRequestId="u-1", Namespace={
        "Description": "public", "Properties": {"DnsProperties": {"SOA": {"TTL": 300}}}})["OperationId"]
    assert finish(sd, op, "UPDATE_NAMESPACE") == ns_id
    got = sd.get_namespace(Id=ns_id)["Namespace"]
    assert got["Description"] == "public" and got["Properties"]["DnsProperties"]["SOA"] == {"TTL": 300}
    # A retried update (same UpdaterRequestId) is the same operation, applied once.
    assert sd.update_public_dns_namespace(Id=ns_id, UpdaterRequestId="u-1", Namespace={"Description": "other"})["OperationId"] == op
    assert sd.get_namespace(Id=ns_id)["Namespace"]["Description"] == "public"
    # Only the description: the SOA TTL stays.
    sd.update_public_dns_namespace(Id=ns_id, Namespace={"Description": "again"})
    assert sd.get_namespace(Id=ns_id)["Namespace"]["Properties"]["DnsProperties"]["SOA"] == {"TTL": 300}
    updates = sd.list_operations(Filters=[{"Name": "NAMESPACE_ID", "Values": [ns_id]},
                                          {"Name": "TYPE", "Values": ["UPDATE_NAMESPACE"]}])["Operations"]
    assert len(updates) == 2 and op in [o["Id"] for o in updates]


def test_update_private_and_http_namespaces(sd, unchecked, private_ns):
    ns_id, _ = private_ns
    op = sd.update_private_dns_namespace(Id=ns_id, Namespace={"Properties": {"DnsProperties": {"SOA": {"TTL": 0}}}})
    assert finish(sd, op["OperationId"], "UPDATE_NAMESPACE") == ns_id
    assert sd.get_namespace(Id=ns_id)["Namespace"]["Properties"]["DnsProperties"]["SOA"] == {"TTL": 0}
    http_id = finish(sd, sd.create_http_namespace(Name=uniq("http"))["OperationId"])
    try:
        op = sd.update_http_namespace(Id=http_id, Namespace={"Description": "api only"})["OperationId"]
        assert finish(sd, op, "UPDATE_NAMESPACE") == http_id
        got = sd.get_namespace(Id=http_id)["Namespace"]
        assert got["Description"] == "api only" and got["Properties"]["DnsProperties"] == {}
        cases = [
            (lambda: sd.update_http_namespace(Id=ns_id, Namespace={"Description": "x"}), "InvalidInput"),
            (lambda: sd.update_private_dns_namespace(Id=http_id, Namespace={"Description": "x"}), "InvalidInput"),
            (lambda: sd.update_public_dns_namespace(Id=ns_id, Namespace={"Description": "x"}), "InvalidInput"),
            (lambda: sd.update_private_dns_namespace(Id="ns-missing0000000000", Namespace={"Description": "x"}),
             "NamespaceNotFound"),
            (lambda: sd.update_private_dns_namespace(Id=ns_id, Namespace={}), "InvalidInput"),
            (lambda: sd.update_private_dns_namespace(Id=ns_id, Namespace={"Description": "x" * 1025}), "InvalidInput"),
            (lambda: unchecked.update_private_dns_namespace(Id=ns_id, Namespace={
                "Properties": {"DnsProperties": {"SOA": {"TTL": -1}}}}), "InvalidInput"),
        ]
        for call, expected in cases:
            with pytest.raises(ClientError) as e:
                call()
            assert code(e) == expected, (expected, e.value.response["Error"])
        assert sd.get_namespace(Id=http_id)["Namespace"]["Description"] == "api only"
        assert sd.get_namespace(Id=ns_id)["Namespace"]["Properties"]["DnsProperties"]["SOA"] == {"TTL": 0}
    finally:
        delete_namespace_with_contents(sd, http_id)


def test_invalid_dns_namespaces_are_refused(sd):
    before = {n["Id"] for n in sd.list_namespaces()["Namespaces"]}
    cases = [
        (lambda: sd.create_public_dns_namespace(Name="no_underscores.example.com"), "InvalidInput"),
        (lambda: sd.create_public_dns_namespace(Name="single-label"), "InvalidInput"),
        (lambda: sd.create_public_dns_namespace(Name="-lead.example.com"), "InvalidInput"),
        (lambda: sd.create_public_dns_namespace(Name="a." + "b" * 64 + ".com"), "InvalidInput"),
        (lambda: sd.create_private_dns_namespace(Name="has space.internal", Vpc="vpc-1"), "InvalidInput"),
        (lambda: sd.create_private_dns_namespace(Name="x" * 254, Vpc="vpc-1"), "InvalidInput"),
        (lambda: sd.create_private_dns_namespace(Name="arn:aws:thing", Vpc="vpc-1"), "InvalidInput"),
        (lambda: sd.create_private_dns_namespace(Name=uniq("p") + ".internal", Vpc="vpc-1",
                                                 Properties={"DnsProperties": {"SOA": {"TTL": 2**31}}}), "InvalidInput"),
    ]
    for call, expected in cases:
        with pytest.raises(ClientError) as e:
            call()
        assert code(e) == expected, (expected, e.value.response["Error"])
    assert {n["Id"] for n in sd.list_namespaces()["Namespaces"]} == before


def test_namespace_names_are_unique_across_kinds(sd, private_ns):
    _, name = private_ns
    with pytest.raises(ClientError) as e:
        sd.create_http_namespace(Name=name)
    assert code(e) == "NamespaceAlreadyExists"
    with pytest.raises(ClientError) as e:
        sd.create_private_dns_namespace(Name=name, Vpc="vpc-other")
    assert code(e) == "NamespaceAlreadyExists"


def test_operations_of_a_deleted_namespace_are_not_listed(sd):
    ns_id = finish(sd, sd.create_private_dns_namespace(Name=uniq("gone") + ".internal", Vpc="vpc-1")["OperationId"])
    sd.update_private_dns_namespace(Id=ns_id, Namespace={"Description": "soon gone"})
    by_ns = [{"Name": "NAMESPACE_ID", "Values": [ns_id]}]
    assert len(sd.list_operations(Filters=by_ns)["Operations"]) == 2
    delete_op = sd.delete_namespace(Id=ns_id)["OperationId"]
    # The deletion itself can still be polled, as the SDKs and Terraform do.
    assert sd.get_operation(OperationId=delete_op)["Operation"]["Status"] == "SUCCESS"
    assert sd.list_operations(Filters=by_ns)["Operations"] == []
    assert delete_op not in [o["Id"] for o in sd.list_operations()["Operations"]]


# --- services ---------------------------------------------------------------------------------

def test_service_with_dns_config(sd, private_ns):
    ns_id, _ = private_ns
    svc = sd.create_service(Name="orders", NamespaceId=ns_id, HealthCheckCustomConfig={"FailureThreshold": 1},
                            DnsConfig={"RoutingPolicy": "WEIGHTED",
                                       "DnsRecords": [{"Type": "A", "TTL": 60}, {"Type": "AAAA", "TTL": 30}]})["Service"]
    assert svc["Type"] == "DNS_HTTP" and svc["NamespaceId"] == ns_id
    assert svc["DnsConfig"] == {"RoutingPolicy": "WEIGHTED",
                                "DnsRecords": [{"Type": "A", "TTL": 60}, {"Type": "AAAA", "TTL": 30}]}
    assert sd.get_service(Id=svc["Id"])["Service"]["DnsConfig"] == svc["DnsConfig"]
    listed = sd.list_services(Filters=[{"Name": "NAMESPACE_ID", "Values": [ns_id]}])["Services"]
    assert listed[0]["DnsConfig"] == svc["DnsConfig"] and listed[0]["Type"] == "DNS_HTTP"
    # The deprecated DnsConfig.NamespaceId names the namespace too; MULTIVALUE is the default.
    srv = sd.create_service(Name="_orders._tcp", DnsConfig={"NamespaceId": ns_id, "DnsRecords": [{"Type": "SRV", "TTL": 10}]})
    assert srv["Service"]["NamespaceId"] == ns_id
    assert srv["Service"]["DnsConfig"] == {"NamespaceId": ns_id, "RoutingPolicy": "MULTIVALUE",
                                           "DnsRecords": [{"Type": "SRV", "TTL": 10}]}
    api_only = sd.create_service(Name="api-only", NamespaceId=ns_id, Type="HTTP")["Service"]
    assert api_only["Type"] == "HTTP" and "DnsConfig" not in api_only


def test_update_service_in_a_dns_namespace(sd, public_ns):
    ns_id, _ = public_ns
    svc = sd.create_service(Name="web", NamespaceId=ns_id,
                            DnsConfig={"DnsRecords": [{"Type": "A", "TTL": 60}, {"Type": "AAAA", "TTL": 60}]},
                            HealthCheckConfig={"Type": "HTTPS", "ResourcePath": "/health"})["Service"]
    op = sd.update_service(Id=svc["Id"], Service={
        "DnsConfig": {"DnsRecords": [{"Type": "A", "TTL": 5}, {"Type": "AAAA", "TTL": 7}]},
        "HealthCheckConfig": {"Type": "HTTPS", "ResourcePath": "/ready"}})["OperationId"]
    assert sd.get_operation(OperationId=op)["Operation"]["Type"] == "UPDATE_SERVICE"
    got = sd.get_service(Id=svc["Id"])["Service"]
    assert got["DnsConfig"]["DnsRecords"] == [{"Type": "A", "TTL": 5}, {"Type": "AAAA", "TTL": 7}]
    assert got["DnsConfig"]["RoutingPolicy"] == "MULTIVALUE" and got["HealthCheckConfig"]["ResourcePath"] == "/ready"
    # A record type can't be added or changed; the refused call changes nothing.
    with pytest.raises(ClientError) as e:
        sd.update_service(Id=svc["Id"], Service={"DnsConfig": {"DnsRecords": [{"Type": "SRV", "TTL": 5}]}})
    assert code(e) == "InvalidInput"
    assert sd.get_service(Id=svc["Id"])["Service"] == got
    # An existing record left out is deleted, and so is a HealthCheckConfig left out.
    sd.update_service(Id=svc["Id"], Service={"DnsConfig": {"DnsRecords": [{"Type": "A", "TTL": 9}]}})
    got = sd.get_service(Id=svc["Id"])["Service"]
    assert got["DnsConfig"]["DnsRecords"] == [{"Type": "A", "TTL": 9}] and "HealthCheckConfig" not in got
    # DnsConfig left out: the service keeps no DNS records and is discovered through the API only.
    sd.update_service(Id=svc["Id"], Service={"Description": "api now"})
    got = sd.get_service(Id=svc["Id"])["Service"]
    assert "DnsConfig" not in got and got["Type"] == "HTTP" and got["Description"] == "api now"


def test_dns_config_rules(sd, unchecked, private_ns, public_ns):
    priv, _ = private_ns
    pub, _ = public_ns
    http_id = finish(sd, sd.create_http_namespace(Name=uniq("http"))["OperationId"])
    try:
        a60 = {"DnsRecords": [{"Type": "A", "TTL": 60}]}
        cases = [
            (dict(NamespaceId=http_id, DnsConfig=a60), "InvalidInput"),
            (dict(NamespaceId=priv, Type="HTTP", DnsConfig=a60), "InvalidInput"),
            (dict(NamespaceId=priv, DnsConfig={"DnsRecords": []}), "InvalidInput"),
            (dict(NamespaceId=priv, DnsConfig={"DnsRecords": [{"Type": "A", "TTL": 1}, {"Type": "A", "TTL": 2}]}), "InvalidInput"),
            (dict(NamespaceId=priv, DnsConfig={"DnsRecords": [{"Type": "A", "TTL": 1}, {"Type": "CNAME", "TTL": 2}]}), "InvalidInput"),
            (dict(NamespaceId=priv, DnsConfig={"DnsRecords": [{"Type": "SRV", "TTL": 1}, {"Type": "CNAME", "TTL": 2}]}), "InvalidInput"),
            (dict(NamespaceId=priv, DnsConfig={"DnsRecords": [{"Type": "CNAME", "TTL": 60}]}), "InvalidInput"),
            (dict(NamespaceId=priv, DnsConfig={"DnsRecords": [{"Type": "A", "TTL": -1}]}), "InvalidInput"),
            (dict(NamespaceId=priv, DnsConfig=a60, HealthCheckConfig={"Type": "HTTP"}), "InvalidInput"),
            (dict(NamespaceId=pub, DnsConfig={"RoutingPolicy": "WEIGHTED", "DnsRecords": [{"Type": "CNAME", "TTL": 60}]},
                  HealthCheckConfig={"Type": "HTTP"}), "InvalidInput"),
            (dict(NamespaceId=pub, DnsConfig=dict(a60, NamespaceId=priv)), "InvalidInput"),
            (dict(DnsConfig=dict(a60, NamespaceId="ns-missing0000000000")), "NamespaceNotFound"),
        ]
        for params, expected in cases:
            with pytest.raises(ClientError) as e:
                unchecked.create_service(Name=uniq("svc"), **params)
            assert code(e) == expected, (params, e.value.response["Error"])
        for ns in (priv, pub, http_id):
            assert sd.list_services(Filters=[{"Name": "NAMESPACE_ID", "Values": [ns]}])["Services"] == []
        cname = sd.create_service(Name="alias", NamespaceId=pub, DnsConfig={
            "RoutingPolicy": "WEIGHTED", "DnsRecords": [{"Type": "CNAME", "TTL": 60}]})["Service"]
        assert cname["DnsConfig"]["DnsRecords"] == [{"Type": "CNAME", "TTL": 60}]
    finally:
        delete_namespace_with_contents(sd, http_id)


# --- instances --------------------------------------------------------------------------------

def test_instances_need_what_their_records_need(sd, private_ns):
    ns_id, _ = private_ns

    def service(records, policy="MULTIVALUE"):
        return sd.create_service(Name=uniq("s"), NamespaceId=ns_id, DnsConfig={
            "RoutingPolicy": policy, "DnsRecords": [{"Type": t, "TTL": 10} for t in records]})["Service"]["Id"]

    a, aaaa, srv = service(["A"]), service(["AAAA"]), service(["SRV"])
    cname, weighted = service(["CNAME"], "WEIGHTED"), service(["A"], "WEIGHTED")
    refused = [
        (a, {"AWS_INSTANCE_PORT": "80"}),
        (a, {"AWS_INSTANCE_IPV4": "10.0.0.300"}),
        (aaaa, {"AWS_INSTANCE_IPV4": "10.0.0.1"}),
        (aaaa, {"AWS_INSTANCE_IPV6": "2001:db8::zz"}),
        (srv, {"AWS_INSTANCE_IPV4": "10.0.0.1"}),
        (srv, {"AWS_INSTANCE_PORT": "8080"}),
        (cname, {"AWS_INSTANCE_IPV4": "10.0.0.1"}),
        (a, {"AWS_EC2_INSTANCE_ID": "i-0123456789abcdef0"}),
        (a, {"AWS_ALIAS_DNS_NAME": "lb-1.us-east-1.elb.amazonaws.com"}),
        (weighted, {"AWS_ALIAS_DNS_NAME": "lb-1.us-east-1.elb.amazonaws.com", "AWS_INSTANCE_IPV4": "10.0.0.1"}),
    ]
    for sid, attributes in refused:
        with pytest.raises(ClientError) as e:
            sd.register_instance(ServiceId=sid, InstanceId="i-1", Attributes=attributes)
        assert code(e) == "InvalidInput", (attributes, e.value.response["Error"])
    for sid in (a, aaaa, srv, cname, weighted):
        assert sd.list_instances(ServiceId=sid)["Instances"] == []
    accepted = [
        (a, {"AWS_INSTANCE_IPV4": "10.0.0.1"}),
        (aaaa, {"AWS_INSTANCE_IPV6": "2001:db8::1"}),
        (srv, {"AWS_INSTANCE_IPV6": "2001:db8::2", "AWS_INSTANCE_PORT": "8080"}),
        (cname, {"AWS_INSTANCE_CNAME": "backend.example.com"}),
        (weighted, {"AWS_ALIAS_DNS_NAME": "lb-1.us-east-1.elb.amazonaws.com"}),
    ]
    for sid, attributes in accepted:
        sd.register_instance(ServiceId=sid, InstanceId="i-1", Attributes=attributes)
        assert sd.get_instance(ServiceId=sid, InstanceId="i-1")["Instance"]["Attributes"] == attributes


def test_public_health_check_needs_a_port(sd, public_ns):
    ns_id, _ = public_ns
    sid = sd.create_service(Name="checked", NamespaceId=ns_id, DnsConfig={"DnsRecords": [{"Type": "A", "TTL": 60}]},
                            HealthCheckConfig={"Type": "TCP"})["Service"]["Id"]
    with pytest.raises(ClientError) as e:
        sd.register_instance(ServiceId=sid, InstanceId="web-1", Attributes={"AWS_INSTANCE_IPV4": "192.0.2.44"})
    assert code(e) == "InvalidInput"
    sd.register_instance(ServiceId=sid, InstanceId="web-1", Attributes={"AWS_INSTANCE_IPV4": "192.0.2.44",
                                                                        "AWS_INSTANCE_PORT": "443"})


def test_discover_instances_in_dns_namespaces(sd, private_ns, public_ns):
    for ns_id, ns_name in (private_ns, public_ns):
        svc = sd.create_service(Name="payments", NamespaceId=ns_id, HealthCheckCustomConfig={},
                                DnsConfig={"DnsRecords": [{"Type": "SRV", "TTL": 10}]})["Service"]
        for iid, zone in [("p-1", "a"), ("p-2", "b")]:
            sd.register_instance(ServiceId=svc["Id"], InstanceId=iid, Attributes={
                "AWS_INSTANCE_IPV4": "10.1.0.1", "AWS_INSTANCE_PORT": "9000", "zone": zone})
        found = sd.discover_instances(NamespaceName=ns_name, ServiceName="payments")
        assert sorted(i["InstanceId"] for i in found["Instances"]) == ["p-1", "p-2"]
        first = found["Instances"][0]
        assert first["NamespaceName"] == ns_name and first["ServiceName"] == "payments"
        assert first["Attributes"]["AWS_INSTANCE_PORT"] == "9000" and first["HealthStatus"] == "HEALTHY"
        sd.update_instance_custom_health_status(ServiceId=svc["Id"], InstanceId="p-1", Status="UNHEALTHY")
        healthy = sd.discover_instances(NamespaceName=ns_name, ServiceName="payments", QueryParameters={"zone": "a"},
                                        HealthStatus="HEALTHY_OR_ELSE_ALL")["Instances"]
        assert [(i["InstanceId"], i["HealthStatus"]) for i in healthy] == [("p-1", "UNHEALTHY")]
        assert sd.discover_instances_revision(NamespaceName=ns_name, ServiceName="payments")["InstancesRevision"] \
            >= found["InstancesRevision"]


def test_dns_namespace_survives_restart(fresh_server):
    sd = make_client("servicediscovery", fresh_server.endpoint)
    ns_id = finish(sd, sd.create_private_dns_namespace(Name="durable.internal", Vpc="vpc-9",
                                                       Properties={"DnsProperties": {"SOA": {"TTL": 42}}})["OperationId"])
    svc = sd.create_service(Name="db", NamespaceId=ns_id, DnsConfig={"DnsRecords": [{"Type": "A", "TTL": 20}]})["Service"]
    sd.register_instance(ServiceId=svc["Id"], InstanceId="db-1", Attributes={"AWS_INSTANCE_IPV4": "10.9.0.1"})
    before = sd.get_namespace(Id=ns_id)["Namespace"]
    fresh_server.kill9()
    fresh_server.start()
    sd = make_client("servicediscovery", fresh_server.endpoint)
    assert sd.get_namespace(Id=ns_id)["Namespace"] == before
    assert sd.get_service(Id=svc["Id"])["Service"]["DnsConfig"]["DnsRecords"] == [{"Type": "A", "TTL": 20}]
    found = sd.discover_instances(NamespaceName="durable.internal", ServiceName="db")["Instances"]
    assert [i["Attributes"]["AWS_INSTANCE_IPV4"] for i in found] == ["10.9.0.1"]
