import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The real binary against a real `signalbox serve`, both in tmux, with resources made by boto3:
/// what an operator sees when they open the console on their local stack.
@Suite(.serialized) struct LiveStackEndToEndTests {
    /// Runs Python with boto3 against the stack (the AWS SDK a user would have).
    func boto3(_ port: Int, _ script: String) throws {
        let prelude = """
        import boto3, json
        kw = dict(endpoint_url="http://127.0.0.1:\(port)", region_name="us-east-1",
                  aws_access_key_id="signalbox", aws_secret_access_key="signalbox")
        sqs = boto3.client("sqs", **kw)
        events = boto3.client("events", **kw)

        """
        var environment = ProcessInfo.processInfo.environment
        environment["AWS_CONFIG_FILE"] = "/dev/null"
        environment["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null"
        let result = spawnAndWait("/usr/bin/env", ["python3", "-c", prelude + script], environment: environment)
        guard result.status == 0 else { throw E2EError("boto3 script failed (\(result.status)): \(result.output)") }
    }

    @Test func consoleShowsWhatTheStackHolds() async throws {
        let binary = try signalboxBinary()
        let port = try freePort()
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("sbx-e2e-data-\(UUID().uuidString)").path
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("sbx-e2e-config-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: data) }
        let console = "unset NO_COLOR; XDG_CONFIG_HOME=\(shellQuote(config)) \(shellQuote(binary)) console "
            + "--endpoint http://127.0.0.1:\(port) --refresh-ms 300; echo \"EXIT=$?\"; sleep 600"
        let tmux = try TmuxSession(command: "sh -c " + shellQuote(console), columns: 160, rows: 45)
        defer { tmux.kill() }
        // Nobody listens yet: the console says so, naming the endpoint.
        try await tmux.waitFor(all: ["not connected", "127.0.0.1:\(port)"])

        let serve = "\(shellQuote(binary)) serve --port \(port) --data \(shellQuote(data)) 2>&1; sleep 600"
        tmux.run(["new-window", "-d", "-t", "t:9", "sh -c " + shellQuote(serve)])
        try await tmux.waitFor(text: "● connected")

        try boto3(port, """
        url = sqs.create_queue(QueueName="e2e-orders")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        for body in ["one", "two", "three"]:
            sqs.send_message(QueueUrl=url, MessageBody=body)
        events.put_rule(Name="e2e-route", EventPattern=json.dumps({"source": ["e2e.shop"]}))
        events.put_targets(Rule="e2e-route", Targets=[{"Id": "q", "Arn": arn}])
        """)
        tmux.send("3")
        let queues = try await tmux.waitFor("the queue with its three messages") { screen in
            screen.split(separator: "\n").contains { $0.contains("e2e-orders") && $0.contains(" 3 ") }
        }
        #expect(queues.contains("┏━ 3 Queues"))

        // An event routed by the rule shows in Flows with the rule that matched it.
        tmux.send("2")
        try await tmux.waitFor(text: "┏━ 2 Flows")
        try boto3(port, """
        events.put_events(Entries=[{"Source": "e2e.shop", "DetailType": "E2EOrderPlaced", "Detail": json.dumps({"orderId": "o-1"})}])
        """)
        try await tmux.waitFor("the event in Flows") { screen in
            screen.split(separator: "\n").contains { $0.contains("E2EOrderPlaced") && $0.contains("e2e-route") }
        }
        // The map folds rules into their edges: zoomed (the whole map in view), `r` labels the
        // routes with their rules.
        tmux.send("1")
        tmux.send("z", "r")
        try await tmux.waitFor(all: ["e2e-route", "e2e-orders"])
        tmux.send("z")

        // A Cloud Map instance shows in Registry under its namespace's name.
        try boto3(port, """
        sd = boto3.client("servicediscovery", **kw)
        sd.create_http_namespace(Name="e2e-ns")
        ns = [n["Id"] for n in sd.list_namespaces()["Namespaces"] if n["Name"] == "e2e-ns"][0]
        svc = sd.create_service(Name="e2e-svc", NamespaceId=ns)["Service"]["Id"]
        sd.register_instance(ServiceId=svc, InstanceId="e2e-i1", Attributes={"AWS_INSTANCE_IPV4": "10.0.0.7"})
        """)
        tmux.send("6")
        try await tmux.waitFor("the instance under its namespace") { screen in
            screen.split(separator: "\n").contains { $0.contains("e2e-svc") && $0.contains("e2e-ns") && $0.contains("e2e-i1") }
        }

        tmux.send("q")
        let screen = try await tmux.waitFor(text: "EXIT=")
        #expect(screen.contains("EXIT=0"))
    }
}

/// A loopback port nobody listens on right now.
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw E2EError("socket failed") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else { throw E2EError("bind failed") }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}
